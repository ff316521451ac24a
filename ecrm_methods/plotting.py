"""Figures the notebooks and the command line show.

Every function draws on a given matplotlib ``Axes`` (or a new one) and returns the ``Axes``,
so notebooks can compose them and the command line can save them; the exceptions return a
``Figure``: :func:`plot_critical_difference` (the one ``autorank`` drew on) and the panel
grids :func:`plot_som_component_planes` and :func:`plot_membership_functions`.
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
    "plot_calibration_vs_holdout",
    "plot_critical_difference",
    "plot_frequency_recency_matrix",
    "plot_fuzzy_memberships",
    "plot_ga_convergence",
    "plot_headline",
    "plot_membership_functions",
    "plot_pareto",
    "plot_probability_alive_history",
    "plot_quality_vs_time",
    "plot_roc_curves",
    "plot_rough_boundary",
    "plot_rule_firing",
    "plot_rule_support",
    "plot_segment_profiles",
    "plot_snake",
    "plot_som_component_planes",
    "plot_som_umatrix",
    "plot_tracking",
    "plot_value_tiers",
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


def _named_scores(scores, label: str | None) -> dict[str, Any]:
    """``scores`` as ``{name: scores}``: a mapping is kept, one array gets ``label``."""
    if isinstance(scores, Mapping):
        if not scores:
            raise ValueError("scores is an empty mapping; pass {method name: scores}.")
        return dict(scores)
    return {label or "model": scores}


def plot_profit_curve(
    y_true,
    scores,
    contact_cost: float,
    response_revenue: float,
    ax=None,
    label: str | None = None,
    deployed_depth: float | None = None,
):
    """Campaign profit of contacting the top share of customers, for every share.

    One curve per model (:func:`ecrm_methods.evaluation.profit_curve`), with its maximum (the
    MP measure) marked; a dashed line marks a deployed depth chosen beforehand.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded.
    scores : array-like of shape (n_customers,) or mapping of str to array-like
        Response scores of one model, or ``{model name: scores}`` to compare several.
    contact_cost, response_revenue : float
        Cost of a contact and revenue of a response.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    label : str, optional
        Legend label when ``scores`` is one array.
    deployed_depth : float, optional
        A depth chosen on training data (share of customers), drawn as a vertical line.

    Returns
    -------
    ax : matplotlib Axes

    References
    ----------
    Verbeke, W., Dejaeger, K., Martens, D., Hur, J. & Baesens, B. (2012). New insights into
    churn prediction in the telecommunication sector: a profit driven data mining approach.
    *European Journal of Operational Research* 218(1), 211-229.
    """
    from ecrm_methods.evaluation import profit_curve

    curves = {
        name: profit_curve(y_true, values, contact_cost, response_revenue)
        for name, values in _named_scores(scores, label).items()
    }
    ax = _axes(ax)
    for name, curve in curves.items():
        (line,) = ax.plot(curve["depth"], curve["profit"], label=name)
        best = int(curve["profit"].to_numpy().argmax())
        ax.plot(
            curve["depth"].iloc[best],
            curve["profit"].iloc[best],
            marker="o",
            color=line.get_color(),
        )
    ax.axhline(0, color="grey", linestyle=":", linewidth=1)
    if deployed_depth is not None:
        ax.axvline(deployed_depth, color="tab:red", linestyle="--", linewidth=1, label="deployed")
    ax.set_xlabel("share of customers contacted (ranked by score)")
    ax.set_ylabel("campaign profit")
    ax.set_xlim(0, 1)
    ax.set_title(f"profit curve (contact {contact_cost:g}, response {response_revenue:g}; o = MP)")
    ax.legend(loc="best")
    return ax


def plot_cumulative_gains(y_true, scores, ax=None, label: str | None = None):
    """Cumulative gains chart: share of the responders reached against share contacted.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded.
    scores : array-like or mapping of str to array-like
        Response scores of one model, or ``{model name: scores}``.
    ax : matplotlib Axes, optional
    label : str, optional
        Legend label when ``scores`` is one array.

    Returns
    -------
    ax : matplotlib Axes
    """
    from ecrm_methods.evaluation import cumulative_gains

    named = _named_scores(scores, label)
    ax = _axes(ax)
    for name, values in named.items():
        gains = cumulative_gains(y_true, values)
        ax.plot(gains["depth"], gains["captured_response"], label=name)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="random")
    ax.set_xlabel("share of customers contacted (ranked by score)")
    ax.set_ylabel("share of responders reached")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("cumulative gains")
    ax.legend(loc="lower right")
    return ax


def plot_lift_curve(y_true, scores, ax=None, label: str | None = None, min_depth: float = 0.02):
    """Lift (response rate in the top share / overall rate) against the share contacted.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded.
    scores : array-like or mapping of str to array-like
        Response scores of one model, or ``{model name: scores}``.
    ax : matplotlib Axes, optional
    label : str, optional
        Legend label when ``scores`` is one array.
    min_depth : float, default=0.02
        The curve starts at this share: below it the lift rests on a handful of customers.

    Returns
    -------
    ax : matplotlib Axes
    """
    from ecrm_methods.evaluation import cumulative_gains

    if not 0 <= min_depth < 1:
        raise ValueError(f"min_depth must lie in [0, 1), got {min_depth!r}.")
    ax = _axes(ax)
    for name, values in _named_scores(scores, label).items():
        gains = cumulative_gains(y_true, values)
        shown = gains[gains["depth"] >= max(min_depth, 1e-12)]
        ax.plot(shown["depth"], shown["lift"], label=name)
    ax.axhline(1, color="grey", linestyle=":", linewidth=1, label="random")
    ax.set_xlabel("share of customers contacted (ranked by score)")
    ax.set_ylabel("lift")
    ax.set_xlim(0, 1)
    ax.set_title("lift curve")
    ax.legend(loc="upper right")
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


# --------------------------------------------------------------------------------------------
# Customer-value (BTYD) model checks: the lifetimes / Fader-Hardie evaluation figures
# --------------------------------------------------------------------------------------------

_TIME_UNITS = {
    "D": (pd.Timedelta(days=1), "day"),
    "W": (pd.Timedelta(weeks=1), "week"),
    "h": (pd.Timedelta(hours=1), "hour"),
    "H": (pd.Timedelta(hours=1), "hour"),
}


def _time_unit(time_unit) -> tuple[pd.Timedelta, str]:
    """The model's time unit as a Timedelta and a word for the labels."""
    if isinstance(time_unit, str) and time_unit in _TIME_UNITS:
        return _TIME_UNITS[time_unit]
    try:
        unit = pd.Timedelta(time_unit)
    except (ValueError, TypeError):
        unit = pd.NaT
    if unit is pd.NaT or unit <= pd.Timedelta(0):
        raise ValueError(
            f"time_unit={time_unit!r} is not a positive time unit; pass the unit the model was "
            "fitted in: 'W' (weeks, as the value problem), 'D', 'h' or a Timedelta such as '7D'."
        )
    return unit, str(time_unit)


def _btyd_model(model, argument: str = "model"):
    """A fitted BetaGeoMLE / ParetoNBDMLE / ModifiedBetaGeoMLE, or a forecaster's."""
    from ecrm_methods.clv import _check_purchase_model

    return _check_purchase_model(getattr(model, "purchase_model_", model), argument)


