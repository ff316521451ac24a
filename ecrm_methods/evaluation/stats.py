"""Summaries, leaderboards and statistical comparison of methods over a tidy results table.

The table has one row per (problem, dataset, method, seed, fold, metric), with the columns
:data:`RESULT_COLUMNS` (``problem, dataset, method, family, seed, fold, metric, value,
fit_seconds``). :func:`summarize` gives the mean and t-interval of every metric,
:func:`leaderboard_markdown` the per-metric leaderboards (directions from
:data:`~ecrm_methods.evaluation.metrics.HIGHER_IS_BETTER`) and :func:`compare_methods` the
Friedman / Nemenyi (or ANOVA / Tukey HSD) comparison of ``autorank``.

See Also
--------
ecrm_methods.evaluation.metrics : the metrics the table holds.
ecrm_methods.plotting.plot_critical_difference : the diagram of a :func:`compare_methods`
    result.

Examples
--------
>>> import pandas as pd
>>> from ecrm_methods.evaluation.stats import summarize
>>> results = pd.DataFrame({"problem": "churn", "dataset": "d", "method": "m",
...                         "metric": "roc_auc", "value": [0.6, 0.8, 1.0]})
>>> summarize(results)[["method", "metric", "mean", "n"]]
  method   metric  mean  n
0      m  roc_auc   0.8  3
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ecrm_methods.evaluation.metrics import HIGHER_IS_BETTER

__all__ = [
    "RESULT_COLUMNS",
    "compare_methods",
    "leaderboard_markdown",
    "summarize",
]

#: Columns of the tidy results table written by the benchmark runner.
RESULT_COLUMNS = (
    "problem",
    "dataset",
    "method",
    "family",
    "seed",
    "fold",
    "metric",
    "value",
    "fit_seconds",
)

_KEY_ORDER = ("problem", "dataset", "split", "method", "family", "metric")


def _check_results(results: Any, required: Sequence[str]) -> pd.DataFrame:
    if not isinstance(results, pd.DataFrame):
        raise TypeError(
            f"results must be a pandas DataFrame with columns {list(RESULT_COLUMNS)}, got "
            f"{type(results).__name__}; read it with pd.read_csv('results/results.csv')."
        )
    missing = [column for column in required if column not in results.columns]
    if missing:
        raise ValueError(
            f"results lacks the columns {missing}; expected the tidy table with columns "
            f"{list(RESULT_COLUMNS)}."
        )
    return results


def summarize(results: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation and t-interval of every metric per problem, dataset and method.

    Parameters
    ----------
    results : DataFrame
        Tidy results with columns ``problem, dataset, method, metric, value`` (and usually
        ``family, seed, fold, fit_seconds``; a ``split`` column, e.g. grouped / random, is kept
        as a key when present). Rows with a missing ``value`` (failed fits) are counted in
        ``n_failed`` and left out of the statistics.
    confidence : float, default=0.95
        Coverage of the Student t confidence interval of the mean.

    Returns
    -------
    summary : DataFrame
        One row per key, columns ``mean, std, n, ci_low, ci_high, n_failed`` and
        ``fit_seconds`` (mean) when present. The interval is NaN when ``n < 2``.

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika* 6(1), 1-25.
    """
    frame = _check_results(results, ("problem", "dataset", "method", "metric", "value"))
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}.")
    keys = [column for column in _KEY_ORDER if column in frame.columns]
    frame = frame.assign(value=pd.to_numeric(frame["value"], errors="coerce"))
    grouped = frame.groupby(keys, sort=True, dropna=False)
    summary = grouped["value"].agg(mean="mean", std="std", n="count")
    summary["n_failed"] = grouped["value"].size() - summary["n"]
    half_width = (
        stats.t.ppf(0.5 + confidence / 2, np.maximum(summary["n"] - 1, 1))
        * summary["std"]
        / np.sqrt(summary["n"].clip(lower=1))
    )
    half_width = half_width.where(summary["n"] >= 2)
    summary["ci_low"] = summary["mean"] - half_width
    summary["ci_high"] = summary["mean"] + half_width
    if "fit_seconds" in frame.columns:
        summary["fit_seconds"] = grouped["fit_seconds"].mean()
    columns = ["mean", "std", "n", "ci_low", "ci_high", "n_failed"]
    if "fit_seconds" in summary.columns:
        columns.append("fit_seconds")
    return summary[columns].reset_index()


