"""The method x problem x dataset benchmark runner (what ``ecrm benchmark`` calls).

:func:`run_benchmark` runs every selected registered method
(:mod:`ecrm_methods.benchmark.registry`) on
every selected (problem, dataset) pair, over several seeds and cross-validation folds, and
writes

- ``results.csv``: the tidy table ``problem, dataset, method, family, seed, fold, metric,
  value, fit_seconds, split, error`` (``split`` is ``grouped`` for folds that keep
  near-duplicate groups together, ``random`` for plain stratified folds, ``full`` for
  segmentation, which is fitted on all customers, ``temporal`` for a response problem's single
  split along time; ``error`` holds the message of a failed fit);
- ``leaderboard.md``: per pair, the headline table (grouped split where the data has
  near-duplicates, the random split beside it for comparison with the literature), then the
  full per-metric leaderboard with 95 % intervals;
- ``plots/``: one PNG per problem and metric (method means with intervals), and a
  critical-difference diagram per problem where there are enough blocks.

Every (method, params, dataset sha256, seed, fold, split) result is cached on disk, one file
per key, so a re-run computes only what is new. ``n_jobs`` runs the grid in local processes
(joblib); ``scheduler`` runs the same grid on a Dask cluster.

Protocol
--------
- Preprocessing is part of each method's pipeline and is fitted on the training fold only.
- Churn: the F1 threshold is chosen on predictions for the training fold only (out-of-fold
  within the training fold with ``threshold_cv >= 2``, the default, or in-sample with 0).
- Response: the campaign depth (share of customers contacted) is chosen the same way, as the
  argmax of the profit curve of out-of-fold predictions for the training fold, and its profit
  is measured on the test fold beside the maximum of the test fold's own curve (MP). On data
  with a time axis the headline split trains on the earlier months and tests on the later ones;
  being a single split, it gets a bootstrap interval over its test rows.
- Value: customers are split into folds; BTYD-type models fit the training customers'
  calibration summary, supervised models learn per-week rates on an earlier window of the same
  customers (:func:`value_fold_predictions`); every model forecasts the test customers'
  holdout from their calibration features, so no model sees any customer's holdout.
- Segmentation: each method is fitted on all customers per seed; stability is the mean
  adjusted Rand index against refits on bootstrap resamples.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import time
import traceback
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from ecrm_methods import evaluation
from ecrm_methods.benchmark import methods as _registrations  # noqa: F401  (registers all)
from ecrm_methods.benchmark.cache import (
    CACHE_VERSION,
    estimator_fingerprint,
    library_versions,
    package_source_hash,
    read_cache,
    write_cache,
)
from ecrm_methods.benchmark.methods._tuning import INNER_FOLDS, InnerFolds
from ecrm_methods.benchmark.registry import MethodSpec, get_methods
from ecrm_methods.benchmark.report import (
    HEADLINE_METRIC,
    PROBLEM_METRICS,
    family_comparison,
    headline_markdown,
    headline_rows,
    write_leaderboard,
)
from ecrm_methods.plotting import plot_benchmark_results
from ecrm_methods.problems import (
    PROBLEMS,
    ProblemData,
    available_pairs,
    load_problem,
    pair_is_available,
)

__all__ = [
    "RESULT_COLUMNS",
    "Task",
    "build_tasks",
    "execute_task",
    "resolve_grid",
    "run_benchmark",
    "run_main_job",
    "task_options",
]

#: The evaluation module's tidy columns, then the split protocol, a failed fit's error, the
#: count and first message of the warnings the fit raised, the bootstrap interval of a
#: single-split metric (NaN for cross-validated ones), the settings an inner CV chose, and the
#: wall time of the whole task (fit, inner fits, scoring, stability refits): where time goes.
RESULT_COLUMNS = (
    *evaluation.RESULT_COLUMNS,
    "split",
    "error",
    "n_warnings",
    "warning",
    "boot_low",
    "boot_high",
    "chosen",
    "task_seconds",
)


# --------------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One unit of work: a method on one pair, seed, fold and split."""

    problem: str
    dataset: str
    spec: MethodSpec
    seed: int
    fold: int
    split: str
    n_folds: int
    checksum: str
    options: tuple = ()
    threads: int | None = None  # BLAS/OpenMP threads per fit; not part of the cache key
    fingerprint: str = ""  # the built estimator's parameters (cache.estimator_fingerprint)

    @property
    def key(self) -> str:
        """Cache key: everything that determines the result (see :mod:`.cache`)."""
        payload = {
            "version": CACHE_VERSION,
            "problem": self.problem,
            "dataset": self.dataset,
            "method": self.spec.name,
            "family": self.spec.family,
            "learns_from": self.spec.learns_from,
            "segments_param": self.spec.segments_param,
            "params": self.spec.params,
            "estimator": self.fingerprint,
            "source": package_source_hash(),
            "libraries": library_versions(),
            "checksum": self.checksum,
            "seed": self.seed,
            "fold": self.fold,
            "split": self.split,
            "n_folds": self.n_folds,
            "options": list(self.options),
        }
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        items = [item.strip() for item in value.split(",") if item.strip()]
    else:
        items = [str(item) for item in value]
    return None if not items or items == ["all"] else items


