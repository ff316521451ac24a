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
    "plot_calibration_vs_holdout",
    "plot_critical_difference",
    "plot_frequency_recency_matrix",
    "plot_pareto",
    "plot_probability_alive_history",
    "plot_tracking",
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