def _timestamp(value, argument: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as error:
        raise ValueError(f"`{argument}`={value!r} is not a date.") from error
    if stamp is pd.NaT:
        raise ValueError(f"`{argument}` is missing (NaT); pass a date.")
    return stamp


def _dates(values, argument: str) -> pd.Series:
    """Parse dates to days; no empty input, no missing or unparseable dates."""
    series = pd.Series(values)
    if series.empty:
        raise ValueError(f"`{argument}` is empty; pass at least one date.")
    try:
        parsed = pd.to_datetime(series)
    except (ValueError, TypeError) as error:
        raise ValueError(f"`{argument}` holds values that are not dates: {error}") from error
    if parsed.isna().any():
        position = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise ValueError(
            f"`{argument}` has a missing date at position {position}; drop those rows first."
        )
    return parsed.dt.floor("D")


def plot_tracking(
    model,
    transactions: pd.DataFrame | None = None,
    *,
    calibration_end,
    customer_id_col: str = "customer_id",
    datetime_col: str = "date",
    first_purchases=None,
    end=None,
    cumulative: bool = False,
    time_unit="W",
    ax=None,
):
    """Repeat transactions per period, actual against the model's expectation (tracking plot).

    Fader, Hardie & Lee's figure: for every period (one ``time_unit``, a week on CDNOW) the
    repeat transactions of the cohort, and the model's expectation
    ``sum_i E[X(t - t0_i)]`` over the customers' first purchases ``t0_i`` (each customer's
    ``expected_purchases_new_customer``), incremental or cumulative, with the end of the
    calibration period marked. Purchases are counted per customer and day (same-day purchases
    are one transaction, as ``features.rfm_summary`` counts them); a customer's first day is
    not a repeat transaction. Only customers whose first purchase is on or before
    ``calibration_end`` are counted: those the model was fitted to.

    Parameters
    ----------
    model : BetaGeoMLE, ParetoNBDMLE, ModifiedBetaGeoMLE or a fitted value forecaster
        Fitted in ``time_unit`` (a forecaster's ``purchase_model_`` is used).
    transactions : DataFrame, optional
        One row per purchase with ``customer_id_col`` and ``datetime_col``: the actual
        transactions are drawn with the expectation.
    calibration_end : date-like
        End of the calibration period (drawn as a vertical line).
    customer_id_col, datetime_col : str, default="customer_id", "date"
        Columns of ``transactions``.
    first_purchases : array-like of dates, optional
        Instead of ``transactions``: each customer's first purchase date; only the
        expectation is drawn (``end`` is then required).
    end : date-like, optional
        Last day drawn; defaults to the last transaction.
    cumulative : bool, default=False
        Cumulative repeat transactions instead of transactions per period.
    time_unit : {"W", "D", "h"} or Timedelta, default="W"
        The model's time unit, also the length of a period in the plot.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        Lines ``actual`` (when ``transactions`` is given) and ``model``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284, figures 1-2.
    Davidson-Pilon, C. lifetimes, ``lifetimes.plotting.plot_incremental_transactions`` and
    ``plot_cumulative_transactions``.
    """
    purchase_model = _btyd_model(model)
    unit, unit_name = _time_unit(time_unit)
    calibration_end = _timestamp(calibration_end, "calibration_end")
    if (transactions is None) == (first_purchases is None):
        raise ValueError(
            "pass either `transactions` (actual and expected transactions) or "
            "`first_purchases` (expected only), not both and not neither."
        )
    actual_days = None
    if transactions is not None:
        if not isinstance(transactions, pd.DataFrame):
            raise TypeError(
                f"`transactions` must be a pandas DataFrame, got {type(transactions).__name__}."
            )
        missing = [c for c in (customer_id_col, datetime_col) if c not in transactions.columns]
        if missing:
            raise KeyError(
                f"columns {missing} not in transactions: {list(transactions.columns)}; set "
                "`customer_id_col` / `datetime_col`."
            )
        days = pd.DataFrame(
            {
                "customer": transactions[customer_id_col].to_numpy(),
                "day": _dates(transactions[datetime_col], datetime_col).to_numpy(),
            }
        ).drop_duplicates()
        first_day = days.groupby("customer")["day"].transform("min")
        cohort = first_day <= calibration_end
        days, first_day = days[cohort], first_day[cohort]
        if days.empty:
            raise ValueError(
                f"no customer made a first purchase on or before calibration_end="
                f"{calibration_end.date()}; is `calibration_end` right?"
            )
        first = days.loc[days["day"] == first_day].drop_duplicates("customer")["day"]
        actual_days = days.loc[days["day"] > first_day, "day"]
        last_day = days["day"].max()
    else:
        first = _dates(first_purchases, "first_purchases")
        if end is None:
            raise ValueError(
                "`end` is required with `first_purchases` (there is no last purchase)."
            )
        first = first[first <= calibration_end]
        if first.empty:
            raise ValueError(
                f"no first purchase on or before calibration_end={calibration_end.date()}."
            )
        last_day = None
    start = first.min()
    stop = _timestamp(end, "end") if end is not None else last_day
    if stop <= start:
        raise ValueError(f"`end`={stop} is not after the first purchase {start}.")
    n_periods = int(np.ceil((stop - start + pd.Timedelta(days=1)) / unit))
    edges = pd.date_range(start, periods=n_periods + 1, freq=unit)
    # expected cumulative repeat transactions at each edge, one column per first-purchase day
    first_days, counts = np.unique(first.to_numpy(), return_counts=True)
    elapsed = (edges.to_numpy()[:, None] - first_days[None, :]) / unit.to_timedelta64()
    expected = purchase_model.expected_purchases_new_customer(np.maximum(elapsed, 0.0))
    expected_cumulative = (expected * counts).sum(axis=1)
    expected_values = expected_cumulative[1:] if cumulative else np.diff(expected_cumulative)
    ax = _axes(ax)
    x = edges[1:]
    if actual_days is not None:
        period = np.floor((actual_days - start) / unit).astype(int).to_numpy()
        actual = np.bincount(period[period < n_periods], minlength=n_periods).astype(float)
        ax.plot(x, np.cumsum(actual) if cumulative else actual, color="0.2", label="actual")
    model_name = purchase_model._model_name
    ax.plot(x, expected_values, color="tab:blue", linestyle="--", label=f"model ({model_name})")
    ax.axvline(calibration_end, color="tab:red", linestyle=":", linewidth=1)
    ax.text(
        calibration_end,
        0.02,
        " end of calibration",
        color="tab:red",
        va="bottom",
        transform=ax.get_xaxis_transform(),
    )
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("date")
    ax.set_ylabel(
        "cumulative repeat transactions" if cumulative else f"repeat transactions per {unit_name}"
    )
    ax.set_title("tracking: " + ("cumulative" if cumulative else "incremental"))
    ax.legend(loc="upper left" if cumulative else "upper right")
    return ax


def plot_calibration_vs_holdout(
    summary: pd.DataFrame,
    holdout_purchases,
    models,
    holdout_length: float,
    *,
    max_frequency: int = 7,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
    ax=None,
):
    """Mean holdout purchases by number of calibration repeat purchases, actual vs models.

    Customers are grouped by their calibration ``frequency`` (``0, 1, ..., max_frequency``
    and more, the last group labelled ``max_frequency+``); each group's mean actual holdout
    purchases is drawn against each model's mean conditional expectation
    ``E[Y(holdout_length) | x, t_x, T]``.

    Parameters
    ----------
    summary : DataFrame
        Calibration summary with ``frequency_col, recency_col, T_col`` (BTYD convention, in
        the models' time unit): ``load_problem("value", ...).X`` or
        ``features.rfm_train_test_split``.
    holdout_purchases : array-like of shape (n_customers,)
        Actual repeat purchases in the holdout (``test_frequency``), >= 0.
    models : model or mapping of str to model
        Fitted BetaGeoMLE / ParetoNBDMLE / ModifiedBetaGeoMLE (or value forecasters), by the
        name shown in the legend.
    holdout_length : float
        Length of the holdout period in the models' time unit, > 0.
    max_frequency : int, default=7
        Customers with more calibration repeat purchases are pooled into the last group.
    frequency_col, recency_col, T_col : str
        Column names in ``summary``.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        Line ``actual`` and one line per model.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284, figure 3.
    Davidson-Pilon, C. lifetimes, ``lifetimes.plotting.plot_calibration_purchases_vs_holdout_purchases``.
    """
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(f"`summary` must be a pandas DataFrame, got {type(summary).__name__}.")
    missing = [c for c in (frequency_col, recency_col, T_col) if c not in summary.columns]
    if missing:
        raise KeyError(
            f"columns {missing} not in summary: {list(summary.columns)}; pass the calibration "
            "summary or set `frequency_col` / `recency_col` / `T_col`."
        )
    holdout = np.asarray(holdout_purchases, dtype=float).ravel()
    if holdout.size != len(summary):
        raise ValueError(
            f"`holdout_purchases` has {holdout.size} values for {len(summary)} customers in "
            "`summary`; pass one per customer, in the same order."
        )
    if not np.all(np.isfinite(holdout)) or np.any(holdout < 0):
        raise ValueError("`holdout_purchases` must be finite and >= 0 (repeat purchase counts).")
    if not isinstance(holdout_length, (int, float, np.number)) or not 0 < holdout_length < np.inf:
        raise ValueError(f"`holdout_length` must be a positive number, got {holdout_length!r}.")
    if not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise ValueError(f"`max_frequency` must be an integer >= 1, got {max_frequency!r}.")
    if not isinstance(models, Mapping):
        models = {type(getattr(models, "purchase_model_", models)).__name__: models}
    if not models:
        raise ValueError("`models` is empty; pass at least one fitted model.")
    frequency = summary[frequency_col].to_numpy(dtype=float)
    recency = summary[recency_col].to_numpy(dtype=float)
    T = summary[T_col].to_numpy(dtype=float)
    group = np.minimum(frequency, max_frequency).astype(int)
    groups = np.arange(max_frequency + 1)
    sizes = np.bincount(group, minlength=max_frequency + 1)

    def group_means(values):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.bincount(group, weights=values, minlength=max_frequency + 1) / sizes

    ax = _axes(ax)
    ax.plot(groups, group_means(holdout), color="0.2", marker="o", label="actual")
    for name, model in models.items():
        expected = _btyd_model(model, f"models[{name!r}]").expected_purchases(
            holdout_length, frequency, recency, T
        )
        ax.plot(groups, group_means(expected), marker="s", linestyle="--", label=str(name))
    labels = [str(g) for g in groups[:-1]] + [f"{max_frequency}+"]
    ax.set_xticks(groups, labels)
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("mean repeat purchases in the holdout")
    ax.set_title("calibration vs holdout")
    ax.legend(loc="upper left")
    return ax


def plot_frequency_recency_matrix(
    model,
    T: float,
    *,
    quantity: str = "probability_alive",
    t: float = 1.0,
    max_frequency: int = 20,
    n_recency: int = 40,
    ax=None,
):
    """Heatmap of P(alive) or expected purchases over a frequency x recency grid at fixed ``T``.

    Each cell is a customer with ``frequency`` repeat purchases, the last one ``recency`` after
    the first, observed for ``T``: the lifetimes matrices that show how a frequent buyer who
    has gone quiet is less likely to be alive than a recent one. Cells with ``frequency = 0``
    and ``recency > 0`` are impossible and left blank.

    Parameters
    ----------
    model : BetaGeoMLE, ParetoNBDMLE, ModifiedBetaGeoMLE or a fitted value forecaster
    T : float
        Age of the customers (time since the first purchase) in the model's time unit, > 0.
    quantity : {"probability_alive", "expected_purchases"}, default="probability_alive"
    t : float, default=1.0
        Horizon of ``expected_purchases`` in the model's time unit, > 0.
    max_frequency : int, default=20
        Largest frequency on the grid (rows ``0..max_frequency``).
    n_recency : int, default=40
        Number of recency columns, evenly spaced on ``[0, T]`` (>= 2).
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        With the image (``ax.images[0]``) and a colorbar.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
    customer base analysis. Journal of Marketing Research, 42(4), 415-430.
    Davidson-Pilon, C. lifetimes, ``lifetimes.plotting.plot_probability_alive_matrix`` and
    ``plot_frequency_recency_matrix``.
    """
    purchase_model = _btyd_model(model)
    if quantity not in ("probability_alive", "expected_purchases"):
        raise ValueError(
            f"quantity={quantity!r}; pass 'probability_alive' or 'expected_purchases'."
        )
    if not isinstance(T, (int, float, np.number)) or not 0 < T < np.inf:
        raise ValueError(f"`T` (customer age) must be a positive number, got {T!r}.")
    if not isinstance(t, (int, float, np.number)) or not 0 < t < np.inf:
        raise ValueError(f"`t` (forecast horizon) must be a positive number, got {t!r}.")
    if not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise ValueError(f"`max_frequency` must be an integer >= 1, got {max_frequency!r}.")
    if not isinstance(n_recency, (int, np.integer)) or n_recency < 2:
        raise ValueError(f"`n_recency` must be an integer >= 2, got {n_recency!r}.")
    recency_grid = np.linspace(0.0, float(T), int(n_recency))
    frequency, recency = np.meshgrid(np.arange(max_frequency + 1), recency_grid, indexing="ij")
    possible = (frequency > 0) | (recency == 0)
    f, r = frequency[possible].astype(float), recency[possible]
    ages = np.full(f.shape, float(T))
    if quantity == "probability_alive":
        values = purchase_model.probability_alive(f, r, ages)
        label = "P(alive)"
    else:
        values = purchase_model.expected_purchases(t, f, r, ages)
        label = f"expected purchases in the next {t:g} time units"
    matrix = np.full(frequency.shape, np.nan)
    matrix[possible] = values
    ax = _axes(ax)
    step = recency_grid[1] - recency_grid[0]
    image = ax.imshow(
        np.ma.masked_invalid(matrix),
        origin="lower",
        aspect="auto",
        cmap="viridis",
        extent=(-step / 2, float(T) + step / 2, -0.5, max_frequency + 0.5),
        vmin=0.0,
        vmax=1.0 if quantity == "probability_alive" else None,
    )
    ax.figure.colorbar(image, ax=ax, label=label)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"recency (time from the first to the last purchase; T = {T:g})")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title(f"{label} by frequency and recency")
    return ax


