"""Summaries, leaderboards and statistical comparison of methods over a tidy results table.

The table has one row per (problem, dataset, method, seed, fold, metric), with the columns
:data:`RESULT_COLUMNS` (``problem, dataset, method, family, seed, fold, metric, value,
fit_seconds``, plus ``split`` and optional ``boot_low`` / ``boot_high``).

* :func:`summarize`: mean and an interval that respects the resampling: the corrected
  resampled t of Nadeau & Bengio (2003) over seeds x folds
  (:func:`corrected_resampled_t_interval`), or the bootstrap over the test rows of a single
  split; :func:`leaderboard_markdown` the per-metric leaderboards (directions from
  :data:`~ecrm_methods.evaluation.metrics.HIGHER_IS_BETTER`).
* Within one dataset: :func:`corrected_resampled_ttest` for two methods and
  :func:`pairwise_corrected_ttests` for every pair, Holm-adjusted.
* Across datasets: :func:`compare_families`, Friedman / Nemenyi with (problem, dataset) as
  the blocks and one declared primary method per family (Demsar 2006).
  :func:`compare_methods` is the older comparison of ``autorank`` with seeds x folds as
  blocks, which are not independent; prefer :func:`compare_families` for a cited claim.

See Also
--------
ecrm_methods.evaluation.metrics : the metrics the table holds.
ecrm_methods.plotting.plot_critical_difference : the diagram of a :func:`compare_methods` result.

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
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from ecrm_methods.evaluation.metrics import HIGHER_IS_BETTER

__all__ = [
    "RESULT_COLUMNS",
    "SINGLE_SPLITS",
    "CorrectedTTest",
    "FamilyComparison",
    "compare_families",
    "compare_methods",
    "corrected_resampled_t_interval",
    "corrected_resampled_ttest",
    "leaderboard_markdown",
    "pairwise_corrected_ttests",
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

#: Splits scored once per seed on one test set (no folds): their interval is a bootstrap over
#: the test rows, never a t-interval over seeds.
SINGLE_SPLITS = ("full", "temporal")


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


def _check_confidence(confidence: Any) -> None:
    if isinstance(confidence, bool) or not isinstance(confidence, int | float | np.floating):
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}.")


def _check_n_folds(n_folds: Any, name: str = "n_folds") -> int:
    if isinstance(n_folds, bool) or not isinstance(n_folds, int | np.integer) or n_folds < 2:
        raise ValueError(
            f"{name} must be the number of cross-validation folds, an integer >= 2, got "
            f"{n_folds!r}."
        )
    return int(n_folds)


def _ratio(n_folds: int, test_train_ratio: float | None) -> float:
    if test_train_ratio is None:
        return 1.0 / (n_folds - 1)
    if not np.isfinite(test_train_ratio) or test_train_ratio < 0:
        raise ValueError(
            f"test_train_ratio must be a non-negative number (n_test / n_train), got "
            f"{test_train_ratio!r}."
        )
    return float(test_train_ratio)


def _n_resamples(n_values: int, n_folds: int, n_repeats: int | None, what: str) -> int:
    if n_repeats is not None:
        if isinstance(n_repeats, bool) or not isinstance(n_repeats, int | np.integer):
            raise ValueError(f"n_repeats must be a positive integer or None, got {n_repeats!r}.")
        if n_repeats < 1 or n_values != n_folds * n_repeats:
            raise ValueError(
                f"{what} holds {n_values} values, but n_folds={n_folds} x n_repeats="
                f"{n_repeats} = {n_folds * n_repeats}; pass one value per (seed, fold), or "
                "n_repeats=None when some fits failed."
            )
    if n_values < 2:
        raise ValueError(f"{what} holds {n_values} value(s); the interval needs at least 2.")
    return n_values


def _corrected_half_width(
    std: Any, n: Any, n_folds: Any, confidence: float, test_train_ratio: float | None = None
) -> Any:
    """Half width ``t(J-1) * sqrt((1/J + n_test/n_train) * s^2)`` of the corrected interval."""
    n = np.asarray(n, dtype=float)
    n_folds = np.asarray(n_folds, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = 1.0 / (n_folds - 1) if test_train_ratio is None else test_train_ratio
        variance = (1.0 / n + ratio) * np.asarray(std, dtype=float) ** 2
        quantile = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        return quantile * np.sqrt(variance)


def corrected_resampled_t_interval(
    values: Any,
    n_folds: int,
    n_repeats: int | None = None,
    confidence: float = 0.95,
    *,
    test_train_ratio: float | None = None,
) -> tuple[float, float]:
    """Corrected resampled t confidence interval of a mean over r repetitions of k-fold CV.

    The ``J = k * r`` fold scores of repeated cross-validation are not independent: every two
    folds share most of their training data, so the plain t-interval (variance ``s^2 / J``) is
    far too narrow and shrinks toward zero as more repetitions are added. Nadeau & Bengio
    (2003) correct the variance of the mean to ``(1 / J + n_test / n_train) * s^2``, with
    ``n_test / n_train = 1 / (k - 1)`` for k-fold CV, and use Student's t with ``J - 1``
    degrees of freedom (Bouckaert & Frank 2004).

    Parameters
    ----------
    values : array-like of shape (J,)
        One score per (seed, fold), finite.
    n_folds : int
        Number of folds ``k`` of each cross-validation (>= 2).
    n_repeats : int or None, default=None
        Number of repetitions ``r`` (seeds). When given, ``values`` must hold exactly
        ``k * r`` scores; ``None`` takes ``J = len(values)`` (e.g. when a few fits failed).
    confidence : float, default=0.95
        Coverage of the interval.
    test_train_ratio : float or None, default=None
        ``n_test / n_train``; ``None`` uses ``1 / (n_folds - 1)`` (k-fold CV). Pass it for
        repeated hold-out splits of another ratio.

    Returns
    -------
    low, high : float
        The interval ``mean -/+ t * sqrt((1 / J + n_test / n_train) * s^2)``.

    References
    ----------
    Nadeau, C. & Bengio, Y. (2003). Inference for the generalization error. *Machine Learning*
    52(3), 239-281. Bouckaert, R. R. & Frank, E. (2004). Evaluating the replicability of
    significance tests for comparing learning algorithms. *PAKDD 2004*, LNCS 3056, 3-12.

    Examples
    --------
    >>> from ecrm_methods.evaluation.stats import corrected_resampled_t_interval
    >>> scores = [0.80, 0.82, 0.78, 0.81, 0.79, 0.83, 0.80, 0.77, 0.82, 0.78]  # 2 seeds x 5 folds
    >>> low, high = corrected_resampled_t_interval(scores, n_folds=5, n_repeats=2)
    >>> round(low, 4), round(high, 4)
    (0.7732, 0.8268)
    """
    array = np.asarray(values, dtype=float).ravel()
    if not np.isfinite(array).all():
        raise ValueError(
            f"values contains {int((~np.isfinite(array)).sum())} NaN or infinite scores; drop "
            "failed fits and pass n_repeats=None."
        )
    k = _check_n_folds(n_folds)
    _check_confidence(confidence)
    n_values = _n_resamples(array.size, k, n_repeats, "values")
    half = float(
        _corrected_half_width(
            array.std(ddof=1), n_values, k, confidence, _ratio(k, test_train_ratio)
        )
    )
    mean = float(array.mean())
    return (mean - half, mean + half)


class CorrectedTTest(NamedTuple):
    """Result of :func:`corrected_resampled_ttest`."""

    statistic: float
    """The corrected t statistic of the mean difference ``a - b``."""
    pvalue: float
    """Two-sided p-value from Student's t with ``J - 1`` degrees of freedom."""
    mean_difference: float
    """Mean over the (seed, fold) pairs of ``a - b``."""


