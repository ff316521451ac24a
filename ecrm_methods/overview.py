"""The CDNOW overview: the first step of the data-mining process on the embedded data.

It defines the customer-value problem on the CDNOW log (Fader & Hardie), builds the
per-customer BTYD summary and the 39-week calibration / 39-week holdout table, measures the
80/20 rule and draws one figure. This is what ``ecrm overview`` prints and what the README's
main command starts with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ecrm_methods import datasets

#: End of the 39-week calibration period used by Fader, Hardie & Lee (2005) on CDNOW.
CDNOW_CALIBRATION_END = pd.Timestamp(datasets.CDNOW_CALIBRATION_END)
#: End of the 39-week holdout period (the end of the CDNOW log).
CDNOW_HOLDOUT_END = pd.Timestamp(datasets.CDNOW_HOLDOUT_END)


@dataclass
class OverviewReport:
    """What :func:`cdnow_overview` computed.

    Attributes
    ----------
    summary : DataFrame
        Per-customer ``frequency, recency, T, monetary_value`` over the whole log, in the
        published BTYD convention: purchases merged per day, recency and T in weeks of 7 days.
    calibration : DataFrame
        Calibration features and holdout targets (``rfm_train_test_split``).
    facts : dict
        The headline numbers.
    figures : list of Path
        Figures written.
    text : str
        A short human-readable summary.
    """

    summary: pd.DataFrame
    calibration: pd.DataFrame
    facts: dict
    figures: list[Path] = field(default_factory=list)
    text: str = ""


def cdnow_overview(out_dir: str | Path | None = "reports", sample: bool = False) -> OverviewReport:
    """Summarise the CDNOW customers and write the overview figure.

    Parameters
    ----------
    out_dir : str or Path or None, default="reports"
        Folder for ``cdnow_overview.png``; ``None`` draws nothing.
    sample : bool, default=False
        Use the 2,357-customer 1/10th sample instead of the full log (23,570 customers).

    Returns
    -------
    OverviewReport

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    An alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.
    """
    from ecrm_methods.datasets import load_cdnow
    from ecrm_methods.features import rfm_summary, rfm_train_test_split, top_share_of_revenue

    transactions = load_cdnow(sample=sample)
    summary = rfm_summary(
        transactions,
        customer_id_col="customer_id",
        datetime_col="date",
        monetary_value_col="dollar_value",
        observation_period_end=CDNOW_HOLDOUT_END,
        freq="D",
        time_scaler=7,
    )
    calibration = rfm_train_test_split(
        transactions,
        customer_id_col="customer_id",
        datetime_col="date",
        train_period_end=CDNOW_CALIBRATION_END,
        test_period_end=CDNOW_HOLDOUT_END,
        monetary_value_col="dollar_value",
        freq="D",
        time_scaler=7,
    )
    revenue = transactions.groupby("customer_id")["dollar_value"].sum()
    facts = {
        "dataset": "cdnow-sample" if sample else "cdnow",
        "transactions": len(transactions),
        "customers": int(transactions["customer_id"].nunique()),
        "first_date": transactions["date"].min().date().isoformat(),
        "last_date": transactions["date"].max().date().isoformat(),
        "customers_with_repeat_purchases": int((summary["frequency"] > 0).sum()),
        "repeat_purchases": int(summary["frequency"].sum()),
        "calibration_repeat_purchases": int(calibration["frequency"].sum()),
        "holdout_purchases": int(calibration["test_frequency"].sum()),
        "holdout_inactive_share": float(calibration["churned"].mean()),
        "revenue": float(revenue.sum()),
        "top20_revenue_share": float(top_share_of_revenue(revenue.to_numpy(), 0.2)),
    }
    lines = [
        f"CDNOW {'1/10th sample' if sample else 'full log'}: {facts['transactions']:,} transactions "
        f"from {facts['customers']:,} customers, {facts['first_date']} .. {facts['last_date']}",
        f"  customers with at least one repeat purchase: "
        f"{facts['customers_with_repeat_purchases']:,} "
        f"({facts['customers_with_repeat_purchases'] / facts['customers']:.1%})",
        f"  repeat purchases (BTYD frequency: purchase days after the first, summed): "
        f"{facts['repeat_purchases']:,}",
        f"  calibration to {CDNOW_CALIBRATION_END.date()}: "
        f"{facts['calibration_repeat_purchases']:,} repeat purchases; holdout to "
        f"{CDNOW_HOLDOUT_END.date()}: {facts['holdout_purchases']:,} purchases",
        f"  customers with no purchase in the holdout: {facts['holdout_inactive_share']:.1%}",
        f"  80/20 rule: the top 20% of customers bring {facts['top20_revenue_share']:.1%} "
        f"of ${facts['revenue']:,.0f} revenue",
    ]
    figures: list[Path] = []
    if out_dir is not None:
        figures.append(_draw(transactions, revenue, Path(out_dir), facts["dataset"]))
        lines.append(f"  figure: {figures[-1]}")
    return OverviewReport(summary, calibration, facts, figures, "\n".join(lines))


def _draw(transactions: pd.DataFrame, revenue: pd.Series, out_dir: Path, name: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ecrm_methods.plotting import plot_pareto, plot_weekly_activity

    out_dir.mkdir(parents=True, exist_ok=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    plot_weekly_activity(transactions, "date", split_date=CDNOW_CALIBRATION_END, ax=left)
    plot_pareto(revenue.to_numpy(), ax=right)
    fig.suptitle(f"{name}: purchasing over time and revenue concentration")
    fig.tight_layout()
    path = out_dir / f"{name}_overview.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