def plot_probability_alive_history(
    model,
    purchase_dates,
    *,
    end,
    time_unit="W",
    ax=None,
):
    """P(alive) of one customer over time, from the first purchase to ``end``.

    Every day the customer's ``frequency, recency, T`` are recomputed from the purchases up to
    that day (same-day purchases merged) and the model's P(alive) is drawn; purchases are
    marked. P(alive) decays while the customer is silent and jumps at each purchase.

    Parameters
    ----------
    model : BetaGeoMLE, ParetoNBDMLE, ModifiedBetaGeoMLE or a fitted value forecaster
        Fitted in ``time_unit``.
    purchase_dates : array-like of dates
        The customer's purchase dates (any order); purchases after ``end`` are ignored.
    end : date-like
        Last day drawn (the end of calibration, or today); not before the first purchase.
    time_unit : {"W", "D", "h"} or Timedelta, default="W"
        The model's time unit.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        The P(alive) line first, then the purchase markers.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.
    Davidson-Pilon, C. lifetimes, ``lifetimes.plotting.plot_history_alive``.
    """
    purchase_model = _btyd_model(model)
    unit, unit_name = _time_unit(time_unit)
    days = np.unique(_dates(purchase_dates, "purchase_dates").to_numpy())
    end = _timestamp(end, "end").floor("D")
    first = days[0]
    if end < first:
        raise ValueError(
            f"`end`={end.date()} is before the first purchase "
            f"{pd.Timestamp(first).date()}; pass an end on or after it."
        )
    days = days[days <= end.to_datetime64()]
    grid = pd.date_range(first, end, freq="D").to_numpy()
    # purchases up to each day: repeat purchases and the last purchase day
    made = np.searchsorted(days, grid, side="right")
    frequency = (made - 1).astype(float)
    last = days[made - 1]
    scale = unit.to_timedelta64()
    recency = (last - first) / scale
    age = (grid - first) / scale
    alive = purchase_model.probability_alive(frequency, recency, age)
    ax = _axes(ax)
    ax.plot(grid, alive, color="tab:blue", label="P(alive)")
    for i, day in enumerate(days):
        ax.axvline(
            day, color="0.4", linestyle=":", linewidth=1, label="purchase" if i == 0 else None
        )
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("date")
    ax.set_ylabel("P(alive)")
    ax.set_title(f"P(alive) history ({len(days)} purchase days; time unit: {unit_name})")
    ax.legend(loc="lower left")
    return ax


# --- figures for the notebooks ---
# Segments (profiles, snake plots), the self-organizing map (U-matrix, component planes),
# fuzzy memberships and membership functions, rough k-means boundaries, ROC curves, GA
# convergence, rules (LEM2 support and confidence, fuzzy rule firing) and value tiers.