def resolve_grid(
    problems: str | Sequence[str] | None = "all",
    datasets: str | Sequence[str] | None = None,
    methods: str | Sequence[str] | None = "all",
    family: str | Sequence[str] | None = None,
) -> list[tuple[str, str, list[MethodSpec]]]:
    """The (problem, dataset, methods) cells a benchmark call would run.

    Parameters
    ----------
    problems : str, sequence of str or "all"
        Problem names (comma-separated string allowed).
    datasets : str, sequence of str, "all" or None
        Dataset names; None / "all" means every dataset of the chosen problems that is
        available on this machine.
    methods : str, sequence of str, "all" or "comparison"
        Method names. ``"comparison"``: on each problem, the families' primary methods (declared
        in the registry) and the practitioner baselines, without the secondary methods (the
        hybrids, variants such as ``mlp_balanced``): the comparison the main job runs.
    family : str, sequence of str or None
        Keep only these families.

    Returns
    -------
    list of (problem, dataset, list of MethodSpec)

    Raises
    ------
    ValueError
        Unknown problem, dataset or method name (the message lists the valid names), an
        explicitly requested dataset that is not available, or an empty grid.
    """
    problem_names = _as_list(problems) or list(PROBLEMS)
    unknown = [p for p in problem_names if p not in PROBLEMS]
    if unknown:
        raise ValueError(
            f"unknown problem(s) {unknown}; valid problems: {list(PROBLEMS)} or 'all'."
        )
    dataset_names = _as_list(datasets)
    if dataset_names is not None:
        valid = sorted({d for p in problem_names for d in PROBLEMS[p].datasets})
        unknown = [d for d in dataset_names if d not in valid]
        if unknown:
            raise ValueError(
                f"unknown dataset(s) {unknown} for problem(s) {problem_names}; valid datasets: "
                f"{valid} or 'all'."
            )
    families = _as_list(family)
    comparison_only = isinstance(methods, str) and methods.strip() == "comparison"
    method_names = None if comparison_only else _as_list(methods)
    all_specs = [
        s
        for p in problem_names
        for s in get_methods(problem=p, family=families, include_optional=True)
    ]
    if method_names is not None:
        valid = sorted({s.name for s in all_specs})
        unknown = [m for m in method_names if m not in valid]
        if unknown:
            raise ValueError(
                f"unknown method(s) {unknown} for problem(s) {problem_names}"
                f"{f' and family {families}' if families else ''}; valid method names: "
                f"{valid} or 'all'."
            )
    cells = []
    for problem in problem_names:
        if dataset_names is None:
            pairs = [d for _, d in available_pairs(problem)]
        else:
            pairs = [d for d in dataset_names if d in PROBLEMS[problem].datasets]
            missing = [d for d in pairs if not pair_is_available(problem, d)]
            if missing:
                from ecrm_methods.problems import required_datasets

                needs = {d: list(required_datasets(problem, d)) for d in missing}
                raise ValueError(
                    f"dataset(s) {missing} for problem {problem!r} are not available on this "
                    f"machine (needs {needs}); set ECRM_DATA to a data home that has them, or "
                    "run `ecrm datasets verify --download`."
                )
        for dataset in pairs:
            specs = [
                s
                for s in get_methods(
                    problem=problem,
                    family=families,
                    dataset=dataset,
                    include_optional=method_names is not None,
                )
                if (method_names is None or s.name in method_names)
                and (not comparison_only or s.primary or s.family == "baseline")
            ]
            if specs:
                cells.append((problem, dataset, specs))
    if not cells:
        raise ValueError(
            f"nothing to run for problems={problem_names}, datasets={dataset_names or 'all'}, "
            f"methods={method_names or 'all'}, family={families or 'all'}; check the names and "
            "which datasets are available (`ecrm datasets list`)."
        )
    return cells


def _splits_for(data: ProblemData, random_split_too: bool) -> list[str]:
    if data.problem == "segmentation":
        return ["full"]
    if data.temporal_split is not None:
        return ["temporal", "random"] if random_split_too else ["temporal"]
    if data.groups is not None:
        return ["grouped", "random"] if random_split_too else ["grouped"]
    return ["random"]


# --------------------------------------------------------------------------------------------
# Executing one task
# --------------------------------------------------------------------------------------------

_SPLIT_CACHE: dict[tuple, list] = {}

#: Bootstrap resamples of the interval of a single-split metric (segmentation).
BOOTSTRAP_RESAMPLES = 100


def _fold_indices(data: ProblemData, split: str, n_folds: int, seed: int):
    from ecrm_methods.evaluation import make_splits

    key = (data.problem, data.dataset, data.checksum, split, n_folds, seed)
    if key not in _SPLIT_CACHE:
        groups = data.groups if split == "grouped" else None
        if split == "temporal":
            if data.temporal_split is None:
                raise ValueError(f"{data.problem}/{data.dataset} has no temporal split.")
            folds = [(data.temporal_split.train, data.temporal_split.test)]
        elif data.problem == "value" or data.y is None:
            folds = make_splits(
                None, groups=groups, n_folds=n_folds, random_state=seed, n_samples=len(data.X)
            )
        else:
            folds = make_splits(
                data.y.to_numpy(), groups=groups, n_folds=n_folds, random_state=seed
            )
        _SPLIT_CACHE[key] = folds
    return _SPLIT_CACHE[key]


