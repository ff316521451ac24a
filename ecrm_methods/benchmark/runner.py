"""The method x problem x dataset benchmark runner (what ``ecrm benchmark`` calls).

:func:`run_benchmark` runs every selected registered method
(:mod:`ecrm_methods.benchmark.registry`) on
every selected (problem, dataset) pair, over several seeds and cross-validation folds, and
writes

- ``results.csv``: the tidy table ``problem, dataset, method, family, seed, fold, metric,
  value, fit_seconds, split, error`` (``split`` is ``grouped`` for folds that keep
  near-duplicate groups together, ``random`` for plain stratified folds, ``full`` for
  segmentation, which is fitted on all customers; ``error`` holds the message of a failed fit);
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
- Churn: the F1 threshold is chosen on predictions for the training fold only (in-sample by
  default, or out-of-fold within the training fold with ``threshold_cv >= 2``).
- Value: customers are split into folds; models are fitted on the calibration summary and the
  holdout targets of the training customers and scored on the other customers' holdout.
- Segmentation: each method is fitted on all customers per seed; stability is the mean
  adjusted Rand index against refits on bootstrap resamples.
"""

from __future__ import annotations

import hashlib
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

from ecrm_methods import evaluation
from ecrm_methods.benchmark import methods as _registrations  # noqa: F401  (registers all)
from ecrm_methods.benchmark.cache import CACHE_VERSION, read_cache, write_cache
from ecrm_methods.benchmark.registry import MethodSpec, get_methods
from ecrm_methods.benchmark.report import (
    HEADLINE_METRIC,
    PROBLEM_METRICS,
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
    "resolve_grid",
    "run_benchmark",
    "run_main_job",
]