def _paired(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        for name, series in (("a", a), ("b", b)):
            if series.index.has_duplicates:
                raise ValueError(
                    f"{name} has duplicated index entries; index each score by its (seed, fold) "
                    "pair, once."
                )
        joined = pd.concat({"a": a, "b": b}, axis=1, join="inner").dropna()
        return joined["a"].to_numpy(dtype=float), joined["b"].to_numpy(dtype=float)
    first = np.asarray(a, dtype=float).ravel()
    second = np.asarray(b, dtype=float).ravel()
    if first.shape != second.shape:
        raise ValueError(
            f"length mismatch: a has {first.size} and b has {second.size} scores; pass one "
            "score per (seed, fold) in the same order, or two Series indexed by (seed, fold)."
        )
    if not (np.isfinite(first).all() and np.isfinite(second).all()):
        raise ValueError(
            "a or b contains NaN or infinite scores; drop those (seed, fold) pairs from both, or "
            "pass Series indexed by (seed, fold) so that they are paired and dropped for you."
        )
    return first, second


def corrected_resampled_ttest(
    a: Any,
    b: Any,
    n_folds: int,
    n_repeats: int | None = None,
    *,
    test_train_ratio: float | None = None,
) -> CorrectedTTest:
    """Corrected resampled paired t-test of two methods over r repetitions of k-fold CV.

    The differences ``d_j = a_j - b_j`` are paired by (seed, fold): both methods were scored
    on the same test fold. The statistic is ``mean(d) / sqrt((1 / J + n_test / n_train) *
    var(d))`` with ``J - 1`` degrees of freedom (Nadeau & Bengio 2003); the plain paired t-test
    over folds ignores the overlap of the training sets and rejects far too often.

    Parameters
    ----------
    a, b : array-like of shape (J,) or Series
        Scores of the two methods, one per (seed, fold), in the same order. Two Series are
        aligned on their index (e.g. a ``(seed, fold)`` MultiIndex) and pairs missing a score
        are dropped.
    n_folds : int
        Number of folds ``k`` of each cross-validation (>= 2).
    n_repeats : int or None, default=None
        Number of repetitions ``r``; when given there must be exactly ``k * r`` pairs.
    test_train_ratio : float or None, default=None
        ``n_test / n_train``; ``None`` uses ``1 / (n_folds - 1)``.

    Returns
    -------
    result : CorrectedTTest
        Named tuple ``(statistic, pvalue, mean_difference)``; unpack it as
        ``t, p, difference = corrected_resampled_ttest(...)``. When all differences are equal
        the statistic is 0 (p = 1) for a zero difference and +/-inf (p = 0) otherwise.

    References
    ----------
    Nadeau, C. & Bengio, Y. (2003). Inference for the generalization error. *Machine Learning*
    52(3), 239-281. Bouckaert, R. R. & Frank, E. (2004). Evaluating the replicability of
    significance tests for comparing learning algorithms. *PAKDD 2004*, LNCS 3056, 3-12.

    Examples
    --------
    >>> from ecrm_methods.evaluation.stats import corrected_resampled_ttest
    >>> a = [0.82, 0.84, 0.80, 0.83, 0.81, 0.85, 0.82, 0.79, 0.84, 0.80]
    >>> b = [0.80, 0.82, 0.78, 0.81, 0.79, 0.83, 0.80, 0.77, 0.82, 0.79]
    >>> t, p, difference = corrected_resampled_ttest(a, b, n_folds=5, n_repeats=2)
    >>> round(difference, 3), round(t, 2), round(p, 4)
    (0.019, 10.16, 0.0)
    """
    first, second = _paired(a, b)
    k = _check_n_folds(n_folds)
    n_values = _n_resamples(first.size, k, n_repeats, "the pairs of a and b")
    difference = first - second
    mean = float(difference.mean())
    variance = (1.0 / n_values + _ratio(k, test_train_ratio)) * difference.var(ddof=1)
    if variance <= 0 or not np.isfinite(variance):
        if mean == 0:
            return CorrectedTTest(0.0, 1.0, 0.0)
        return CorrectedTTest(float(np.sign(mean) * np.inf), 0.0, mean)
    statistic = mean / np.sqrt(variance)
    pvalue = 2.0 * stats.t.sf(abs(statistic), n_values - 1)
    return CorrectedTTest(float(statistic), float(pvalue), mean)


def _interval_kind(split: Any, n_folds: float, n: float, has_bootstrap: bool) -> str:
    if split not in SINGLE_SPLITS and n_folds >= 2 and n >= 2:
        return "corrected resampled t"
    if has_bootstrap:
        return "bootstrap over rows"
    return "none"


def summarize(
    results: pd.DataFrame, confidence: float = 0.95, *, n_folds: int | None = None
) -> pd.DataFrame:
    """Mean, standard deviation and confidence interval of every metric per key.

    The interval respects how the scores were obtained:

    * **cross-validation** (``seed`` x ``fold`` rows, any split other than ``"full"`` /
      ``"temporal"``): the corrected resampled t-interval of Nadeau & Bengio (2003),
      ``mean -/+ t(J - 1) * sqrt((1 / J + 1 / (k - 1)) * s^2)`` over the ``J`` successful
      (seed, fold) scores, see :func:`corrected_resampled_t_interval`. ``k`` is the number of
      distinct ``fold`` values of the group (failed folds included) unless ``n_folds`` is
      given. The plain t-interval over seeds x folds ignores that folds share training data
      and is far too narrow.
    * **a single split** (``split`` is ``"full"`` or ``"temporal"``; one row per seed): the
      bootstrap interval over the test rows, read from the columns ``boot_low`` /
      ``boot_high`` when the results carry them (see
      :func:`~ecrm_methods.evaluation.metrics.bootstrap_metric_interval`); with several seeds
      the bounds are averaged over the seeds.
    * otherwise (one value, one fold, or a single split without bounds): no interval.

    Parameters
    ----------
    results : DataFrame
        Tidy results with columns ``problem, dataset, method, metric, value`` (and usually
        ``family, seed, fold, fit_seconds``; a ``split`` column, e.g. grouped / random / full,
        is kept as a key when present). Optional float columns ``boot_low`` / ``boot_high``
        hold the bootstrap bounds of single-split rows (NaN elsewhere). Rows with a missing
        ``value`` (failed fits) are counted in ``n_failed`` and left out of the statistics.
    confidence : float, default=0.95
        Coverage of the corrected t interval. Bootstrap bounds are used as given; compute
        them with the same ``confidence``.
    n_folds : int or None, default=None
        Number of folds ``k`` of the cross-validation; ``None`` infers it per group from the
        distinct ``fold`` values.

    Returns
    -------
    summary : DataFrame
        One row per key (``problem, dataset[, split], method[, family], metric``) with the
        columns ``mean, std, n, ci_low, ci_high, interval, n_failed`` and ``fit_seconds``
        (mean) when present. ``interval`` names the method: ``"corrected resampled t"``,
        ``"bootstrap over rows"`` or ``"none"`` (then ``ci_low`` / ``ci_high`` are NaN).

    References
    ----------
    Nadeau, C. & Bengio, Y. (2003). Inference for the generalization error. *Machine Learning*
    52(3), 239-281. Bouckaert, R. R. & Frank, E. (2004). Evaluating the replicability of
    significance tests for comparing learning algorithms. *PAKDD 2004*, LNCS 3056, 3-12.
    Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
    """
    frame = _check_results(results, ("problem", "dataset", "method", "metric", "value"))
    _check_confidence(confidence)
    if n_folds is not None:
        n_folds = _check_n_folds(n_folds)
    keys = [column for column in _KEY_ORDER if column in frame.columns]
    frame = frame.assign(value=pd.to_numeric(frame["value"], errors="coerce"))
    has_bootstrap_columns = {"boot_low", "boot_high"} <= set(frame.columns)
    if has_bootstrap_columns:
        low = pd.to_numeric(frame["boot_low"], errors="coerce")
        high = pd.to_numeric(frame["boot_high"], errors="coerce")
        usable = frame["value"].notna() & np.isfinite(low) & np.isfinite(high)
        frame = frame.assign(_boot_low=low.where(usable), _boot_high=high.where(usable))
    grouped = frame.groupby(keys, sort=True, dropna=False)
    summary = grouped["value"].agg(mean="mean", std="std", n="count")
    summary["n_failed"] = grouped["value"].size() - summary["n"]
    if n_folds is not None:
        k = pd.Series(float(n_folds), index=summary.index)
    elif "fold" in frame.columns:
        k = grouped["fold"].nunique().astype(float)
    else:
        k = pd.Series(0.0, index=summary.index)
    if "split" in keys:
        split = summary.index.get_level_values("split")
    else:
        split = pd.Index([None] * len(summary))
    if has_bootstrap_columns:
        boot_low = grouped["_boot_low"].mean()
        boot_high = grouped["_boot_high"].mean()
    else:
        boot_low = boot_high = pd.Series(np.nan, index=summary.index)
    kinds = [
        _interval_kind(s, folds, n, bool(np.isfinite(lo) and np.isfinite(hi)))
        for s, folds, n, lo, hi in zip(split, k, summary["n"], boot_low, boot_high, strict=True)
    ]
    summary["interval"] = kinds
    is_t = summary["interval"] == "corrected resampled t"
    is_boot = summary["interval"] == "bootstrap over rows"
    half_width = pd.Series(
        _corrected_half_width(summary["std"], summary["n"], k.clip(lower=2), confidence),
        index=summary.index,
    )
    summary["ci_low"] = np.where(
        is_t, summary["mean"] - half_width, np.where(is_boot, boot_low, np.nan)
    )
    summary["ci_high"] = np.where(
        is_t, summary["mean"] + half_width, np.where(is_boot, boot_high, np.nan)
    )
    if "fit_seconds" in frame.columns:
        summary["fit_seconds"] = grouped["fit_seconds"].mean()
    columns = ["mean", "std", "n", "ci_low", "ci_high", "interval", "n_failed"]
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
    lines = [
        "# Leaderboard",
        "",
        "95 % intervals: corrected resampled t over seeds x folds (Nadeau & Bengio 2003) for "
        "cross-validated splits; bootstrap over the test rows for a single split; `-` where "
        "neither applies.",
        "",
    ]
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

    The blocks are the (problem, dataset, seed, fold) cells. Folds and seeds of one dataset
    share data, so these blocks are not independent and the p-value is too small; for a claim
    across datasets use :func:`compare_families` (datasets as blocks), within one dataset
    :func:`pairwise_corrected_ttests`.

    Each method needs a value in every block it is compared on (blocks where a method failed
    are dropped). ``autorank`` tests normality and homoscedasticity and then selects the
    omnibus test and post-hoc test: Friedman with the Nemenyi post-hoc for non-normal data (the
    usual case), repeated-measures ANOVA with Tukey's HSD for normal homoscedastic data, or a
    paired t-test / Wilcoxon signed-rank test for two methods.

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


def _holm(pvalues: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error control)."""
    pvalues = np.asarray(pvalues, dtype=float)
    m = pvalues.size
    if m == 0:
        return pvalues
    order = np.argsort(pvalues, kind="stable")
    stepped = np.minimum(1.0, (m - np.arange(m)) * pvalues[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(stepped)
    return adjusted


def pairwise_corrected_ttests(
    results: pd.DataFrame,
    metric: str,
    dataset: str,
    split: str | None = None,
    *,
    problem: str | None = None,
    n_folds: int | None = None,
) -> pd.DataFrame:
    """Corrected resampled t-tests of every pair of methods on one dataset, Holm-adjusted.

    Within one dataset the (seed, fold) scores of two methods are paired (same test fold) and
    compared with :func:`corrected_resampled_ttest`; the p-values of all pairs are adjusted
    with Holm's step-down procedure, which controls the family-wise error rate.

    Parameters
    ----------
    results : DataFrame
        Tidy results with columns ``dataset, method, seed, fold, metric, value`` (and ``split``,
        ``problem`` when the table holds several).
    metric : str
        The metric to compare, e.g. ``"roc_auc"``.
    dataset : str
        The dataset.
    split : str or None, default=None
        The cross-validation split (e.g. ``"grouped"``); required when ``results`` has a
        ``split`` column holding more than one split. Single splits (``"full"``,
        ``"temporal"``) have no folds to pair and are refused.
    problem : str or None, default=None
        The problem, when the dataset serves several.
    n_folds : int or None, default=None
        Number of folds ``k``; ``None`` counts the distinct ``fold`` values.

    Returns
    -------
    tests : DataFrame
        One row per pair of methods, sorted by ``p``: ``method_a, method_b, mean_a, mean_b,
        mean_difference`` (``mean_a - mean_b`` over the shared (seed, fold) pairs), ``t``,
        ``df``, ``p``, ``p_holm``, ``n_pairs``.

    References
    ----------
    Nadeau, C. & Bengio, Y. (2003). Inference for the generalization error. *Machine Learning*
    52(3), 239-281. Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics* 6(2), 65-70.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecrm_methods.evaluation.stats import pairwise_corrected_ttests
    >>> rows = [{"dataset": "d", "method": m, "seed": s, "fold": f, "metric": "roc_auc",
    ...          "value": base + 0.01 * ((s + f) % 3)}
    ...         for m, base in (("a", 0.8), ("b", 0.7)) for s in range(2) for f in range(5)]
    >>> tests = pairwise_corrected_ttests(pd.DataFrame(rows), "roc_auc", "d")
    >>> tests[["method_a", "method_b", "mean_difference", "n_pairs"]]
      method_a method_b  mean_difference  n_pairs
    0        a        b              0.1       10
    """
    frame = _check_results(results, ("dataset", "method", "seed", "fold", "metric", "value"))
    subset = frame[(frame["dataset"] == dataset) & (frame["metric"] == metric)]
    if problem is not None:
        if "problem" not in frame.columns:
            raise ValueError("results has no problem column; leave problem=None.")
        subset = subset[subset["problem"] == problem]
    if subset.empty:
        raise ValueError(
            f"results has no rows for dataset={dataset!r}, metric={metric!r}"
            + (f", problem={problem!r}" if problem is not None else "")
            + "; check the names."
        )
    if "problem" in subset.columns and subset["problem"].nunique() > 1:
        raise ValueError(
            f"dataset {dataset!r} serves the problems {sorted(subset['problem'].unique())} for "
            f"{metric!r}; pass problem=."
        )
    if "split" in subset.columns:
        splits = sorted(subset["split"].dropna().unique().tolist())
        if split is None:
            if len(splits) > 1:
                raise ValueError(f"results holds the splits {splits}; pass split= one of them.")
            split = splits[0] if splits else None
        if split is not None:
            subset = subset[subset["split"] == split]
            if subset.empty:
                raise ValueError(f"split {split!r} is not in results; available: {splits}.")
    if split in SINGLE_SPLITS:
        raise ValueError(
            f"split {split!r} is scored once per seed on one test set; there are no folds to "
            "pair. Compare single-split results with bootstrap intervals instead."
        )
    k = _check_n_folds(subset["fold"].nunique() if n_folds is None else n_folds, "n_folds")
    table = subset.pivot_table(
        index=["seed", "fold"], columns="method", values="value", aggfunc="mean"
    )
    methods = sorted(table.columns.tolist(), key=str)
    if len(methods) < 2:
        raise ValueError(f"pairwise tests need at least 2 methods, got {methods}.")
    rows = []
    for position, first in enumerate(methods):
        for second in methods[position + 1 :]:
            pair = table[[first, second]].dropna()
            if len(pair) < 2:
                rows.append(
                    {"method_a": first, "method_b": second, "n_pairs": len(pair), "p": np.nan}
                )
                continue
            test = corrected_resampled_ttest(pair[first], pair[second], k)
            rows.append(
                {
                    "method_a": first,
                    "method_b": second,
                    "mean_a": float(pair[first].mean()),
                    "mean_b": float(pair[second].mean()),
                    "mean_difference": test.mean_difference,
                    "t": test.statistic,
                    "df": len(pair) - 1,
                    "p": test.pvalue,
                    "n_pairs": len(pair),
                }
            )
    columns = [
        "method_a", "method_b", "mean_a", "mean_b", "mean_difference", "t", "df", "p",
        "p_holm", "n_pairs",
    ]  # fmt: skip
    tests = pd.DataFrame(rows).reindex(columns=columns)
    tested = tests["p"].notna().to_numpy()
    tests.loc[tested, "p_holm"] = _holm(tests.loc[tested, "p"].to_numpy())
    tests["n_pairs"] = tests["n_pairs"].astype(int)
    return tests.sort_values("p", kind="stable", na_position="last").reset_index(drop=True)


class FamilyComparison(NamedTuple):
    """Result of :func:`compare_families`."""

    result: Any
    """The ``autorank.RankResult`` on the within-block ranks (None with fewer than 5 blocks)."""
    warning: str
    """A caveat to print beside the result ("" when there are enough blocks)."""
    table: pd.DataFrame
    """Block means on the metric's own scale: rows (problem, dataset), columns families."""
    ranks: pd.DataFrame
    """Within-block ranks (1 = best, ties averaged): what the test is computed on."""
    dropped_blocks: list[str]
    """The (problem, dataset) blocks left out, each with the reason."""


#: Preference order of the split a block is compared on when ``compare_families(split=None)``.
_SPLIT_PREFERENCE = ("grouped", "temporal", "full", "random")


def _per_problem(value: Any, problem: str, name: str) -> Any:
    if isinstance(value, Mapping):
        if problem not in value:
            raise ValueError(f"{name} has no entry for the problem {problem!r}; add one.")
        return value[problem]
    return value


def compare_families(
    results: pd.DataFrame,
    metric: str | Mapping[str, str],
    higher_is_better: bool | Mapping[str, bool] | None,
    primary_methods: Mapping[tuple[str, str], str],
    exclude_datasets: Sequence[str] = ("cdnow-sample",),
    *,
    split: str | Mapping[str, str] | None = None,
    alpha: float = 0.05,
    min_blocks: int = 10,
) -> FamilyComparison:
    """Friedman / Nemenyi comparison of method families with (problem, dataset) as blocks.

    Demsar (2006) compares algorithms over *data sets*: each data set is one independent
    block. Seeds and folds of one data set are not independent blocks (they share data), so
    each block's value is the mean over seeds x folds. Each family is one treatment,
    represented in each problem by ONE primary method that the caller declares in advance
    (``primary_methods``); choosing the representative by its score would bias the comparison
    toward families with many variants. The practitioner baseline is a treatment of its own
    (give it a ``(problem, "baseline")`` entry). Datasets that are subsets of others
    (``cdnow-sample`` of ``cdnow``) are excluded, since they are not independent blocks.

    The values are ranked within each block (1 = best, in each problem's own direction), so
    metrics of different scales and directions can share one test; the Friedman test and the
    Nemenyi post-hoc only use these ranks (``force_mode="nonparametric"``).

    Parameters
    ----------
    results : DataFrame
        Tidy results with columns ``problem, dataset, method, metric, value`` (``family``,
        ``split``, ``seed``, ``fold`` as written by the benchmark).
    metric : str or mapping of problem to str
        The metric compared; a mapping gives each problem its own metric (e.g.
        ``{"churn": "roc_auc", "value": "spearman_spend"}``).
    higher_is_better : bool, mapping of problem to bool, or None
        Direction of the metric; a mapping gives each problem its own direction; ``None``
        looks every metric up in :data:`~ecrm_methods.evaluation.metrics.HIGHER_IS_BETTER`.
    primary_methods : mapping of (problem, family) to str
        The method that represents each family in each problem, declared before looking at
        the results. Every family named here is a treatment; problems not named are left out.
    exclude_datasets : sequence of str, default=("cdnow-sample",)
        Datasets that are not blocks of their own.
    split : str, mapping of problem to str, or None, default=None
        The split each block is compared on; ``None`` takes the first of ``grouped``,
        ``temporal``, ``full``, ``random`` present for that block.
    alpha : float, default=0.05
        Family-wise significance level of the Nemenyi post-hoc.
    min_blocks : int, default=10
        Below this many blocks the result carries a warning on its low power.

    Returns
    -------
    comparison : FamilyComparison
        Named tuple ``(result, warning, table, ranks, dropped_blocks)``. ``result`` is the
        ``autorank.RankResult`` (``rankdf`` best family first; its ``meanrank`` is the mean
        within-block rank and its location columns are on the rank scale); it can be drawn
        with :func:`ecrm_methods.plotting.plot_critical_difference`. ``result`` is None when
        fewer than 5 complete blocks remain (autorank needs 5); the ranks are then
        descriptive only. A block in which some family has no value is dropped (Friedman
        needs complete blocks) and listed in ``dropped_blocks``.

    References
    ----------
    Demsar, J. (2006). Statistical comparisons of classifiers over multiple data sets. *Journal
    of Machine Learning Research* 7, 1-30. Friedman, M. (1937). The use of ranks to avoid the
    assumption of normality implicit in the analysis of variance. *JASA* 32(200), 675-701.
    Herbold, S. (2020). Autorank: a Python package for automated ranking of classifiers.
    *Journal of Open Source Software* 5(48), 2173.
    """
    frame = _check_results(results, ("problem", "dataset", "method", "metric", "value"))
    if not isinstance(primary_methods, Mapping) or not primary_methods:
        raise TypeError(
            "primary_methods must be a non-empty dict {(problem, family): method}, declared "
            "before looking at the results."
        )
    for key in primary_methods:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"primary_methods keys must be (problem, family) pairs, got {key!r}.")
    if isinstance(exclude_datasets, str):
        exclude_datasets = (exclude_datasets,)
    if isinstance(min_blocks, bool) or not isinstance(min_blocks, int | np.integer):
        raise ValueError(f"min_blocks must be an integer, got {min_blocks!r}.")
    families = sorted({family for _, family in primary_methods}, key=str)
    if len(families) < 2:
        raise ValueError(f"compare_families needs at least 2 families, got {families}.")
    problems = sorted({problem for problem, _ in primary_methods}, key=str)
    frame = frame.assign(value=pd.to_numeric(frame["value"], errors="coerce"))
    frame = frame[~frame["dataset"].isin(list(exclude_datasets))]
    values: dict[tuple[str, str], dict[str, float]] = {}
    directions: dict[tuple[str, str], bool] = {}
    dropped: list[str] = []
    for problem in problems:
        problem_metric = _per_problem(metric, problem, "metric")
        if higher_is_better is None:
            if problem_metric not in HIGHER_IS_BETTER:
                raise ValueError(
                    f"the direction of {problem_metric!r} is unknown; pass higher_is_better."
                )
            higher = HIGHER_IS_BETTER[problem_metric]
        else:
            higher = bool(_per_problem(higher_is_better, problem, "higher_is_better"))
        rows = frame[(frame["problem"] == problem) & (frame["metric"] == problem_metric)]
        for family in families:
            method = primary_methods.get((problem, family))
            if method is None:
                continue
            method_rows = rows[rows["method"] == method]
            if method_rows.empty:
                raise ValueError(
                    f"primary method {method!r} of family {family!r} has no "
                    f"{problem_metric!r} rows for problem {problem!r}; check primary_methods."
                )
            if "family" in method_rows.columns:
                recorded = set(method_rows["family"].dropna().unique().tolist())
                if recorded and recorded != {family}:
                    raise ValueError(
                        f"primary method {method!r} belongs to the family {sorted(recorded)} in "
                        f"results, not {family!r}; fix primary_methods."
                    )
        for dataset, block_rows in rows.groupby("dataset", sort=True):
            block = (problem, str(dataset))
            if "split" in block_rows.columns:
                present = set(block_rows["split"].dropna().unique().tolist())
                wanted = _per_problem(split, problem, "split") if split is not None else None
                if wanted is None:
                    wanted = next((s for s in _SPLIT_PREFERENCE if s in present), None)
                    if wanted is None:
                        wanted = sorted(present)[0] if present else None
                if wanted not in present:
                    dropped.append(f"{problem}/{dataset}: no {wanted!r} split")
                    continue
                block_rows = block_rows[block_rows["split"] == wanted]
            means = {}
            for family in families:
                method = primary_methods.get((problem, family))
                mean = (
                    block_rows.loc[block_rows["method"] == method, "value"].mean()
                    if method is not None
                    else np.nan
                )
                means[family] = float(mean)
            missing = [family for family, mean in means.items() if not np.isfinite(mean)]
            if missing:
                dropped.append(f"{problem}/{dataset}: no value for {missing}")
                continue
            values[block] = means
            directions[block] = higher
    index = pd.MultiIndex.from_tuples(list(values), names=["problem", "dataset"])
    table = pd.DataFrame(list(values.values()), index=index, columns=families)
    ranks = table.copy()
    for block in table.index:
        ranks.loc[block] = table.loc[block].rank(ascending=not directions[block]).to_numpy()
    n_blocks = len(table)
    warning = ""
    if n_blocks < min_blocks:
        warning = (
            f"with {n_blocks} blocks the Friedman test has little power; read the ranks as "
            "descriptive (Demsar 2006)."
        )
    result = None
    if n_blocks >= 5:
        from autorank import autorank

        data = ranks.reset_index(drop=True)
        data.columns = [str(column) for column in data.columns]
        # Ranks that never vary (one family best in every block) make autorank's normality
        # and effect-size computations divide by zero (the test used, Friedman, only needs the
        # ranks); those warnings are noise here.
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", UserWarning)
            result = autorank(
                data, alpha=alpha, verbose=False, order="ascending", force_mode="nonparametric"
            )
    else:
        warning = (
            f"with {n_blocks} blocks no test is run (autorank needs at least 5); the ranks "
            "are descriptive only (Demsar 2006)."
        )
    return FamilyComparison(result, warning, table, ranks, dropped)