def _training_groups(data: ProblemData, split: str, rows: np.ndarray) -> np.ndarray:
    """Inner-CV groups of the training rows: near-duplicate groups, or one group per row."""
    if split == "grouped" and data.groups is not None:
        return np.asarray(data.groups)[rows]
    return np.arange(len(rows))


def _fit(estimator, X, y, groups):
    """Fit, passing ``groups`` to estimators whose ``fit`` takes it (the inner-CV searches)."""
    if "groups" in inspect.signature(estimator.fit).parameters:
        return estimator.fit(X, y, groups=groups)
    return estimator.fit(X, y)


def _positive_proba(estimator, X) -> np.ndarray:
    proba = np.asarray(estimator.predict_proba(X))
    if proba.ndim == 1:
        return proba
    classes = list(getattr(estimator, "classes_", range(proba.shape[1])))
    column = classes.index(1) if 1 in classes else proba.shape[1] - 1
    return proba[:, column]


def inner_predictions(spec, data, X_train, y_train, groups, seed, inner_folds, fitted):
    """Scores for the training fold's own rows that no model saw while fitting (if asked).

    ``inner_folds >= 2``: out-of-fold positive-class scores of an inner grouped
    cross-validation of the training fold (:data:`INNER_FOLDS` folds by default); a tuned
    method's inner fits reuse the settings its own inner CV chose. ``0``: the fitted model's
    in-sample scores (cheaper, optimistic for models that nearly memorise their training rows).

    Returns
    -------
    ndarray of shape (len(y_train),)
    """
    if inner_folds and inner_folds >= 2:
        proba = np.zeros(len(y_train))
        splitter = InnerFolds(int(inner_folds), shuffle=True, random_state=seed)
        for inner_train, inner_test in splitter.split(np.zeros(len(y_train)), y_train, groups):
            # a tuned method's inner fits reuse the settings its own inner CV chose on this
            # training fold (a search inside each of these folds would cost grid x folds more)
            inner = (
                clone(fitted.best_estimator_)
                if hasattr(fitted, "best_estimator_")
                else spec.build(data, seed)
            )
            _fit(inner, X_train.iloc[inner_train], y_train.iloc[inner_train], groups[inner_train])
            proba[inner_test] = _positive_proba(inner, X_train.iloc[inner_test])
        return proba
    return _positive_proba(fitted, X_train)


def inner_threshold(spec, data, X_train, y_train, groups, seed, threshold_cv, fitted) -> float:
    """The churn decision threshold, chosen on the training fold only.

    ``threshold_cv >= 2``: F1-optimal threshold on out-of-fold predictions of an inner grouped
    cross-validation of the training fold (the default, :data:`INNER_FOLDS` folds: a model that
    nearly memorises its training rows, as gradient boosting and LEM2 do, would otherwise get a
    threshold tuned to its own in-sample probabilities). ``0``: on the fitted model's in-sample
    predictions (cheaper, optimistic). See :func:`inner_predictions`.
    """
    from ecrm_methods.evaluation import choose_threshold

    proba = inner_predictions(spec, data, X_train, y_train, groups, seed, threshold_cv, fitted)
    return choose_threshold(y_train.to_numpy(), proba)


def inner_campaign_depth(spec, data, X_train, y_train, groups, seed, depth_cv, fitted, campaign):
    """The response campaign's depth, chosen on the training fold only.

    The share of customers to contact that maximises the profit curve of the training fold's
    out-of-fold predictions (``depth_cv >= 2``, :func:`inner_predictions`) or in-sample
    predictions (``0``), at the cost and revenue of ``campaign``. The test fold is then
    contacted to the same depth (:func:`ecrm_methods.evaluation.campaign_profit`).
    """
    from ecrm_methods.evaluation import choose_campaign_depth

    scores = inner_predictions(spec, data, X_train, y_train, groups, seed, depth_cv, fitted)
    return choose_campaign_depth(
        y_train.to_numpy(), scores, campaign.contact_cost, campaign.response_revenue
    )


def _campaign_of(data: ProblemData, options: dict):
    """The pair's campaign economics, or the run's override (``campaign`` option)."""
    from ecrm_methods.problems import CampaignEconomics

    override = options.get("campaign")
    if override:
        contact_cost, response_revenue = override
        return CampaignEconomics(float(contact_cost), float(response_revenue), "run option")
    if data.campaign is None:
        raise ValueError(f"{data.problem}/{data.dataset} has no campaign economics.")
    return data.campaign