def _new_axes(ax, figsize=(6, 4)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def _numeric_matrix(X, argument: str = "X", feature_names=None) -> tuple[np.ndarray, list[str]]:
    """A non-empty, finite float matrix and its column names (from a DataFrame or given)."""
    if isinstance(X, pd.DataFrame):
        bad = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if bad:
            raise ValueError(
                f"`{argument}` has non-numeric columns {bad}; encode or drop them first."
            )
        names = [str(c) for c in X.columns]
        values = X.to_numpy(dtype=np.float64)
    else:
        try:
            values = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"`{argument}` must be numeric: {error}") from error
        if values.ndim != 2:
            raise ValueError(
                f"`{argument}` must be 2-D (customers x features); got {values.ndim}-D."
            )
        names = [f"x{j}" for j in range(values.shape[1])]
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(f"`{argument}` is empty (shape {values.shape}).")
    if not np.all(np.isfinite(values)):
        row, column = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(
            f"`{argument}` has a missing or infinite value (row {row}, column {names[column]!r}); "
            "impute or drop it first."
        )
    if feature_names is not None:
        feature_names = [str(name) for name in feature_names]
        if len(feature_names) != values.shape[1]:
            raise ValueError(
                f"`feature_names` has {len(feature_names)} names but `{argument}` has "
                f"{values.shape[1]} columns."
            )
        names = feature_names
    return values, names


def _labels_for(labels, n_rows: int, argument: str = "labels", rows_of: str = "X"):
    """One label per row, no missing labels: a numpy array or a Categorical (order kept)."""
    if isinstance(labels, pd.Series | pd.Index):
        labels = labels.array
    if not isinstance(labels, pd.Categorical):
        labels = np.asarray(labels)
    if np.ndim(labels) != 1:
        raise ValueError(f"`{argument}` must be 1-D (one label per row); got {np.ndim(labels)}-D.")
    if len(labels) != n_rows:
        raise ValueError(
            f"`{argument}` has {len(labels)} entries but `{rows_of}` has {n_rows} rows; pass one "
            "label per row, in the same order."
        )
    if pd.isna(pd.Series(labels)).any():
        raise ValueError(f"`{argument}` has missing labels; drop or label those rows first.")
    return labels


def _segment_means(X, labels, *, standardize: bool, feature_names=None):
    """(means: segments x features, sizes) of the rows of X grouped by label."""
    values, names = _numeric_matrix(X, "X", feature_names)
    labels = _labels_for(labels, values.shape[0])
    if standardize:
        scale = values.std(axis=0)
        values = np.where(
            scale > 0, (values - values.mean(axis=0)) / np.where(scale > 0, scale, 1.0), 0.0
        )
    frame = pd.DataFrame(values, columns=names)
    grouped = frame.groupby(labels, sort=True, observed=True)
    return grouped.mean(), grouped.size()


def _segment_names(sizes: pd.Series) -> list[str]:
    total = int(sizes.sum())
    return [f"{segment} (n={size}, {size / total:.0%})" for segment, size in sizes.items()]


def plot_segment_profiles(
    X,
    labels,
    *,
    standardize: bool = True,
    kind: str = "heatmap",
    feature_names=None,
    annot: bool = True,
    ax=None,
):
    """Mean of each feature per segment, as a heatmap or grouped bars.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_customers, n_features)
        Numeric features (e.g. the RFM table); column names label the features.
    labels : array-like of shape (n_customers,)
        Segment of each customer (a categorical keeps its order; otherwise sorted).
    standardize : bool, default=True
        z-score every feature over all customers first (mean 0, standard deviation 1;
        constant features become 0), so features in different units share one scale.
    kind : {"heatmap", "bars"}, default="heatmap"
        A segments x features heatmap, or one group of bars per feature.
    feature_names : list of str, optional
        Names of the features; default the DataFrame's columns, else ``x0, x1, ...``.
    annot : bool, default=True
        Write the means in the heatmap cells.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        Segments are labelled ``segment (n=size, share)``; for ``"heatmap"`` the cells
        (``ax.collections[0]``) hold the means row by row, for ``"bars"`` ``ax.containers``
        holds one bar series per segment.
    """
    if kind not in ("heatmap", "bars"):
        raise ValueError(f"`kind`={kind!r} is not one of 'heatmap', 'bars'.")
    means, sizes = _segment_means(X, labels, standardize=standardize, feature_names=feature_names)
    names = _segment_names(sizes)
    what = "z-score (mean 0, sd 1 over all customers)" if standardize else "mean"
    if kind == "heatmap":
        import seaborn as sns

        ax = _new_axes(ax, (1.2 + 1.1 * means.shape[1], 1.0 + 0.5 * means.shape[0]))
        sns.heatmap(
            means.set_axis(names, axis=0),
            ax=ax,
            cmap="RdBu_r" if standardize else "viridis",
            center=0.0 if standardize else None,
            annot=annot,
            fmt=".2f",
            linewidths=0.5,
            cbar_kws={"label": what},
        )
        ax.set_ylabel("segment")
        ax.set_xlabel("feature")
        ax.tick_params(axis="y", rotation=0)
    else:
        ax = _new_axes(ax, (1.5 + 1.2 * means.shape[1], 4))
        n_segments = means.shape[0]
        width = 0.8 / n_segments
        positions = np.arange(means.shape[1])
        for k, (name, row) in enumerate(zip(names, means.to_numpy(), strict=True)):
            ax.bar(positions - 0.4 + (k + 0.5) * width, row, width, label=name)
        ax.set_xticks(positions, list(means.columns))
        ax.axhline(0.0, color="0.3", linewidth=0.8)
        ax.set_ylabel(what)
        ax.legend(title="segment", fontsize="small")
    ax.set_title(f"segment profiles ({len(names)} segments, {int(sizes.sum())} customers)")
    return ax


def plot_snake(X, labels, *, feature_names=None, ax=None):
    """Snake plot: z-scored feature means of each segment as one line.

    Every feature is standardised over all customers (mean 0, sd 1), so a segment's line
    shows in standard deviations how far it sits above or below the average customer on each
    feature.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_customers, n_features)
        Numeric features; column names label the x axis.
    labels : array-like of shape (n_customers,)
        Segment of each customer.
    feature_names : list of str, optional
        Names of the features.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        One line per segment (``ax.lines[:n_segments]``, labelled ``segment (n=size,
        share)``), then the zero line.
    """
    means, sizes = _segment_means(X, labels, standardize=True, feature_names=feature_names)
    ax = _new_axes(ax, (1.5 + 1.2 * means.shape[1], 4))
    positions = np.arange(means.shape[1])
    for name, row in zip(_segment_names(sizes), means.to_numpy(), strict=True):
        ax.plot(positions, row, marker="o", label=name)
    ax.axhline(0.0, color="0.3", linestyle=":", linewidth=1)
    ax.set_xticks(positions, list(means.columns))
    ax.set_ylabel("mean z-score (sd from the average customer)")
    ax.set_xlabel("feature")
    ax.set_title("snake plot")
    ax.legend(title="segment", fontsize="small")
    return ax


def _fitted_som(som):
    """The fitted SelfOrganizingMap of a SelfOrganizingMap or SOMClustering."""
    from sklearn.utils.validation import check_is_fitted

    if hasattr(som, "codebook_clustering"):  # a SOMClustering: draw its map
        check_is_fitted(som, "som_")
        som = som.som_
    if not callable(getattr(som, "u_matrix", None)) or not hasattr(som, "topology"):
        raise TypeError(
            "`som` must be a SelfOrganizingMap or SOMClustering from ecrm_methods.neural; got "
            f"{type(som).__name__}."
        )
    check_is_fitted(som, "weights_")
    return som


def _draw_som_grid(ax, som, values, *, cmap, label):
    """Colour each map unit (a square or a hexagon at its grid position) by ``values``."""
    from matplotlib.collections import PolyCollection

    if som.topology == "hexagonal":  # pointy-top hexagons 1 apart in a row
        angles = np.deg2rad(90.0 + 60.0 * np.arange(6))
        shape = np.column_stack([np.cos(angles), np.sin(angles)]) / np.sqrt(3)
    else:
        shape = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    centres = som.unit_positions_[:, ::-1]  # x = column, y = row
    cells = PolyCollection(
        centres[:, None, :] + shape[None, :, :],
        array=np.asarray(values, dtype=np.float64).ravel(),
        cmap=cmap,
        edgecolors="white",
        linewidths=0.5,
    )
    ax.add_collection(cells)
    low, high = centres.min(axis=0) - 0.7, centres.max(axis=0) + 0.7
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(high[1], low[1])  # row 0 at the top
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.figure.colorbar(cells, ax=ax, label=label, shrink=0.8)
    return cells, centres