#: The evaluation module's tidy columns plus the split protocol and a failed fit's error.
RESULT_COLUMNS = (*evaluation.RESULT_COLUMNS, "split", "error")


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

    @property
    def key(self) -> str:
        """Cache key: method, params, dataset checksum, seed, fold, split, protocol."""
        payload = {
            "version": CACHE_VERSION,
            "problem": self.problem,
            "dataset": self.dataset,
            "method": self.spec.name,
            "family": self.spec.family,
            "params": self.spec.params,
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
    methods : str, sequence of str or "all"
        Method names.
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
    method_names = _as_list(methods)
    all_specs = [s for p in problem_names for s in get_methods(problem=p, family=families)]
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
                for s in get_methods(problem=problem, family=families, dataset=dataset)
                if method_names is None or s.name in method_names
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
    if data.groups is not None:
        return ["grouped", "random"] if random_split_too else ["grouped"]
    return ["random"]


# --------------------------------------------------------------------------------------------
# Executing one task
# --------------------------------------------------------------------------------------------

_SPLIT_CACHE: dict[tuple, list] = {}


def _fold_indices(data: ProblemData, split: str, n_folds: int, seed: int):
    from ecrm_methods.evaluation import make_splits

    key = (data.problem, data.dataset, data.checksum, split, n_folds, seed)
    if key not in _SPLIT_CACHE:
        groups = data.groups if split == "grouped" else None
        if data.problem == "value" or data.y is None:
            folds = make_splits(
                None, groups=groups, n_folds=n_folds, random_state=seed, n_samples=len(data.X)
            )
        else:
            folds = make_splits(
                data.y.to_numpy(), groups=groups, n_folds=n_folds, random_state=seed
            )
        _SPLIT_CACHE[key] = folds
    return _SPLIT_CACHE[key]


def _positive_proba(estimator, X) -> np.ndarray:
    proba = np.asarray(estimator.predict_proba(X))
    if proba.ndim == 1:
        return proba
    classes = list(getattr(estimator, "classes_", range(proba.shape[1])))
    column = classes.index(1) if 1 in classes else proba.shape[1] - 1
    return proba[:, column]


def _training_threshold(spec, data, X_train, y_train, seed, threshold_cv, fitted):
    from sklearn.model_selection import StratifiedKFold

    from ecrm_methods.evaluation import choose_threshold

    if threshold_cv and threshold_cv >= 2:
        proba = np.zeros(len(y_train))
        splitter = StratifiedKFold(int(threshold_cv), shuffle=True, random_state=seed)
        for inner_train, inner_test in splitter.split(np.zeros(len(y_train)), y_train):
            inner = spec.build(data, seed)
            inner.fit(X_train.iloc[inner_train], y_train.iloc[inner_train])
            proba[inner_test] = _positive_proba(inner, X_train.iloc[inner_test])
    else:
        proba = _positive_proba(fitted, X_train)
    return choose_threshold(y_train.to_numpy(), proba)


def _score_supervised(task: Task, data: ProblemData, options: dict) -> tuple[dict, float]:
    from ecrm_methods.evaluation import classification_metrics, ordinal_metrics, value_metrics

    train, test = _fold_indices(data, task.split, task.n_folds, task.seed)[task.fold]
    X_train, X_test = data.X.iloc[train], data.X.iloc[test]
    y_train, y_test = data.y.iloc[train], data.y.iloc[test]
    estimator = task.spec.build(data, task.seed)
    started = time.perf_counter()
    estimator.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - started
    if task.problem == "churn":
        threshold = _training_threshold(
            task.spec,
            data,
            X_train,
            y_train,
            task.seed,
            options.get("threshold_cv", 0),
            estimator,
        )
        metrics = classification_metrics(
            y_test.to_numpy(), _positive_proba(estimator, X_test), threshold
        )
    elif task.problem == "satisfaction":
        predicted = np.asarray(estimator.predict(X_test))
        low_values = tuple(data.low_ratings or (1, 2))
        proba_low = None
        if hasattr(estimator, "predict_proba"):
            proba = np.asarray(estimator.predict_proba(X_test))
            classes = np.asarray(getattr(estimator, "classes_", []))
            if proba.ndim == 2 and classes.size == proba.shape[1]:
                proba_low = proba[:, np.isin(classes, low_values)].sum(axis=1)
        metrics = ordinal_metrics(y_test.to_numpy(), predicted, proba_low, low_values=low_values)
    elif task.problem == "value":
        metrics = value_metrics(y_test.to_numpy(), np.asarray(estimator.predict(X_test)))
    else:  # pragma: no cover - guarded by PROBLEMS
        raise ValueError(f"no supervised scoring for problem {task.problem!r}")
    return metrics, fit_seconds


def _score_segmentation(task: Task, data: ProblemData, options: dict) -> tuple[dict, float]:
    from ecrm_methods.evaluation import bootstrap_stability, clustering_metrics

    estimator = task.spec.build(data, task.seed)
    started = time.perf_counter()
    estimator.fit(data.X)
    fit_seconds = time.perf_counter() - started
    labels = np.asarray(estimator.labels_)
    metrics = clustering_metrics(
        data.X.to_numpy(dtype=float), labels, data.revenue, random_state=task.seed
    )
    resamples = int(options.get("stability_resamples", 20))
    if resamples > 0:
        metrics["bootstrap_stability"] = bootstrap_stability(
            lambda: task.spec.build(data, task.seed),
            data.X,
            n_resamples=resamples,
            random_state=task.seed,
        )
    else:
        metrics["bootstrap_stability"] = float("nan")
    return metrics, fit_seconds


def _execute_task(task: Task) -> list[dict]:
    """Run one task and return its result rows (never raises: failures become rows)."""
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
    try:
        from threadpoolctl import threadpool_limits

        data = load_problem(task.problem, task.dataset)
        with warnings.catch_warnings(), threadpool_limits(limits=task.threads):
            warnings.simplefilter("ignore")
            if task.problem == "segmentation":
                metrics, fit_seconds = _score_segmentation(task, data, options)
            else:
                metrics, fit_seconds = _score_supervised(task, data, options)
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
            }
            for metric in PROBLEM_METRICS[task.problem]
        ]
    return [
        {**base, "metric": metric, "value": float(value), "fit_seconds": fit_seconds, "error": ""}
        for metric, value in metrics.items()
    ]