def value_fold_predictions(
    spec: MethodSpec, data: ProblemData, train: np.ndarray, test: np.ndarray, seed: int
) -> tuple[np.ndarray, float]:
    """Forecast the test customers' holdout ``[purchases, spend]`` without any holdout data.

    Models of the calibration summary (``learns_from="calibration"``: BTYD, naive, zero) are
    fitted on the training customers' calibration rows with no target. Supervised regressors
    (``learns_from="training_window"``) are trained on the training customers' earlier window
    (:attr:`ProblemData.training_window`: features at the training cut, targets from the cut to
    the calibration end) as per-week rates, and their forecasts are scaled to the holdout
    length. Either way the forecast for the test customers uses only their calibration features,
    so ``data.y`` (the holdout targets) is never read here.

    Returns
    -------
    predictions : ndarray of shape (len(test), 2)
    fit_seconds : float
    """
    estimator = spec.build(data, seed)
    X_test = data.X.iloc[test]
    started = time.perf_counter()
    if spec.learns_from == "calibration":
        estimator.fit(data.X.iloc[train])
        fit_seconds = time.perf_counter() - started
        return np.asarray(estimator.predict(X_test), dtype=float), fit_seconds
    if spec.learns_from != "training_window":
        raise ValueError(
            f"value method {spec.name!r} has learns_from={spec.learns_from!r}; expected "
            "'calibration' or 'training_window'."
        )
    window = data.training_window
    if window is None:
        raise ValueError(
            f"value/{data.dataset} has no training window; supervised value methods need one."
        )
    in_train = np.isin(window.rows, train)
    if in_train.sum() < 10:
        raise ValueError(
            f"only {int(in_train.sum())} training customers bought before the training cut "
            f"{window.training_cut}; too few to train {spec.name!r}."
        )
    rates = window.y.iloc[np.flatnonzero(in_train)] / window.length
    estimator.fit(window.X.iloc[np.flatnonzero(in_train)], rates)
    fit_seconds = time.perf_counter() - started
    per_week = np.asarray(estimator.predict(X_test), dtype=float).reshape(len(test), -1)
    return np.clip(per_week, 0, None) * data.holdout_length, fit_seconds


def _score_supervised(task: Task, data: ProblemData, options: dict) -> tuple[dict, float, dict]:
    from ecrm_methods.evaluation import classification_metrics, ordinal_metrics, value_metrics

    train, test = _fold_indices(data, task.split, task.n_folds, task.seed)[task.fold]
    if task.problem == "value":
        predictions, fit_seconds = value_fold_predictions(task.spec, data, train, test, task.seed)
        return value_metrics(data.y.iloc[test].to_numpy(), predictions), fit_seconds, {}
    if task.problem == "response":
        campaign = _campaign_of(data, options)
        if campaign is not data.campaign:  # the run's own cost and revenue
            data = dataclasses.replace(data, campaign=campaign)
    X_train, X_test = data.X.iloc[train], data.X.iloc[test]
    y_train, y_test = data.y.iloc[train], data.y.iloc[test]
    groups = _training_groups(data, task.split, train)
    estimator = task.spec.build(data, task.seed)
    started = time.perf_counter()
    _fit(estimator, X_train, y_train, groups)
    fit_seconds = time.perf_counter() - started
    details = {}
    if hasattr(estimator, "best_params_"):
        details["chosen"] = json.dumps(estimator.best_params_, sort_keys=True, default=str)
    if task.problem == "churn":
        threshold = inner_threshold(
            task.spec,
            data,
            X_train,
            y_train,
            groups,
            task.seed,
            options.get("threshold_cv", INNER_FOLDS),
            estimator,
        )
        metrics = classification_metrics(
            y_test.to_numpy(), _positive_proba(estimator, X_test), threshold
        )
    elif task.problem == "response":
        metrics, bounds = _response_scores(
            task, data, estimator, X_train, y_train, X_test, y_test, groups, options
        )
        if bounds:
            details["bounds"] = bounds
    else:
        predicted = np.asarray(estimator.predict(X_test))
        low_values = tuple(data.low_ratings or (1, 2))
        proba_low = None
        if hasattr(estimator, "predict_proba"):
            proba = np.asarray(estimator.predict_proba(X_test))
            classes = np.asarray(getattr(estimator, "classes_", []))
            if proba.ndim == 2 and classes.size == proba.shape[1]:
                proba_low = proba[:, np.isin(classes, low_values)].sum(axis=1)
        metrics = ordinal_metrics(
            y_test.to_numpy(),
            predicted,
            proba_low,
            low_values=low_values,
            scale=data.rating_scale,
        )
    return metrics, fit_seconds, details


def _response_scores(task, data, estimator, X_train, y_train, X_test, y_test, groups, options):
    """Response metrics of one fitted model, and bootstrap bounds on a single split."""
    from ecrm_methods.evaluation import SINGLE_SPLITS, bootstrap_metric_interval, response_metrics

    campaign = data.campaign
    depth = inner_campaign_depth(
        task.spec,
        data,
        X_train,
        y_train,
        groups,
        task.seed,
        options.get("threshold_cv", INNER_FOLDS),
        estimator,
        campaign,
    )
    scores = _positive_proba(estimator, X_test)
    truth = y_test.to_numpy()

    def score(y, s):
        return response_metrics(y, s, campaign.contact_cost, campaign.response_revenue, depth)

    metrics = score(truth, scores)
    bounds = {}
    if task.split in SINGLE_SPLITS:
        bounds = bootstrap_metric_interval(
            score,
            truth,
            scores,
            n_resamples=int(options.get("bootstrap_resamples", BOOTSTRAP_RESAMPLES)),
            random_state=task.seed,
        )
        bounds.pop("deployed_depth", None)  # chosen on the training rows: no sampling error here
    return metrics, bounds