def plot_som_umatrix(som, X=None, *, cmap="bone_r", ax=None):
    """U-matrix of a self-organizing map: mean codebook distance of each unit to its neighbours.

    Light cells are units close to their neighbours (inside a group of similar customers),
    dark cells are borders between groups.

    Parameters
    ----------
    som : SelfOrganizingMap or SOMClustering
        Fitted; the map of a SOMClustering is drawn (``som.som_``).
    X : array-like of shape (n_customers, n_features), optional
        When given, each unit shows how many of these customers it wins (empty units stay
        blank).
    cmap : str, default="bone_r"
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        ``ax.collections[0]`` holds one cell per unit (row-major) coloured by
        ``som.u_matrix()``; with ``X``, one text per unit with hits.
    """
    som = _fitted_som(som)
    ax = _new_axes(ax, (1.5 + 0.45 * som.n_cols, 0.5 + 0.45 * som.n_rows))
    u_matrix = som.u_matrix()
    _, centres = _draw_som_grid(ax, som, u_matrix, cmap=cmap, label="mean distance to neighbours")
    if X is not None:
        hits = np.bincount(som.predict(X), minlength=som.n_rows * som.n_cols)
        for (x, y), count in zip(centres, hits, strict=True):
            if count > 0:
                ax.text(
                    x, y, str(count), ha="center", va="center", fontsize="x-small", color="tab:red"
                )
    ax.set_title(f"SOM U-matrix ({som.n_rows} x {som.n_cols}, {som.topology})")
    return ax


def plot_som_component_planes(som, feature_names=None, *, ncols=4, cmap="coolwarm"):
    """Component planes: one map per feature, each unit coloured by its codebook value.

    Comparing planes shows which features move together over the map (similar patterns) and
    what characterises each region of the U-matrix.

    Parameters
    ----------
    som : SelfOrganizingMap or SOMClustering
        Fitted.
    feature_names : list of str, optional
        One name per feature; default the names seen in ``fit``, else ``x0, x1, ...``.
    ncols : int, default=4
        Panels per row.
    cmap : str, default="coolwarm"

    Returns
    -------
    fig : matplotlib Figure
        One visible panel per feature (titled by its name) whose ``collections[0]`` holds
        ``som.weights_[:, :, j]`` row by row; unused panels are hidden.
    """
    import matplotlib.pyplot as plt

    som = _fitted_som(som)
    n_features = som.weights_.shape[2]
    if feature_names is None:
        names = getattr(som, "feature_names_in_", None)
        names = [f"x{j}" for j in range(n_features)] if names is None else list(names)
    else:
        names = [str(name) for name in feature_names]
        if len(names) != n_features:
            raise ValueError(
                f"`feature_names` has {len(names)} names but the map has {n_features} features."
            )
    if not isinstance(ncols, int | np.integer) or ncols < 1:
        raise ValueError(f"`ncols`={ncols!r} must be a positive integer.")
    ncols = min(int(ncols), n_features)
    nrows = int(np.ceil(n_features / ncols))
    width = 1.0 + 0.3 * som.n_cols
    height = 0.6 + 0.3 * som.n_rows
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    for j, (ax, name) in enumerate(zip(axes.ravel(), names, strict=False)):
        _draw_som_grid(ax, som, som.weights_[:, :, j], cmap=cmap, label="")
        ax.set_title(str(name))
    for ax in axes.ravel()[n_features:]:
        ax.set_visible(False)
    fig.suptitle("SOM component planes (codebook value of each feature)")
    fig.tight_layout()
    return fig


def _membership_matrix(model, X):
    """Memberships (n, c), their cluster names, from a fitted model or an array."""
    if isinstance(model, np.ndarray | pd.DataFrame | list):
        values, names = _numeric_matrix(model, "model")
        if isinstance(model, pd.DataFrame):
            names = [str(c) for c in model.columns]
        else:
            names = [f"cluster {k}" for k in range(values.shape[1])]
    else:
        from sklearn.utils.validation import check_is_fitted

        if not (
            callable(getattr(model, "predict_membership", None)) or hasattr(model, "membership_")
        ):
            raise TypeError(
                "`model` must be a fitted FuzzyCMeans (or a model with predict_membership, or an "
                f"array of memberships); got {type(model).__name__}."
            )
        if hasattr(model, "fit"):
            check_is_fitted(model)
        if X is not None:
            if not callable(getattr(model, "predict_membership", None)):
                raise TypeError(f"{type(model).__name__} has no predict_membership; omit `X`.")
            values = np.asarray(model.predict_membership(X), dtype=np.float64)
        elif hasattr(model, "membership_"):
            values = np.asarray(model.membership_, dtype=np.float64)
        else:
            raise ValueError(
                f"{type(model).__name__} keeps no training memberships; pass the customers as `X`."
            )
        names = getattr(model, "tier_names_", None)
        names = [f"cluster {k}" for k in range(values.shape[1])] if names is None else list(names)
    if values.ndim != 2 or values.shape[0] == 0:
        raise ValueError(
            f"the memberships must be a non-empty 2-D array; got shape {values.shape}."
        )
    if not np.all(np.isfinite(values)) or values.min() < -1e-9 or values.max() > 1 + 1e-9:
        raise ValueError("memberships must be finite and in [0, 1].")
    return np.clip(values, 0.0, 1.0), names


def plot_fuzzy_memberships(model, X=None, *, kind="hist", bins=20, ax=None):
    """How crisp a fuzzy segmentation is: the distribution of the customers' memberships.

    Parameters
    ----------
    model : FuzzyCMeans, FuzzyValueTierRegressor or array-like of shape (n_customers, n_clusters)
        A fitted model with ``membership_`` or ``predict_membership`` (tier names of a
        FuzzyValueTierRegressor label the clusters), or the memberships themselves
        (DataFrame columns name the clusters).
    X : array-like of shape (n_customers, n_features), optional
        Customers to score with ``model.predict_membership``; default the training
        memberships ``model.membership_``.
    kind : {"hist", "stacked"}, default="hist"
        ``"hist"``: histogram of each customer's highest membership, stacked by the cluster
        it belongs to most (near 1: a clear member; near 1/c: between clusters).
        ``"stacked"``: every customer's memberships as a stacked area, customers sorted by
        cluster and then by decreasing highest membership.
    bins : int, default=20
        Histogram bins between 1/c and 1.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        ``"hist"``: ``ax.containers`` holds one bar series per cluster (counts of its
        customers per bin); ``"stacked"``: ``ax.collections`` holds one area per cluster.
    """
    if kind not in ("hist", "stacked"):
        raise ValueError(f"`kind`={kind!r} is not one of 'hist', 'stacked'.")
    if not isinstance(bins, int | np.integer) or bins < 1:
        raise ValueError(f"`bins`={bins!r} must be a positive integer.")
    memberships, names = _membership_matrix(model, X)
    n_rows, n_clusters = memberships.shape
    highest = memberships.max(axis=1)
    label = memberships.argmax(axis=1)
    counts = np.bincount(label, minlength=n_clusters)
    legend = [f"{name} (n={count})" for name, count in zip(names, counts, strict=True)]
    ax = _new_axes(ax)
    if kind == "hist":
        low = 1.0 / n_clusters if n_clusters > 1 else 0.0
        edges = np.linspace(low, 1.0, int(bins) + 1)
        ax.hist(
            [highest[label == k] for k in range(n_clusters)],
            bins=edges,
            stacked=True,
            label=legend,
        )
        ax.set_xlabel("highest membership of the customer")
        ax.set_ylabel("customers")
        ax.set_title(f"fuzzy memberships (mean highest membership {highest.mean():.2f})")
    else:
        order = np.lexsort((-highest, label))
        ax.stackplot(np.arange(n_rows), memberships[order].T, labels=legend)
        ax.set_xlim(0, max(n_rows - 1, 1))
        ax.set_ylim(0, 1)
        ax.set_xlabel("customers (sorted by cluster, then by highest membership)")
        ax.set_ylabel("membership")
        ax.set_title("fuzzy memberships of every customer")
    ax.legend(title="cluster of highest membership", fontsize="small")
    return ax


