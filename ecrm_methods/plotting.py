"""Figures the notebooks and the command line show.

Every function draws on a given matplotlib ``Axes`` (or a new one) and returns the ``Axes``,
so notebooks can compose them and the command line can save them; the exception is
:func:`plot_critical_difference`, which returns the ``Figure`` that ``autorank`` drew on.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "plot_benchmark_results",
    "plot_critical_difference",
    "plot_pareto",
    "plot_weekly_activity",
]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 4))
    return ax


def plot_pareto(values, top_fraction: float = 0.2, ax=None, label: str = "customers"):
    """Cumulative revenue share against customer share (the 80/20 or Pareto curve).

    Parameters
    ----------
    values : array-like of shape (n_customers,)
        Revenue (or profit) per customer; negative values are not allowed.
    top_fraction : float, default=0.2
        The top share of customers to mark (the "golden" customers of the 2/8 rule).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    label : str, default="customers"
        Legend label of the curve.

    Returns
    -------
    ax : matplotlib Axes
    """
    from ecrm_methods.features import pareto_curve, top_share_of_revenue

    # the features module validates the input and owns the definition of "the top fraction"
    top_share = top_share_of_revenue(values, top_fraction)
    curve = pareto_curve(values)
    ax = _axes(ax)
    ax.plot(curve["customer_share"], curve["revenue_share"], label=label)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="equal shares")
    ax.axvline(top_fraction, color="tab:red", linestyle="--", linewidth=1)
    ax.axhline(top_share, color="tab:red", linestyle="--", linewidth=1)
    ax.annotate(
        f"top {top_fraction:.0%} of customers\n= {top_share:.0%} of revenue",
        xy=(top_fraction, top_share),
        xytext=(top_fraction + 0.08, top_share - 0.25),
        arrowprops={"arrowstyle": "->"},
    )
    ax.set_xlabel("share of customers (ranked by revenue)")
    ax.set_ylabel("cumulative share of revenue")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("80/20 rule")
    ax.legend(loc="lower right")
    return ax


def plot_weekly_activity(
    transactions: pd.DataFrame,
    datetime_col: str,
    split_date=None,
    ax=None,
):
    """Transactions per week, with the calibration/holdout split marked.

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction.
    datetime_col : str
        Column holding the transaction timestamp.
    split_date : date-like, optional
        End of the calibration period; drawn as a vertical line.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
    """
    if datetime_col not in transactions.columns:
        raise KeyError(f"column {datetime_col!r} not in transactions: {list(transactions.columns)}")
    weekly = transactions.set_index(datetime_col).resample("W").size()
    ax = _axes(ax)
    ax.plot(weekly.index, weekly.to_numpy(), linewidth=1)
    if split_date is not None:
        ax.axvline(pd.Timestamp(split_date), color="tab:red", linestyle="--", linewidth=1)
        ax.text(
            pd.Timestamp(split_date),
            ax.get_ylim()[1] * 0.95,
            " calibration | holdout",
            color="tab:red",
            va="top",
        )
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("week")
    ax.set_ylabel("transactions")
    ax.set_title("weekly transactions")
    return ax


def plot_critical_difference(result: Any, ax: Any = None) -> Any:
    """Critical-difference diagram (or confidence-interval plot) of a :func:`compare_methods` result.

    Uses ``autorank.plot_stats``: a critical-difference diagram after Friedman + Nemenyi, a
    confidence-interval plot after ANOVA + Tukey HSD or a paired t-test. For the Wilcoxon test
    between two methods, for which autorank draws nothing, the mean ranks are drawn instead.
    The plot is drawn even when the omnibus test is not significant.

    Parameters
    ----------
    result : autorank.RankResult
        Output of :func:`~ecrm_methods.evaluation.stats.compare_methods`.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    figure : matplotlib Figure
        The figure holding the plot.

    References
    ----------
    Demsar, J. (2006). Statistical comparisons of classifiers over multiple data sets. *JMLR*
    7, 1-30.
    """
    import matplotlib.pyplot as plt
    from autorank import plot_stats
    from autorank._util import RankResult

    if not isinstance(result, RankResult):
        raise TypeError(
            f"result must be the output of compare_methods (autorank.RankResult), got "
            f"{type(result).__name__}."
        )
    if result.omnibus == "wilcoxon":
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 1.5))
        ranks = result.rankdf["meanrank"].astype(float)
        ax.barh(list(ranks.index.astype(str)), ranks.to_numpy(), color="0.6")
        ax.set_xlabel("mean rank (Wilcoxon signed-rank test)")
        ax.set_title(f"p = {result.pvalue:.3g}")
        return ax.figure
    drawn = plot_stats(result, allow_insignificant=True, ax=ax)
    return drawn.figure


def plot_benchmark_results(
    results: pd.DataFrame,
    plot_dir: str | os.PathLike,
    headline_metric: Mapping[str, str],
    family_comparison: Any = None,
) -> list[Path]:
    """Draw one PNG per problem and metric, and a critical-difference plot per problem.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results without failed rows, one split per (problem, dataset) (the
        headline split: :func:`ecrm_methods.benchmark.report.headline_rows`).
    plot_dir : path
        Output folder.
    headline_metric : mapping
        Problem -> its headline metric (kept for callers; every metric gets its plot).
    family_comparison : FamilyComparison or None
        :func:`ecrm_methods.evaluation.compare_families` across (problem, dataset) blocks: its
        critical-difference diagram is drawn when the test could run (>= 5 blocks). A diagram
        per problem over seeds x folds is not drawn: those blocks are not independent.

    Returns
    -------
    list of Path
        The files written.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from ecrm_methods.evaluation import HIGHER_IS_BETTER, summarize

    plot_dir = Path(plot_dir)
    plot_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for problem, headline in results.groupby("problem"):
        summary = summarize(headline)
        for metric, metric_summary in summary.groupby("metric"):
            datasets = sorted(metric_summary["dataset"].unique())
            methods = sorted(metric_summary["method"].unique())
            fig, ax = plt.subplots(figsize=(7, 0.5 + 0.35 * len(methods) * len(datasets) + 1))
            y = 0
            ticks, labels = [], []
            for dataset in datasets:
                for method in methods:
                    row = metric_summary[
                        (metric_summary["dataset"] == dataset)
                        & (metric_summary["method"] == method)
                    ]
                    if row.empty:
                        continue
                    row = row.iloc[0]
                    err = None
                    if np.isfinite(row["ci_low"]):
                        err = [[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]]
                    ax.errorbar(row["mean"], y, xerr=err, fmt="o", capsize=3)
                    ticks.append(y)
                    labels.append(f"{dataset} · {method}")
                    y += 1
                y += 0.5
            ax.set_yticks(ticks, labels, fontsize=8)
            ax.invert_yaxis()
            direction = "higher" if HIGHER_IS_BETTER.get(metric, True) else "lower"
            ax.set_xlabel(f"{metric} ({direction} is better; mean, 95 % interval)")
            ax.set_title(f"{problem}: {metric}")
            fig.tight_layout()
            path = plot_dir / f"{problem}_{metric}.png"
            fig.savefig(path, dpi=100)
            plt.close(fig)
            written.append(path)
    if family_comparison is not None and family_comparison.result is not None:
        try:
            figure = plot_critical_difference(family_comparison.result)
            path = plot_dir / "critical_difference_families.png"
            figure.savefig(path, dpi=100, bbox_inches="tight")
            plt.close(figure)
            written.append(path)
        except Exception as error:  # noqa: BLE001 - a plot must not lose the results
            warnings.warn(f"critical-difference plot of the families failed: {error}", stacklevel=2)
    return written