def nearest_centre_labels(X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Labels with every unassigned customer (-1) placed at its nearest segment centre.

    A centre is the mean of a segment's assigned customers. Scoring every customer keeps a
    method that leaves hard customers unassigned (rough k-means' boundary region) from
    improving its own indices by dropping them.
    """
    labels = np.asarray(labels).copy()
    unassigned = labels < 0
    if not unassigned.any():
        return labels
    segments = np.unique(labels[~unassigned])
    if segments.size == 0:
        raise ValueError("every customer is unassigned (-1); there is no segment to score.")
    centres = np.stack([X[labels == s].mean(axis=0) for s in segments])
    distances = ((X[unassigned, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    labels[unassigned] = segments[distances.argmin(axis=1)]
    return labels


def _score_segmentation(task: Task, data: ProblemData, options: dict) -> tuple[dict, float, dict]:
    from ecrm_methods.evaluation import (
        bootstrap_metric_interval,
        bootstrap_stability,
        clustering_metrics,
        segment_outcome_metrics,
    )

    def build():
        estimator = task.spec.build(data, task.seed)
        if task.spec.segments_param is not None:
            estimator.set_params(**{task.spec.segments_param: options["n_segments"]})
        return estimator

    X = data.X.to_numpy(dtype=float)
    estimator = build()
    started = time.perf_counter()
    estimator.fit(data.X)
    fit_seconds = time.perf_counter() - started
    labels = np.asarray(estimator.labels_)
    metrics = clustering_metrics(X, labels, data.revenue, random_state=task.seed)
    scored = nearest_centre_labels(X, labels)
    bounds = {}
    if data.holdout_spend is not None:
        outcome = segment_outcome_metrics(scored, data.holdout_spend, data.holdout_churn)
        metrics.update(outcome)
        for name in ("eta_squared_holdout_spend", "churn_rate_range"):
            if name not in outcome:
                continue
            bounds[name] = bootstrap_metric_interval(
                lambda lab, spend, churn, name=name: segment_outcome_metrics(lab, spend, churn)[
                    name
                ],
                scored,
                np.asarray(data.holdout_spend, dtype=float),
                np.asarray(
                    data.holdout_churn if data.holdout_churn is not None else scored * 0,
                    dtype=float,
                ),
                n_resamples=int(options.get("bootstrap_resamples", BOOTSTRAP_RESAMPLES)),
                random_state=task.seed,
            )
    resamples = int(options.get("stability_resamples", 0))
    metrics["bootstrap_stability"] = (
        bootstrap_stability(
            build,
            data.X,
            n_resamples=resamples,
            random_state=task.seed,
            max_samples=options.get("stability_max_samples"),
        )
        if resamples > 0
        else float("nan")
    )
    return metrics, fit_seconds, {"bounds": bounds}


def execute_task(task: Task) -> list[dict]:
    """Run one task and return its result rows (never raises: failures become rows).

    Warnings raised during the fit and scoring are recorded, not silenced: each row carries
    their count and the first message. (Python's warning filters are process-global: when
    tasks run in threads of one process, a warning may be attributed to a neighbouring task;
    process workers, the default, are exact.)
    """
    options = dict(task.options)
    base = {
        "problem": task.problem,
        "dataset": task.dataset,
        "method": task.spec.name,
        "family": task.spec.family,
        "seed": task.seed,
        "fold": task.fold,
        "split": task.split,
    }
    caught: list[warnings.WarningMessage] = []
    started = time.perf_counter()
    try:
        from threadpoolctl import threadpool_limits

        data = load_problem(task.problem, task.dataset)
        with warnings.catch_warnings(record=True) as caught, threadpool_limits(limits=task.threads):
            warnings.simplefilter("always")
            if task.problem == "segmentation":
                metrics, fit_seconds, details = _score_segmentation(task, data, options)
            else:
                metrics, fit_seconds, details = _score_supervised(task, data, options)
    except Exception as error:  # noqa: BLE001 - a failing method is recorded, the run goes on
        message = f"{type(error).__name__}: {error}".replace("\n", " ")[:500]
        last = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
        where = f" (at {Path(last[0].filename).name}:{last[0].lineno})" if last else ""
        return [
            {
                **base,
                "metric": metric,
                "value": float("nan"),
                "fit_seconds": float("nan"),
                "error": message + where,
                **_warning_columns(caught),
                "boot_low": float("nan"),
                "boot_high": float("nan"),
                "chosen": "",
                "task_seconds": time.perf_counter() - started,
            }
            for metric in PROBLEM_METRICS[task.problem]
        ]
    bounds = details.get("bounds", {})
    task_seconds = time.perf_counter() - started
    return [
        {
            **base,
            "metric": metric,
            "value": float(value),
            "fit_seconds": fit_seconds,
            "error": "",
            **_warning_columns(caught),
            "boot_low": float(bounds.get(metric, (np.nan, np.nan))[0]),
            "boot_high": float(bounds.get(metric, (np.nan, np.nan))[1]),
            "chosen": details.get("chosen", ""),
            "task_seconds": task_seconds,
        }
        for metric, value in metrics.items()
    ]


def _warning_columns(caught) -> dict:
    caught = list(caught or [])
    first = ""
    if caught:
        first_warning = caught[0]
        first = f"{first_warning.category.__name__}: {first_warning.message}"
        first = first.replace("\n", " ")[:300]
    return {"n_warnings": len(caught), "warning": first}


# --------------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# run_benchmark
# --------------------------------------------------------------------------------------------


def _fingerprint(spec: MethodSpec, data: ProblemData, seed: int, options: dict) -> str:
    """The estimator a task will fit, as cache identity (a failing factory is not an error
    here: the task records it when it runs)."""
    try:
        estimator = spec.build(data, seed)
        if spec.segments_param is not None and "n_segments" in options:
            estimator.set_params(**{spec.segments_param: options["n_segments"]})
    except Exception as error:  # noqa: BLE001
        return f"factory failed: {type(error).__name__}: {error}"
    return estimator_fingerprint(estimator)


def _progress(total: int, verbose: int, description: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not verbose, desc=description, unit="fit")


def _run_local(tasks: list[Task], n_jobs: int, bar) -> Iterable[tuple[Task, list[dict]]]:
    if n_jobs == 1 or len(tasks) <= 1:
        for task in tasks:
            bar.set_postfix_str(f"{task.problem}/{task.dataset}/{task.spec.name}", refresh=False)
            yield task, execute_task(task)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    for index, rows in parallel(delayed(_indexed_task)(i, tasks[i]) for i in range(len(tasks))):
        yield tasks[index], rows


def _indexed_task(index: int, task: Task) -> tuple[int, list[dict]]:
    return index, execute_task(task)


def _run_dask(tasks: list[Task], scheduler: Any) -> Iterable[tuple[Task, list[dict]]]:
    from distributed import Client, as_completed

    own_client = not isinstance(scheduler, Client)
    client = Client(scheduler) if own_client else scheduler
    try:
        futures = {
            client.submit(_indexed_task, i, task, pure=False): i for i, task in enumerate(tasks)
        }
        for future in as_completed(list(futures)):
            index, rows = future.result()
            yield tasks[index], rows
    finally:
        if own_client:
            client.close()


def task_options(
    *,
    stability_resamples: int = 10,
    threshold_cv: int = INNER_FOLDS,
    n_segments: int = 4,
    bootstrap_resamples: int = BOOTSTRAP_RESAMPLES,
    stability_max_samples: int | None = 5000,
    campaign: tuple[float, float] | None = None,
) -> dict[str, tuple]:
    """The per-problem options every task of a run carries (and its cache key hashes).

    The keyword arguments are :func:`run_benchmark`'s, with the same defaults.

    Returns
    -------
    dict
        problem name -> tuple of (option, value) pairs; problems without options are absent.

    Raises
    ------
    ValueError
        An option out of range, named in the message.
    """
    if isinstance(n_segments, bool) or not isinstance(n_segments, int | np.integer):
        raise ValueError(f"`n_segments` must be an integer >= 2, got {n_segments!r}.")
    if n_segments < 2:
        raise ValueError(f"`n_segments` must be an integer >= 2, got {n_segments!r}.")
    if threshold_cv not in (0, 1) and threshold_cv < 2:
        raise ValueError(f"`threshold_cv` must be 0 or an integer >= 2, got {threshold_cv!r}.")
    if campaign is not None:
        from ecrm_methods.problems import CampaignEconomics

        if isinstance(campaign, str) or np.ndim(campaign) != 1 or len(campaign) != 2:
            raise ValueError(
                "`campaign` must be (contact_cost, response_revenue), e.g. (3, 11), got "
                f"{campaign!r}."
            )
        CampaignEconomics(*campaign, source="run option")  # raises on invalid figures
    return {
        "segmentation": (
            ("bootstrap_resamples", int(bootstrap_resamples)),
            ("n_segments", int(n_segments)),
            ("stability_max_samples", stability_max_samples),
            ("stability_resamples", int(stability_resamples)),
        ),
        "churn": (("threshold_cv", int(threshold_cv)),),
        "response": (
            ("bootstrap_resamples", int(bootstrap_resamples)),
            ("threshold_cv", int(threshold_cv)),
            *((("campaign", tuple(float(v) for v in campaign)),) if campaign else ()),
        ),
    }


def build_tasks(
    cells: Sequence[tuple[str, str, Sequence[MethodSpec]]],
    n_folds: int,
    seeds: Sequence[int],
    options: dict[str, tuple],
    *,
    random_split_too: bool = True,
    threads_per_task: int | None = None,
) -> list[Task]:
    """Every task of a grid: each method on each split, seed and fold of each cell.

    Parameters
    ----------
    cells : list of (problem, dataset, list of MethodSpec)
        What :func:`resolve_grid` returns.
    n_folds : int
        Cross-validation folds (a single split such as the temporal one has one task).
    seeds : sequence of int
        Seeds of the folds and of the methods.
    options : dict
        What :func:`task_options` returns.
    random_split_too : bool, default=True
        Also the random-fold comparison on pairs with a grouped or temporal split.
    threads_per_task : int or None
        BLAS/OpenMP threads per fit.

    Returns
    -------
    list of Task
        In grid order; run one with :func:`execute_task`.
    """
    tasks: list[Task] = []
    for problem, dataset, specs in cells:
        data = load_problem(problem, dataset)
        problem_options = options.get(problem, ())
        for split in _splits_for(data, random_split_too):
            single = split in evaluation.SINGLE_SPLITS
            folds = [0] if single else range(n_folds)
            for spec in specs:
                for seed in seeds:
                    fingerprint = _fingerprint(spec, data, seed, dict(problem_options))
                    for fold in folds:
                        tasks.append(
                            Task(
                                problem,
                                dataset,
                                spec,
                                seed,
                                fold,
                                split,
                                0 if single else n_folds,
                                data.checksum,
                                problem_options,
                                threads_per_task,
                                fingerprint,
                            )
                        )
    return tasks


def run_benchmark(
    problems: str | Sequence[str] = "all",
    datasets: str | Sequence[str] | None = None,
    methods: str | Sequence[str] = "all",
    n_folds: int = 5,
    seeds: Sequence[int] | int = (0, 1, 2),
    out_dir: str | os.PathLike | None = "results",
    n_jobs: int = 1,
    scheduler: Any = None,
    cache_dir: str | os.PathLike | None = None,
    random_split_too: bool = True,
    verbose: int = 1,
    *,
    family: str | Sequence[str] | None = None,
    stability_resamples: int = 10,
    threshold_cv: int = INNER_FOLDS,
    n_segments: int = 4,
    bootstrap_resamples: int = BOOTSTRAP_RESAMPLES,
    stability_max_samples: int | None = 5000,
    plots: bool = True,
    use_cache: bool = True,
    threads_per_task: int | None = None,
    campaign: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Run registered methods on (problem, dataset) pairs and write the results.

    Parameters
    ----------
    problems : str or sequence, default="all"
        Problem names (``"all"``: every problem).
    datasets : str, sequence or None
        Dataset names; None / ``"all"``: every available dataset of the chosen problems.
    methods : str or sequence, default="all"
        Method names (``"all"``: every registered method that applies).
    n_folds : int, default=5
        Cross-validation folds (ignored for segmentation, which is fitted on all customers).
    seeds : sequence of int or int, default=(0, 1, 2)
        Seeds of the fold assignment and of the methods; an int ``n`` means ``range(n)``.
    out_dir : path or None, default="results"
        Where ``results.csv``, ``leaderboard.md`` and ``plots/`` are written (None: nothing
        is written, results are only returned).
    n_jobs : int, default=1
        Local worker processes (joblib); -1 = all cores.
    scheduler : str, distributed.Client or None
        Address of a Dask scheduler (or a connected client): run the grid on that cluster.
    cache_dir : path or None
        Result cache (default ``out_dir / "cache"``); one file per task key.
    random_split_too : bool, default=True
        For pairs with near-duplicate groups, also run plain stratified folds for comparison
        with published results.
    verbose : int, default=1
        0 switches the progress bar and messages off.
    family : str or sequence, optional
        Keep only these method families.
    stability_resamples : int, default=10
        Bootstrap resamples of the segmentation stability metric (0 skips it).
    threshold_cv : int, default=3
        k >= 2: the churn F1 threshold and the response campaign depth are chosen on
        out-of-fold predictions of a k-fold grouped cross-validation within the training fold
        (k more fits); 0: on the fitted model's in-sample training-fold predictions (cheaper
        and optimistic for models that nearly memorise their training rows).
    n_segments : int, default=4
        Every segmentation method that can is compared at this number of segments, so the
        criteria measure the method and not the choice of k; fixed schemes (RFM quintile
        tiers) and methods that choose their own k keep theirs and say so.
    bootstrap_resamples : int, default=100
        Resamples of the bootstrap interval over customers of a single-split metric
        (segmentation, and the response problem's temporal split).
    stability_max_samples : int or None, default=5000
        Customers drawn for each stability refit (None: all); the refits are what makes the
        segmentation grid slow on tens of thousands of customers.
    plots : bool, default=True
        Draw the PNG plots.
    use_cache : bool, default=True
        Read cached results (new results are always written when a cache directory exists).
    threads_per_task : int or None, default=None
        Limit the BLAS / OpenMP threads of each fit (threadpoolctl); 1 avoids
        oversubscription on a busy machine. None leaves the libraries' defaults (joblib
        workers already get ``cores / n_jobs`` threads each).
    campaign : (contact_cost, response_revenue) or None, default=None
        Response problem: judge every campaign with this cost of a contact and revenue of a
        response instead of each dataset's own (Customer Personality's published 3 and 11;
        for Online Shoppers, which publishes none, the same figures are an assumption).

    Returns
    -------
    pandas.DataFrame
        The tidy results with columns :data:`RESULT_COLUMNS`.

    References
    ----------
    Demsar, J. (2006). Statistical comparisons of classifiers over multiple data sets. Journal
    of Machine Learning Research, 7, 1-30.
    """
    if isinstance(seeds, int | np.integer):
        if seeds < 1:
            raise ValueError(f"`seeds` must be a positive count or a list of seeds, got {seeds}.")
        seeds = tuple(range(int(seeds)))
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("`seeds` is empty; pass at least one seed, e.g. seeds=(0,).")
    if isinstance(n_folds, bool) or not isinstance(n_folds, int | np.integer) or n_folds < 2:
        raise ValueError(f"`n_folds` must be an integer >= 2, got {n_folds!r}.")
    if not isinstance(n_jobs, int | np.integer) or n_jobs == 0:
        raise ValueError(f"`n_jobs` must be a non-zero integer (-1 = all cores), got {n_jobs!r}.")
    cells = resolve_grid(problems, datasets, methods, family)
    out_path = Path(out_dir) if out_dir is not None else None
    if cache_dir is None and out_path is not None:
        cache_dir = out_path / "cache"
    cache_path = Path(cache_dir) if cache_dir is not None else None
    options = task_options(
        stability_resamples=stability_resamples,
        threshold_cv=threshold_cv,
        n_segments=n_segments,
        bootstrap_resamples=bootstrap_resamples,
        stability_max_samples=stability_max_samples,
        campaign=campaign,
    )
    tasks = build_tasks(
        cells,
        n_folds,
        seeds,
        options,
        random_split_too=random_split_too,
        threads_per_task=threads_per_task,
    )

    rows: list[dict] = []
    pending: list[Task] = []
    for task in tasks:
        cached = read_cache(cache_path, task) if use_cache else None
        if cached is None:
            pending.append(task)
        else:
            rows.extend(cached)
    if verbose:
        print(
            f"benchmark: {len(cells)} pair(s), {len(tasks)} fit(s): "
            f"{len(tasks) - len(pending)} cached, {len(pending)} to run"
            + (
                f" on {scheduler}"
                if scheduler is not None
                else f" with {n_jobs} job(s)"
                if n_jobs != 1
                else ""
            )
        )
    bar = _progress(len(pending), verbose, "benchmark")
    try:
        runner = (
            _run_dask(pending, scheduler)
            if scheduler is not None and pending
            else (_run_local(pending, int(n_jobs), bar))
        )
        for task, task_rows in runner:
            write_cache(cache_path, task, task_rows)
            rows.extend(task_rows)
            bar.update(1)
    finally:
        bar.close()

    results = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    results = results.sort_values(
        ["problem", "dataset", "split", "method", "seed", "fold", "metric"], kind="stable"
    ).reset_index(drop=True)
    if out_path is not None:
        out_path.mkdir(parents=True, exist_ok=True)
        results.to_csv(out_path / "results.csv", index=False)
        write_leaderboard(results, out_path / "leaderboard.md", cells=cells)
        if plots:
            plot_benchmark_results(
                headline_rows(results),
                out_path / "plots",
                HEADLINE_METRIC,
                family_comparison=family_comparison(results),
            )
    failed = results.loc[results["error"].astype(bool), ["method", "dataset", "error"]]
    if verbose and len(failed):
        for (method, dataset), group in failed.groupby(["method", "dataset"]):
            print(f"  FAILED {method} on {dataset}: {group['error'].iloc[0]}")
    return results


#: The main job's grid: every available dataset, 3 folds, 1 seed, 2 local processes. The full
#: grid of the comparison is ``ecrm benchmark --folds 5 --seeds 1 --jobs 2``.
MAIN_JOB = {"n_folds": 3, "seeds": 1, "stability_resamples": 10, "methods": "comparison"}
QUICK_JOB = {"n_folds": 2, "seeds": 1, "stability_resamples": 2, "methods": "comparison"}


def run_main_job(
    out_dir: str | os.PathLike = "results", quick: bool = False, n_jobs: int | None = None
) -> int:
    """The README's main job: the baseline-and-family benchmark on every available dataset.

    It runs the comparison (``methods="comparison"``: each family's primary method and the
    practitioner baselines) at 3 folds and 1 seed, which on the embedded CDNOW data alone takes
    minutes on 2 cores. The secondary methods (the hybrids ``tsk_rules``,
    ``genetic_fuzzy_rules`` and ``rough_neural``, and variants such as ``mlp_balanced``) are
    in the full grid, ``ecrm benchmark --folds 5 --seeds 1 --jobs 2``: on CDNOW churn alone
    the neuro-fuzzy rules took 4-10 minutes a fold on a shared 2-core machine (an inner search
    over the consequent order plus the out-of-fold threshold fits), more than the comparison.

    Parameters
    ----------
    out_dir : path
        Output folder.
    quick : bool
        A small smoke grid (2 folds, 1 seed, 2 stability refits).
    n_jobs : int or None
        Local worker processes; None: up to 2 (the cores of the reference machine).

    Returns
    -------
    int
        Exit status: 1 when any fit failed (after everything was written), else 0.
    """
    grid = QUICK_JOB if quick else MAIN_JOB
    if n_jobs is None:
        n_jobs = max(1, min(2, os.cpu_count() or 1))
    started = time.perf_counter()
    results = run_benchmark(
        problems="all",
        datasets=None,
        out_dir=out_dir,
        n_jobs=n_jobs,
        **grid,
    )
    print(headline_markdown(results))
    minutes = (time.perf_counter() - started) / 60
    print(
        f"main job: {grid['n_folds']} folds, {grid['seeds']} seed(s), {n_jobs} job(s), "
        f"{minutes:.1f} min; leaderboard: {Path(out_dir) / 'leaderboard.md'}. The full grid: "
        "`ecrm benchmark --folds 5 --seeds 1 --jobs 2` (every method, the hybrids included)."
    )
    failed = results.loc[results["error"].astype(bool)]
    if not failed.empty:
        tasks = failed.drop_duplicates(["problem", "dataset", "method", "seed", "fold", "split"])
        print(f"main job: {len(tasks)} fit(s) failed; see the FAILED lines above")
        return 1
    return 0