# --------------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# run_benchmark
# --------------------------------------------------------------------------------------------


def _progress(total: int, verbose: int, description: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not verbose, desc=description, unit="fit")


def _run_local(tasks: list[Task], n_jobs: int, bar) -> Iterable[tuple[Task, list[dict]]]:
    if n_jobs == 1 or len(tasks) <= 1:
        for task in tasks:
            bar.set_postfix_str(f"{task.problem}/{task.dataset}/{task.spec.name}", refresh=False)
            yield task, _execute_task(task)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    for index, rows in parallel(delayed(_indexed_task)(i, tasks[i]) for i in range(len(tasks))):
        yield tasks[index], rows


def _indexed_task(index: int, task: Task) -> tuple[int, list[dict]]:
    return index, _execute_task(task)


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
    stability_resamples: int = 20,
    threshold_cv: int = 0,
    plots: bool = True,
    use_cache: bool = True,
    threads_per_task: int | None = None,
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
    stability_resamples : int, default=20
        Bootstrap resamples of the segmentation stability metric (0 skips it).
    threshold_cv : int, default=0
        0: the churn F1 threshold is chosen on in-sample training-fold predictions; k >= 2:
        on k-fold out-of-fold predictions within the training fold (k more fits).
    plots : bool, default=True
        Draw the PNG plots.
    use_cache : bool, default=True
        Read cached results (new results are always written when a cache directory exists).
    threads_per_task : int or None, default=None
        Limit the BLAS / OpenMP threads of each fit (threadpoolctl); 1 avoids
        oversubscription on a busy machine. None leaves the libraries' defaults (joblib
        workers already get ``cores / n_jobs`` threads each).

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
    options = (
        ("stability_resamples", int(stability_resamples)),
        ("threshold_cv", int(threshold_cv)),
    )

    tasks: list[Task] = []
    for problem, dataset, specs in cells:
        data = load_problem(problem, dataset)
        task_options = tuple(
            o for o in options if (o[0] == "stability_resamples") == (problem == "segmentation")
        )
        for split in _splits_for(data, random_split_too):
            folds = [0] if split == "full" else range(n_folds)
            for spec in specs:
                for seed in seeds:
                    for fold in folds:
                        tasks.append(
                            Task(
                                problem,
                                dataset,
                                spec,
                                seed,
                                fold,
                                split,
                                n_folds if split != "full" else 0,
                                data.checksum,
                                task_options,
                                threads_per_task,
                            )
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
            plot_benchmark_results(headline_rows(results), out_path / "plots", HEADLINE_METRIC)
    failed = results.loc[results["error"].astype(bool), ["method", "dataset", "error"]]
    if verbose and len(failed):
        for (method, dataset), group in failed.groupby(["method", "dataset"]):
            print(f"  FAILED {method} on {dataset}: {group['error'].iloc[0]}")
    return results


def run_main_job(out_dir: str | os.PathLike = "results", quick: bool = False) -> int:
    """The README's main job: the baseline-and-family benchmark on every available dataset.

    Parameters
    ----------
    out_dir : path
        Output folder.
    quick : bool
        A small smoke grid (2 folds, 1 seed).

    Returns
    -------
    int
        Exit status (0 unless every fit failed).
    """
    results = run_benchmark(
        problems="all",
        datasets=None,
        methods="all",
        n_folds=2 if quick else 5,
        seeds=1 if quick else 3,
        out_dir=out_dir,
        stability_resamples=3 if quick else 20,
    )
    print(headline_markdown(results))
    print(f"leaderboard: {Path(out_dir) / 'leaderboard.md'}")
    return 1 if results["error"].astype(bool).all() else 0