def _format_number(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "nan"
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        return f"{value:.3g}"
    return f"{value:.3f}"


def leaderboard_markdown(
    results: pd.DataFrame, higher_is_better: dict[str, bool] | None = None
) -> str:
    """Markdown leaderboard: per problem, dataset and metric, methods best first.

    Parameters
    ----------
    results : DataFrame
        Tidy results table (see :func:`summarize`).
    higher_is_better : dict of str to bool, default=None
        Direction of each metric; metrics missing from it fall back to
        :data:`~ecrm_methods.evaluation.metrics.HIGHER_IS_BETTER`, and unknown ones are listed high to low and flagged.

    Returns
    -------
    markdown : str
        One ``##`` section per problem and dataset (and split, when present) with one table
        per metric: rank, method, family, mean, 95 % interval, n.

    References
    ----------
    Demsar, J. (2006). Statistical comparisons of classifiers over multiple data sets.
    *Journal of Machine Learning Research* 7, 1-30.
    """
    directions = dict(HIGHER_IS_BETTER)
    if higher_is_better is not None:
        if not isinstance(higher_is_better, dict):
            raise TypeError(
                "higher_is_better must be a dict mapping metric name to True/False, got "
                f"{type(higher_is_better).__name__}."
            )
        directions.update(higher_is_better)
    summary = summarize(results)
    section_keys = [k for k in ("problem", "dataset", "split") if k in summary.columns]
    lines = ["# Leaderboard", ""]
    for section, section_frame in summary.groupby(section_keys, sort=True):
        section = section if isinstance(section, tuple) else (section,)
        title = " / ".join(
            f"{key} `{value}`" for key, value in zip(section_keys, section, strict=True)
        )
        lines += [f"## {title}", ""]
        for metric, metric_frame in section_frame.groupby("metric", sort=True):
            known = metric in directions
            higher = directions.get(metric, True)
            ordered = metric_frame.sort_values(
                "mean", ascending=not higher, na_position="last", kind="stable"
            )
            arrow = "higher is better" if higher else "lower is better"
            if not known:
                arrow = "direction unknown, listed high to low"
            lines += [f"### {metric} ({arrow})", ""]
            has_family = "family" in ordered.columns
            header = "| rank | method |" + (" family |" if has_family else "")
            header += " mean | 95 % interval | n |"
            lines += [header, "|" + "---|" * (header.count("|") - 1)]
            for rank, row in enumerate(ordered.itertuples(index=False), start=1):
                interval = (
                    f"[{_format_number(row.ci_low)}, {_format_number(row.ci_high)}]"
                    if np.isfinite(row.ci_low)
                    else "-"
                )
                failed = f" ({int(row.n_failed)} failed)" if row.n_failed else ""
                cells = [str(rank), str(row.method)]
                if has_family:
                    cells.append(str(row.family))
                cells += [_format_number(row.mean), interval, f"{int(row.n)}{failed}"]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def compare_methods(
    results: pd.DataFrame,
    metric: str,
    higher_is_better: bool = True,
    *,
    alpha: float = 0.05,
    force_mode: str | None = None,
) -> Any:
    """Statistical comparison of methods on one metric with ``autorank``.

    The blocks are the (problem, dataset, seed, fold) cells; each method needs a value in every
    block it is compared on (blocks where a method failed are dropped). ``autorank`` tests
    normality and homoscedasticity and then selects the omnibus test and post-hoc test: Friedman
    with the Nemenyi post-hoc for non-normal data (the usual case), repeated-measures ANOVA with
    Tukey's HSD for normal homoscedastic data, or a paired t-test / Wilcoxon signed-rank test
    for two methods.

    Parameters
    ----------
    results : DataFrame
        Tidy results table with columns ``dataset, seed, fold, method, metric, value``.
    metric : str
        The metric to compare, e.g. ``"roc_auc"``.
    higher_is_better : bool, default=True
        Ranking direction.
    alpha : float, default=0.05
        Family-wise significance level.
    force_mode : {None, "parametric", "nonparametric"}, default=None
        Passed to ``autorank``; ``"nonparametric"`` always uses Friedman + Nemenyi.

    Returns
    -------
    result : autorank.RankResult
        ``rankdf`` lists the methods best first (mean rank 1 = best) with their mean or median
        and confidence interval on the metric's own scale, and effect sizes against the best
        method; also the p-value of the omnibus test, the critical difference and the tests used.

    References
    ----------
    Demsar, J. (2006). Statistical comparisons of classifiers over multiple data sets. *JMLR*
    7, 1-30. Herbold, S. (2020). Autorank: a Python package for automated ranking of
    classifiers. *Journal of Open Source Software* 5(48), 2173.
    """
    from autorank import autorank

    frame = _check_results(results, ("dataset", "seed", "fold", "method", "metric", "value"))
    available = sorted(frame["metric"].dropna().unique().tolist())
    if metric not in available:
        raise ValueError(f"metric {metric!r} is not in results; available metrics: {available}.")
    subset = frame[frame["metric"] == metric]
    blocks = [k for k in ("problem", "dataset", "split", "seed", "fold") if k in subset.columns]
    table = subset.pivot_table(index=blocks, columns="method", values="value", aggfunc="mean")
    table = table.dropna(axis=0, how="any")
    if table.shape[1] < 2:
        raise ValueError(
            f"compare_methods needs at least 2 methods with values for {metric!r}, got "
            f"{list(table.columns)}."
        )
    if table.shape[0] < 5:
        raise ValueError(
            f"compare_methods needs at least 5 (dataset, seed, fold) blocks in which every method "
            f"has a value for {metric!r}, got {table.shape[0]}; run more folds or seeds."
        )
    table = table.reset_index(drop=True)
    table.columns = [str(column) for column in table.columns]
    # autorank 1.3.0 sorts ``rankdf`` worst first under order="descending" and then measures
    # effect sizes against that worst method (sherbold/autorank PR #46). Ranking the negated
    # values in ascending order gives the same tests with the best method first and rank 1;
    # the location columns are mapped back to the original scale below. autorank also prints
    # its rank table, hence the redirect.
    sign = -1.0 if higher_is_better else 1.0
    with contextlib.redirect_stdout(io.StringIO()):
        result = autorank(
            sign * table, alpha=alpha, verbose=False, order="ascending", force_mode=force_mode
        )
    if higher_is_better:
        rankdf = result.rankdf.copy()
        for column in ("mean", "median", "effect_size", "effect_size_above"):
            if column in rankdf.columns:
                rankdf[column] = 0.0 - rankdf[column].astype(float)
        lower = rankdf["ci_lower"].astype(float)
        upper = rankdf["ci_upper"].astype(float)
        rankdf["ci_lower"], rankdf["ci_upper"] = 0.0 - upper, 0.0 - lower
        result = result._replace(rankdf=rankdf)
    return result