def plot_membership_functions(model, variables=None, *, ncols=3):
    """Membership functions of the linguistic terms (low, medium, high, ...) of a fuzzy model.

    Delegates to the model's own plot: ``plot_membership_functions`` of the Mamdani
    FuzzyRuleClassifier / FuzzyRuleRegressor (also the tuned rule base of a
    GAFuzzyRuleTuner) and ``plot_memberships`` of the TSKFuzzyClassifier /
    TSKFuzzyRegressor; a FuzzyRFMScorer's terms on the percentile scale of recency,
    frequency and monetary value are drawn here.

    Parameters
    ----------
    model : fitted fuzzy model (see above)
    variables : list of str, optional
        Variables (inputs, the output of a Mamdani system, or RFM roles) to show; default the
        model's choice (all, or the inputs the TSK rules use).
    ncols : int, default=3
        Panels per row.

    Returns
    -------
    fig : matplotlib Figure
        One panel per variable, one curve per term.
    """
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(ncols, int | np.integer) or ncols < 1:
        raise ValueError(f"`ncols`={ncols!r} must be a positive integer.")
    if hasattr(model, "fit"):
        check_is_fitted(model)
    if callable(getattr(model, "plot_memberships", None)):
        return model.plot_memberships(variables, ncols=ncols)
    inner = getattr(model, "best_estimator_", model)
    if callable(getattr(inner, "plot_membership_functions", None)):
        return inner.plot_membership_functions(variables, ncols=ncols)
    functions = getattr(model, "membership_functions_", None)
    universe = getattr(model, "universe_", None)
    if not isinstance(functions, dict) or universe is None:
        raise TypeError(
            "`model` must be a fitted FuzzyRuleClassifier, FuzzyRuleRegressor, GAFuzzyRuleTuner, "
            f"TSKFuzzyClassifier, TSKFuzzyRegressor or FuzzyRFMScorer; got {type(model).__name__}."
        )
    import matplotlib.pyplot as plt

    available = list(functions)
    variables = available if variables is None else list(variables)
    for name in variables:
        if name not in available:
            raise ValueError(f"variable {name!r} is unknown; choose from {available}.")
    if not variables:
        raise ValueError("`variables` is empty; name at least one variable.")
    ncols = min(int(ncols), len(variables))
    nrows = int(np.ceil(len(variables) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 2.6 * nrows), squeeze=False)
    for ax, name in zip(axes.ravel(), variables, strict=False):
        for term, curve in functions[name].items():
            ax.plot(universe, curve, label=term)
        ax.set_title(f"{name} (percentile)")
        ax.set_ylim(-0.02, 1.05)
        ax.legend(fontsize="small")
    for ax in axes.ravel()[len(variables) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def _column_index(features, names: list[str]) -> list[int]:
    features = list(features) if not isinstance(features, str) else [features]
    if len(features) != 2:
        raise ValueError(f"`features` must name 2 columns; got {features!r}.")
    index = []
    for feature in features:
        if isinstance(feature, int | np.integer) and not isinstance(feature, bool):
            if not 0 <= feature < len(names):
                raise ValueError(
                    f"`features` column {feature} is out of range 0..{len(names) - 1}."
                )
            index.append(int(feature))
        elif str(feature) in names:
            index.append(names.index(str(feature)))
        else:
            raise ValueError(f"`features` names {feature!r}, which is not a column of X: {names}.")
    if index[0] == index[1]:
        raise ValueError(f"`features` names the same column twice: {features!r}.")
    return index


def plot_rough_boundary(model, X, *, features=(0, 1), ax=None):
    """Rough k-means on two features: certain members of each cluster and boundary customers.

    Customers in the lower approximation of one cluster (surely its members) take that
    cluster's colour; boundary customers (in the upper approximations of several clusters,
    so the data cannot decide between them) are grey crosses; centers are black stars.

    Parameters
    ----------
    model : RoughKMeans or GARoughKMeansTuner
        Fitted; the tuner's best estimator is drawn.
    X : DataFrame or array-like of shape (n_customers, n_features)
        Customers, with the columns the model was fitted on; their regions are recomputed
        with ``model.predict_upper``.
    features : pair of int or str, default=(0, 1)
        The two columns of ``X`` on the axes (positions, or names for a DataFrame).
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        ``ax.collections``: one scatter per cluster (its certain members), the boundary
        customers, then the centers.
    """
    from sklearn.utils.validation import check_is_fitted

    model = getattr(model, "best_estimator_", model)
    if not callable(getattr(model, "predict_upper", None)):
        raise TypeError(
            "`model` must be a fitted RoughKMeans or GARoughKMeansTuner; got "
            f"{type(model).__name__}."
        )
    check_is_fitted(model, "cluster_centers_")
    values, names = _numeric_matrix(X, "X")
    columns = _column_index(features, names)
    upper = np.asarray(model.predict_upper(X), dtype=bool)
    boundary = upper.sum(axis=1) > 1
    ax = _new_axes(ax)
    for k in range(upper.shape[1]):
        certain = upper[:, k] & ~boundary
        ax.scatter(
            values[certain, columns[0]],
            values[certain, columns[1]],
            s=12,
            alpha=0.7,
            label=f"cluster {k}: certain (n={int(certain.sum())})",
        )
    ax.scatter(
        values[boundary, columns[0]],
        values[boundary, columns[1]],
        s=18,
        marker="x",
        color="0.45",
        label=f"boundary (n={int(boundary.sum())})",
    )
    centers = np.asarray(model.cluster_centers_)
    ax.scatter(
        centers[:, columns[0]],
        centers[:, columns[1]],
        s=160,
        marker="*",
        color="black",
        edgecolors="white",
        label="centers",
    )
    ax.set_xlabel(names[columns[0]])
    ax.set_ylabel(names[columns[1]])
    ax.set_title(f"rough k-means: {boundary.mean():.0%} of customers in the boundary")
    ax.legend(fontsize="small")
    return ax


def plot_roc_curves(y_true, scores_by_method, *, pos_label=None, ax=None):
    """ROC curves of several methods on one test set, with each method's ROC-AUC in the legend.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True classes; exactly two distinct values.
    scores_by_method : dict of str to array-like of shape (n_samples,)
        Score of the positive class per method (a probability or any score where higher
        means more likely positive, e.g. ``model.predict_proba(X)[:, 1]``).
    pos_label : label, optional
        The positive class; default the larger of the two classes (1 of 0/1).
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        One line per method, labelled ``method (AUC = 0.853)``, then the chance diagonal.
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    y = np.asarray(y_true)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"`y_true` must be a non-empty 1-D array; got shape {y.shape}.")
    if pd.isna(pd.Series(y)).any():
        raise ValueError("`y_true` has missing values.")
    classes = np.unique(y)
    if classes.size != 2:
        raise ValueError(
            f"`y_true` must hold exactly two classes for a ROC curve; got {classes.size}: "
            f"{classes.tolist()[:5]}."
        )
    if pos_label is None:
        pos_label = classes[-1]
    elif pos_label not in classes.tolist():
        raise ValueError(f"`pos_label`={pos_label!r} is not a class of y_true {classes.tolist()}.")
    positive = y == pos_label
    if not isinstance(scores_by_method, Mapping) or not scores_by_method:
        raise ValueError(
            "`scores_by_method` must be a non-empty dict {method name: scores of the positive "
            "class}."
        )
    ax = _new_axes(ax, (5, 5))
    for name, scores in scores_by_method.items():
        scores = np.asarray(scores, dtype=np.float64)
        if scores.shape != y.shape:
            raise ValueError(
                f"`scores_by_method[{name!r}]` has shape {scores.shape} but y_true has {y.shape}; "
                "pass one score per sample (for predict_proba, the positive-class column)."
            )
        if not np.all(np.isfinite(scores)):
            raise ValueError(f"`scores_by_method[{name!r}]` has missing or infinite scores.")
        fpr, tpr, _ = roc_curve(positive, scores)
        auc = roc_auc_score(positive, scores)
        ax.plot(fpr, tpr, label=f"{name} (AUC = {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="chance (AUC = 0.5)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(f"ROC curves ({int(positive.sum())} positives of {y.size})")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_ga_convergence(logbook, *, fitness_label="fitness", ax=None):
    """Convergence of a genetic algorithm: best fitness so far and population mean per generation.

    Parameters
    ----------
    logbook : DataFrame or fitted GA estimator
        The ``logbook_frame()`` of a GA estimator (columns ``gen, nevals, min, mean, max,
        best``; fitness is maximised), or the estimator itself.
    fitness_label : str, default="fitness"
        Name of the fitness on the y axis (e.g. ``"CV ROC-AUC"`` or ``"-Davies-Bouldin"``).
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        ``ax.lines[0]``: best so far, ``ax.lines[1]``: population mean; the band between the
        population's min and max is ``ax.collections[0]`` when those columns are there.
    """
    if callable(getattr(logbook, "logbook_frame", None)):
        logbook = logbook.logbook_frame()
    if not isinstance(logbook, pd.DataFrame):
        raise TypeError(
            "`logbook` must be a GA's logbook_frame() (a DataFrame) or the GA estimator; got "
            f"{type(logbook).__name__}."
        )
    missing = [column for column in ("gen", "mean", "best") if column not in logbook.columns]
    if missing:
        raise ValueError(
            f"`logbook` lacks the columns {missing}; pass the frame of logbook_frame() (columns "
            "gen, nevals, min, mean, max, best)."
        )
    if logbook.empty:
        raise ValueError("`logbook` is empty: the GA recorded no generation.")

    def finite(column):
        values = pd.to_numeric(logbook[column], errors="coerce").to_numpy(dtype=np.float64)
        return np.where(np.isfinite(values), values, np.nan)

    generation, best = finite("gen"), finite("best")
    if np.isnan(generation).any() or np.isnan(best).all():
        raise ValueError("`logbook` needs a number in every 'gen' row and a finite 'best'.")
    ax = _new_axes(ax)
    ax.plot(generation, best, color="tab:red", linewidth=2, label="best so far")
    ax.plot(generation, finite("mean"), color="tab:blue", linestyle="--", label="population mean")
    if {"min", "max"} <= set(logbook.columns):
        ax.fill_between(
            generation,
            finite("min"),
            finite("max"),
            color="tab:blue",
            alpha=0.15,
            label="population min-max",
        )
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("generation")
    ax.set_ylabel(f"{fitness_label} (higher is better)")
    ax.set_title(f"GA convergence: best {np.nanmax(best):.4g} after {len(logbook)} generations")
    ax.legend(fontsize="small")
    return ax


def _shorten(text: str, limit: int) -> str:
    """Cut the middle of a long label, keeping its start and its end (a rule's conclusion)."""
    text = str(text)
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "\u2026" + text[len(text) - (limit - 1 - head) :]


def plot_rule_support(rules, *, top=15, max_label_chars=70, ax=None):
    """Support and confidence of the strongest rules (LEM2 / rough-set rules) as bars.

    Parameters
    ----------
    rules : DataFrame or fitted rule model
        ``LEM2Classifier.rules_frame()`` / ``ValueTierRuleRegressor.rules_frame()`` (columns
        ``support``, ``confidence`` and ``conditions`` + ``decision`` or ``rule``; a ``type``
        column colours certain and possible rules), or the model itself.
    top : int, default=15
        Rules shown: those with the highest support.
    max_label_chars : int, default=70
        Rule labels longer than this are cut.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        ``ax.containers[0]``: one horizontal bar per rule, its width the support, highest at
        the top, each labelled with the rule's confidence.
    """
    if callable(getattr(rules, "rules_frame", None)):
        rules = rules.rules_frame()
    if not isinstance(rules, pd.DataFrame):
        raise TypeError(
            f"`rules` must be a rules_frame() DataFrame or a rule model; got {type(rules).__name__}."
        )
    missing = [column for column in ("support", "confidence") if column not in rules.columns]
    if "rule" not in rules.columns and "conditions" not in rules.columns:
        missing.append("rule or conditions")
    if missing:
        raise ValueError(f"`rules` lacks the columns {missing}; pass LEM2Classifier.rules_frame().")
    if rules.empty:
        raise ValueError("`rules` is empty: the model learned no rule.")
    if not isinstance(top, int | np.integer) or top < 1:
        raise ValueError(f"`top`={top!r} must be a positive integer.")
    shown = rules.sort_values("support", ascending=False, kind="stable").head(int(top))
    if "conditions" in shown.columns and "decision" in shown.columns:
        text = [
            f"{c} \u2192 {d}" for c, d in zip(shown["conditions"], shown["decision"], strict=True)
        ]
    else:
        text = [str(r).split(" | ")[0] for r in shown.get("rule", shown.get("conditions"))]
    labels = [_shorten(t, max_label_chars) for t in text]
    palette = {"certain": "tab:blue", "possible": "tab:orange"}
    kinds = shown["type"].astype(str).tolist() if "type" in shown.columns else ["rule"] * len(shown)
    colors = [palette.get(kind, "tab:grey") for kind in kinds]
    ax = _new_axes(ax, (8, 0.9 + 0.35 * len(shown)))
    positions = np.arange(len(shown))[::-1]
    bars = ax.barh(positions, shown["support"].to_numpy(dtype=np.float64), color=colors)
    ax.bar_label(
        bars, labels=[f"conf {c:.2f}" for c in shown["confidence"]], padding=3, fontsize="small"
    )
    ax.set_yticks(positions, labels, fontsize="small")
    ax.set_xlabel("support (training customers of the decision the rule covers)")
    ax.margins(x=0.15)
    if "type" in shown.columns:
        from matplotlib.patches import Patch

        present = list(dict.fromkeys(kinds))
        ax.legend(
            [Patch(color=palette.get(kind, "tab:grey")) for kind in present],
            [f"{kind} rule" for kind in present],
            loc="lower right",
            fontsize="small",
        )
    ax.set_title(f"top {len(shown)} of {len(rules)} rules by support")
    return ax


def plot_rule_firing(model, X=None, *, top=10, max_customers=60, max_label_chars=60, ax=None):
    """Firing strength of the fuzzy rules for a few customers, as a rules x customers heatmap.

    Shows which rules speak for each customer (and so explains its prediction).

    Parameters
    ----------
    model : fitted fuzzy rule model or DataFrame
        A FuzzyRuleClassifier / FuzzyRuleRegressor, GAFuzzyRuleTuner or TSKFuzzyClassifier /
        TSKFuzzyRegressor (their ``rule_firing_strengths(X)`` is drawn), or such a firing
        table itself (customers x rules, columns naming the rules).
    X : DataFrame or array-like of shape (n_customers, n_features), optional
        The customers (required with a model); the DataFrame's index labels them.
    top : int, default=10
        Rules shown: those with the highest mean firing over these customers.
    max_customers : int, default=60
        Refuse more customers than this (the heatmap would be unreadable); pass a sample.
    max_label_chars : int, default=60
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        ``ax.collections[0]`` holds the firing strengths, rules as rows (strongest first),
        customers as columns.
    """
    if isinstance(model, pd.DataFrame):
        firing = model
    else:
        inner = model
        if not callable(getattr(model, "rule_firing_strengths", None)):
            inner = getattr(model, "best_estimator_", None)
        if not callable(getattr(inner, "rule_firing_strengths", None)):
            raise TypeError(
                "`model` must be a fitted fuzzy rule model with rule_firing_strengths "
                "(FuzzyRuleClassifier, GAFuzzyRuleTuner, TSKFuzzyClassifier, ...) or a firing "
                f"DataFrame; got {type(model).__name__}."
            )
        if X is None:
            raise ValueError("`X` is required with a model: pass the customers to explain.")
        if inner is not model and not isinstance(X, pd.DataFrame):
            names = getattr(inner, "feature_names_in_", None)
            if names is not None:
                X = pd.DataFrame(np.asarray(X, dtype=np.float64), columns=list(names))
        firing = inner.rule_firing_strengths(X)
    if firing.shape[0] == 0 or firing.shape[1] == 0:
        raise ValueError(f"the firing table is empty (shape {firing.shape}).")
    if firing.shape[0] > max_customers:
        raise ValueError(
            f"{firing.shape[0]} customers is more than `max_customers`={max_customers}; pass a "
            "sample (e.g. X.sample(20, random_state=0)) or raise max_customers."
        )
    if not isinstance(top, int | np.integer) or top < 1:
        raise ValueError(f"`top`={top!r} must be a positive integer.")
    import seaborn as sns

    order = np.argsort(-firing.mean(axis=0).to_numpy(), kind="stable")[: int(top)]
    shown = firing.iloc[:, order].T
    shown.index = [_shorten(name, max_label_chars) for name in shown.index]
    ax = _new_axes(ax, (4.0 + 0.5 * shown.shape[1], 1.0 + 0.4 * shown.shape[0]))
    sns.heatmap(
        shown,
        ax=ax,
        vmin=0.0,
        vmax=1.0,
        cmap="Greens",
        annot=shown.shape[1] <= 15,
        fmt=".2f",
        linewidths=0.5,
        cbar_kws={"label": "firing strength"},
    )
    ax.set_xlabel("customer")
    ax.set_ylabel("rule")
    ax.set_title(f"rule firing ({shown.shape[0]} of {firing.shape[1]} rules)")
    return ax


def plot_value_tiers(tiers, value, *, value_label="revenue", ax=None):
    """Share of customers and share of value in each value tier, side by side.

    With ``features.value_tiers`` labels this shows the 80/20 rule per tier: a small
    "mature" (or "golden") tier bringing most of the revenue.

    Parameters
    ----------
    tiers : array-like of shape (n_customers,)
        Tier of each customer (a categorical keeps its order, e.g. mature, growth,
        exploration); no missing labels.
    value : array-like of shape (n_customers,)
        Value per customer (revenue, holdout spend, profit); non-negative, not all zero.
    value_label : str, default="revenue"
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        ``ax.containers[0]``: share of customers per tier, ``ax.containers[1]``: share of
        value, each bar labelled with its percentage.
    """
    value = np.asarray(value, dtype=np.float64)
    if value.ndim != 1 or value.size == 0:
        raise ValueError(f"`value` must be a non-empty 1-D array; got shape {value.shape}.")
    if not np.all(np.isfinite(value)):
        raise ValueError("`value` has missing or infinite values.")
    if value.min() < 0:
        raise ValueError("`value` has negative values; shares of value need non-negative values.")
    if value.sum() <= 0:
        raise ValueError("`value` sums to zero; there is no value to share.")
    tiers = _labels_for(tiers, value.size, argument="tiers", rows_of="value")
    grouped = pd.Series(value).groupby(tiers, sort=True, observed=True)
    customers = grouped.size() / value.size
    shares = grouped.sum() / value.sum()
    ax = _new_axes(ax)
    positions = np.arange(len(customers))
    for offset, series, label in (
        (-0.2, customers, "share of customers"),
        (0.2, shares, f"share of {value_label}"),
    ):
        bars = ax.bar(positions + offset, series.to_numpy(), 0.4, label=label)
        ax.bar_label(bars, labels=[f"{share:.0%}" for share in series], fontsize="small")
    ax.set_xticks(positions, [str(tier) for tier in customers.index])
    ax.set_ylim(0, max(customers.max(), shares.max()) * 1.15)
    ax.set_xlabel("value tier")
    ax.set_ylabel("share")
    ax.set_title(f"customers and {value_label} by value tier")
    ax.legend(fontsize="small")
    return ax


#: One colour per method family in the comparison figures.
FAMILY_COLORS = {
    "baseline": "#7f7f7f",
    "neural": "#1f77b4",
    "genetic": "#2ca02c",
    "rough_sets": "#d62728",
    "fuzzy": "#9467bd",
}


def _family_handles(families) -> list:
    """Legend markers of the families present, in :data:`FAMILY_COLORS` order."""
    from matplotlib.lines import Line2D

    present = set(families)
    return [
        Line2D([], [], marker="o", linestyle="", color=color, label=family)
        for family, color in FAMILY_COLORS.items()
        if family in present
    ]


def _check_summary(summary, needed: tuple[str, ...], function: str) -> pd.DataFrame:
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(f"{function}: `summary` must be a pandas DataFrame, got {type(summary)}.")
    missing = [c for c in needed if c not in summary.columns]
    if missing:
        raise ValueError(
            f"{function}: `summary` lacks the column(s) {missing}; pass the frame "
            "ecrm_methods.benchmark.published.headline_summary returns."
        )
    if summary.empty:
        raise ValueError(f"{function}: `summary` has no rows.")
    return summary


def plot_headline(summary):
    """One problem's headline metric per method, one panel per dataset, with intervals.

    Parameters
    ----------
    summary : pandas.DataFrame
        Rows of one problem from
        :func:`ecrm_methods.benchmark.published.headline_summary` (columns problem, dataset,
        split, metric, method, family, mean, ci_low, ci_high).

    Returns
    -------
    fig : matplotlib Figure
        One Axes per dataset; methods ordered best first, coloured by family, the interval
        drawn where the headline split has one.
    """
    import matplotlib.pyplot as plt

    needed = (
        "problem",
        "dataset",
        "split",
        "metric",
        "method",
        "family",
        "mean",
        "ci_low",
        "ci_high",
    )
    summary = _check_summary(summary, needed, "plot_headline")
    if summary["problem"].nunique() != 1:
        raise ValueError(
            "plot_headline: `summary` must hold one problem; got "
            f"{sorted(summary['problem'].unique())}."
        )
    from ecrm_methods.evaluation import HIGHER_IS_BETTER

    datasets = list(dict.fromkeys(summary["dataset"]))
    n_methods = summary.groupby("dataset")["method"].nunique().max()
    fig, axes = plt.subplots(
        1,
        len(datasets),
        figsize=(3.6 * len(datasets) + 1.2, 0.32 * n_methods + 1.3),
        squeeze=False,
    )
    for ax, dataset in zip(axes[0], datasets, strict=True):
        rows = summary[summary["dataset"] == dataset]
        metric = rows["metric"].iloc[0]
        higher = HIGHER_IS_BETTER.get(metric, True)
        rows = rows.sort_values("mean", ascending=higher, na_position="first")
        y = np.arange(len(rows))
        colors = [FAMILY_COLORS.get(f, "black") for f in rows["family"]]
        low = (rows["mean"] - rows["ci_low"]).to_numpy(dtype=float)
        high = (rows["ci_high"] - rows["mean"]).to_numpy(dtype=float)
        finite = np.isfinite(low) & np.isfinite(high)
        ax.errorbar(
            rows["mean"].to_numpy()[finite],
            y[finite],
            xerr=[low[finite], high[finite]],
            fmt="none",
            ecolor="0.6",
            capsize=2,
        )
        ax.scatter(rows["mean"], y, c=colors, zorder=3, s=22)
        ax.set_yticks(y, rows["method"].tolist(), fontsize="small")
        ax.set_title(f"{dataset} ({rows['split'].iloc[0]})", fontsize="medium")
        ax.set_xlabel(f"{metric} ({'higher' if higher else 'lower'} is better)", fontsize="small")
        ax.grid(axis="x", alpha=0.3)
    handles = _family_handles(summary["family"])
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize="small",
        frameon=False,
        bbox_to_anchor=(0.5, -0.02),
    )
    fig.suptitle(f"{summary['problem'].iloc[0]}: headline metric by method", y=1.0)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def plot_quality_vs_time(summary, *, ax=None):
    """Headline quality against mean fit time per task, one point per (method, dataset).

    Parameters
    ----------
    summary : pandas.DataFrame
        Rows of one problem with columns method, family, dataset, mean (the headline metric)
        and fit_seconds (mean seconds per task).
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        Log-scaled time axis; each point labelled with its method.
    """
    summary = _check_summary(
        summary,
        ("method", "family", "dataset", "metric", "mean", "fit_seconds"),
        "plot_quality_vs_time",
    )
    ax = _new_axes(ax, figsize=(6, 4.5))
    markers = dict(zip(dict.fromkeys(summary["dataset"]), "osD^vP*X", strict=False))
    for row in summary.itertuples():
        ax.scatter(
            max(float(row.fit_seconds), 1e-3),
            row.mean,
            color=FAMILY_COLORS.get(row.family, "black"),
            marker=markers.get(row.dataset, "o"),
            s=30,
            zorder=3,
        )
        ax.annotate(
            row.method,
            (max(float(row.fit_seconds), 1e-3), row.mean),
            fontsize=6,
            xytext=(3, 2),
            textcoords="offset points",
        )
    ax.set_xscale("log")
    ax.set_xlabel("seconds per fit (log scale)")
    ax.set_ylabel(str(summary["metric"].iloc[0]))
    from matplotlib.lines import Line2D

    handles = _family_handles(summary["family"]) + [
        Line2D([], [], marker=marker, linestyle="", color="black", label=dataset)
        for dataset, marker in markers.items()
    ]
    ax.legend(handles=handles, fontsize="x-small", loc="best")
    ax.grid(alpha=0.3)
    return ax
