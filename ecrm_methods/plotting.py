"""Figures the notebooks and the command line show.

Every function draws on a given matplotlib ``Axes`` (or a new one) and returns the ``Axes``,
so notebooks can compose them and the command line can save them.
"""

from __future__ import annotations

import pandas as pd


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
