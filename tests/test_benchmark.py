"""Benchmark runner: results table, leakage, cache, failures, Dask and the command line.

All runs use the embedded CDNOW sample (value problem), 2 folds, 1 seed and fast baselines.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.pipeline import Pipeline

from ecrm_methods.baselines import NaiveValueForecaster
from ecrm_methods.benchmark import (
    PROBLEM_METRICS,
    RESULT_COLUMNS,
    resolve_grid,
    run_benchmark,
    runner,
)
from ecrm_methods.benchmark.registry import get_methods, register_method, temporary_registrations
from ecrm_methods.problems import load_problem

FAST = ["naive_rate", "bgnbd_gamma_gamma"]
GRID = {
    "problems": "value",
    "datasets": "cdnow-sample",
    "n_folds": 2,
    "seeds": (0,),
    "verbose": 0,
    "plots": False,
}


@pytest.fixture
def temporary_methods():
    with temporary_registrations():

        def add(name, factory, problem="value", **kwargs):
            if problem == "value":
                kwargs.setdefault("learns_from", "calibration")
            register_method(name, "baseline", problem, factory, **kwargs)

        yield add


def _comparable(results: pd.DataFrame) -> pd.DataFrame:
    keys = ["problem", "dataset", "split", "method", "seed", "fold", "metric"]
    timings = ["fit_seconds", "task_seconds"]
    return results.drop(columns=timings).sort_values(keys).reset_index(drop=True)


def test_run_writes_the_tidy_table_and_leaderboard(tmp_path):
    results = run_benchmark(methods=FAST, out_dir=tmp_path, **{**GRID, "plots": True})
    assert list(results.columns) == list(RESULT_COLUMNS)
    assert set(results["method"]) == set(FAST)
    assert set(results["fold"]) == {0, 1} and set(results["seed"]) == {0}
    assert set(results["split"]) == {"random"}
    assert (results["error"] == "").all() and results["value"].notna().all()
    assert {"mae_spend", "spearman_spend", "top20_revenue_capture"} <= set(results["metric"])
    on_disk = pd.read_csv(tmp_path / "results.csv", keep_default_na=False)
    assert len(on_disk) == len(results)
    board = (tmp_path / "leaderboard.md").read_text()
    assert "value / cdnow-sample" in board and "bgnbd_gamma_gamma" in board
    assert (tmp_path / "plots" / "value_mae_spend.png").exists()
    # BG/NBD beats the naive rate on holdout purchases (FHL 2005)
    mae = results[results["metric"] == "mae_purchases"].groupby("method")["value"].mean()
    assert mae["bgnbd_gamma_gamma"] < mae["naive_rate"]


class RowRecorder(TransformerMixin, BaseEstimator):
    """Passes X through and records the index labels it is fitted on and transforms."""

    log: list = []

    def fit(self, X, y=None):
        self.fitted_rows_ = frozenset(X.index)
        RowRecorder.log.append(("fit", id(self), self.fitted_rows_))
        return self

    def transform(self, X):
        RowRecorder.log.append(("transform", id(self), frozenset(X.index)))
        return X


def test_preprocessing_never_sees_a_test_row_while_fitting(tmp_path, temporary_methods):
    def factory(data, seed):
        return Pipeline(
            [
                ("record", RowRecorder()),
                ("model", NaiveValueForecaster(holdout_length=data.holdout_length)),
            ]
        )

    RowRecorder.log = []
    temporary_methods("row_recorder", factory, params={"test": "leakage"})
    run_benchmark(methods=["row_recorder"], out_dir=None, **{**GRID, "n_folds": 3})
    n_rows = len(load_problem("value", "cdnow-sample").X)
    fits = {key: rows for kind, key, rows in RowRecorder.log if kind == "fit"}
    assert len(fits) == 3  # one recorder per fold
    for key, fitted in fits.items():
        scored = [rows for kind, k, rows in RowRecorder.log if kind == "transform" and k == key]
        test_rows = [rows for rows in scored if rows != fitted]
        assert len(test_rows) == 1
        assert not (fitted & test_rows[0]), "a test row was in the rows the transformer was fit on"
        assert len(fitted) + len(test_rows[0]) == n_rows


def test_cache_hits_and_misses(tmp_path, monkeypatch):
    calls = []
    original = runner.execute_task

    def counting(task):
        calls.append((task.spec.name, task.seed, task.fold))
        return original(task)

    monkeypatch.setattr(runner, "execute_task", counting)
    first = run_benchmark(methods=FAST, out_dir=tmp_path, **GRID)
    assert len(calls) == 4  # 2 methods x 2 folds
    calls.clear()
    again = run_benchmark(methods=FAST, out_dir=tmp_path, **GRID)
    assert calls == []  # everything from the cache
    pd.testing.assert_frame_equal(_comparable(first), _comparable(again))
    # a new seed is computed, the old one is not
    run_benchmark(methods=FAST, out_dir=tmp_path, **{**GRID, "seeds": (0, 1)})
    assert sorted(calls) == sorted((m, 1, f) for m in FAST for f in (0, 1))
    calls.clear()
    # another cache directory is a miss
    run_benchmark(methods=["naive_rate"], out_dir=tmp_path, cache_dir=tmp_path / "other", **GRID)
    assert len(calls) == 2


def test_changed_params_invalidate_the_cache(tmp_path, temporary_methods):
    def factory(data, seed):
        return NaiveValueForecaster(holdout_length=data.holdout_length)

    temporary_methods("naive_copy", factory, params={"version": 1})
    run_benchmark(methods=["naive_copy"], out_dir=tmp_path, **GRID)
    task_files = sorted((tmp_path / "cache").rglob("naive_copy-*.pkl"))
    assert len(task_files) == 2
    temporary_methods("naive_copy", factory, params={"version": 2})
    run_benchmark(methods=["naive_copy"], out_dir=tmp_path, **GRID)
    assert len(sorted((tmp_path / "cache").rglob("naive_copy-*.pkl"))) == 4


class Broken(RegressorMixin, BaseEstimator):
    def fit(self, X, y=None):
        raise RuntimeError("this method always fails")


def test_a_failing_method_is_recorded_and_the_run_goes_on(tmp_path, temporary_methods):
    temporary_methods("always_fails", lambda data, seed: Broken())
    results = run_benchmark(methods=["always_fails", "naive_rate"], out_dir=tmp_path, **GRID)
    failed = results[results["method"] == "always_fails"]
    assert len(failed) == 2 * len(PROBLEM_METRICS["value"])
    assert failed["value"].isna().all()
    assert failed["error"].str.contains("RuntimeError: this method always fails").all()
    fine = results[results["method"] == "naive_rate"]
    assert fine["value"].notna().all() and (fine["error"] == "").all()
    assert "`always_fails` FAILED: RuntimeError" in (tmp_path / "leaderboard.md").read_text()
    # failures are not cached: the next run tries again
    assert not list((tmp_path / "cache").rglob("always_fails-*.pkl"))


def test_unknown_names_are_reported_with_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown problem\(s\) \['valeu'\].*'value'"):
        resolve_grid("valeu")
    with pytest.raises(ValueError, match=r"unknown dataset\(s\) \['cdnow-small'\].*cdnow-sample"):
        resolve_grid("value", "cdnow-small")
    with pytest.raises(ValueError, match=r"unknown method\(s\) \['prophet'\].*naive_rate"):
        resolve_grid("value", "cdnow-sample", "naive_rate,prophet")
    with pytest.raises(ValueError, match="n_folds"):
        run_benchmark(methods=FAST, out_dir=None, **{**GRID, "n_folds": 1})


def test_parallel_jobs_give_the_same_table(tmp_path):
    sequential = run_benchmark(methods=FAST, out_dir=None, **GRID)
    parallel = run_benchmark(methods=FAST, out_dir=None, n_jobs=2, **GRID)
    pd.testing.assert_frame_equal(_comparable(sequential), _comparable(parallel))


def test_dask_cluster_gives_the_same_table_as_the_local_run(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = run_benchmark(methods=FAST, out_dir=tmp_path / "local", **GRID)
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    try:
        with distributed.Client(cluster) as client:
            remote = run_benchmark(
                methods=FAST, out_dir=tmp_path / "dask", scheduler=client, **GRID
            )
            # the address form: the runner opens and closes its own client
            again = run_benchmark(
                methods=FAST,
                out_dir=tmp_path / "dask2",
                scheduler=cluster.scheduler_address,
                **GRID,
            )
    finally:
        cluster.close()
    pd.testing.assert_frame_equal(_comparable(local), _comparable(remote))
    pd.testing.assert_frame_equal(_comparable(local), _comparable(again))


def test_segmentation_runs_on_all_customers_with_stability(tmp_path, temporary_methods):
    from sklearn.cluster import KMeans

    temporary_methods(
        "kmeans_3",
        lambda data, seed: KMeans(3, n_init=1, random_state=seed),
        problem="segmentation",
    )
    results = run_benchmark(
        problems="segmentation",
        datasets="cdnow",
        methods=["kmeans_3", "rfm_quintiles"],
        n_folds=2,
        seeds=(0,),
        out_dir=None,
        verbose=0,
        stability_resamples=2,
    )
    assert set(results["split"]) == {"full"} and set(results["fold"]) == {0}
    assert (results["error"] == "").all()
    values = results.set_index(["method", "metric"])["value"]
    assert values[("kmeans_3", "n_segments")] == 3
    assert 0 < values[("kmeans_3", "bootstrap_stability")] <= 1
    assert values[("rfm_quintiles", "n_segments")] <= 5


def test_churn_threshold_comes_from_the_training_fold(monkeypatch):
    from ecrm_methods import evaluation

    seen = []
    original = evaluation.choose_threshold

    def spy(y_true, proba):
        seen.append(len(y_true))
        return original(y_true, proba)

    monkeypatch.setattr(evaluation, "choose_threshold", spy)
    results = run_benchmark(
        problems="churn",
        datasets="cdnow",
        methods=["logistic_regression"],
        n_folds=2,
        seeds=(0,),
        out_dir=None,
        verbose=0,
    )
    n_rows = len(load_problem("churn", "cdnow").X)
    assert len(seen) == 2
    assert all(abs(size - n_rows / 2) <= 1 for size in seen)  # the training half only
    auc = results[results["metric"] == "roc_auc"]["value"]
    assert (auc > 0.7).all()


def test_grouped_split_keeps_near_duplicates_together():
    from ecrm_methods.datasets import is_available

    if not is_available("ecommerce-churn"):
        pytest.skip("ecommerce-churn not in the data home")
    data = load_problem("churn", "ecommerce-churn")
    assert runner._splits_for(data, True) == ["grouped", "random"]
    for train, test in runner._fold_indices(data, "grouped", 5, 0):
        assert not set(data.groups[train]) & set(data.groups[test])
    leaks = [
        bool(set(data.groups[train]) & set(data.groups[test]))
        for train, test in runner._fold_indices(data, "random", 5, 0)
    ]
    assert any(leaks)  # the random split does put near twins on both sides


def test_command_line_runs_the_benchmark(tmp_path, capsys):
    from ecrm_methods.cli import main

    status = main(
        [
            "benchmark",
            "--problem",
            "value",
            "--dataset",
            "cdnow-sample",
            "--methods",
            ",".join(FAST),
            "--folds",
            "2",
            "--seeds",
            "1",
            "--out",
            str(tmp_path),
            "--quiet",
        ]
    )
    assert status == 0
    assert (tmp_path / "results.csv").exists() and (tmp_path / "leaderboard.md").exists()
    assert "value / cdnow-sample" in capsys.readouterr().out
    assert (
        main(
            [
                "benchmark",
                "--problem",
                "value",
                "--methods",
                "nope",
                "--out",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 2
    )
    assert "valid method names" in capsys.readouterr().err


def test_seeds_give_reproducible_results():
    # fuzzy value tiers start fuzzy c-means from random centres: the seed matters
    (spec,) = get_methods("value", names="fuzzy_value_tiers")
    data = load_problem("value", "cdnow-sample")
    assert spec.build(data, 7).get_params()["tiers__random_state"] == 7
    first = run_benchmark(methods=["fuzzy_value_tiers"], out_dir=None, **GRID)
    second = run_benchmark(methods=["fuzzy_value_tiers"], out_dir=None, **GRID)
    np.testing.assert_array_equal(first["value"], second["value"])
    train, test = runner._fold_indices(data, "random", 2, 0)[0]
    one, _ = runner.value_fold_predictions(spec, data, train, test, 0)
    other, _ = runner.value_fold_predictions(spec, data, train, test, 1)
    assert not np.array_equal(one, other)  # another seed is another fit


def _skip_without(name):
    from ecrm_methods.datasets import is_available

    if not is_available(name):
        pytest.skip(f"{name} not in the data home")


@pytest.mark.slow
def test_ecommerce_gradient_boosting_grouped_and_random_auc():
    # targets: >= 0.93 under the grouped split, >= 0.98 under the random split
    _skip_without("ecommerce-churn")
    results = run_benchmark(
        problems="churn",
        datasets="ecommerce-churn",
        methods=["hist_gradient_boosting"],
        n_folds=5,
        seeds=(0,),
        out_dir=None,
        verbose=0,
        threads_per_task=1,
    )
    auc = results[results["metric"] == "roc_auc"].groupby("split")["value"].mean()
    assert auc["grouped"] >= 0.93
    assert auc["random"] >= 0.98
    assert auc["random"] - auc["grouped"] > 0.02  # the near-duplicate leak is visible


@pytest.mark.slow
def test_telco_best_baseline_auc():
    _skip_without("telco-churn")
    results = run_benchmark(
        problems="churn",
        datasets="telco-churn",
        methods=["logistic_regression"],
        n_folds=5,
        seeds=(0,),
        out_dir=None,
        verbose=0,
        threads_per_task=1,
    )
    assert results[results["metric"] == "roc_auc"]["value"].mean() >= 0.84


# --------------------------------------------------------------------------------------------
# The protocol: what each method may see, what heads the leaderboard, what keys the cache
# --------------------------------------------------------------------------------------------

VALUE_METHODS_TESTED_FOR_LEAKAGE = [
    "zero",
    "naive_rate",
    "bgnbd_gamma_gamma",
    "hist_gradient_boosting",
    "value_tier_rules",
    "fuzzy_value_tiers",
]


@pytest.mark.parametrize("name", VALUE_METHODS_TESTED_FOR_LEAKAGE)
def test_no_value_method_sees_the_holdout(name):
    """Noise in every holdout target changes no forecast: the holdout is never learned from."""
    import dataclasses

    data = load_problem("value", "cdnow-sample")
    rng = np.random.default_rng(0)
    noisy = dataclasses.replace(
        data,
        y=pd.DataFrame(
            rng.exponential(50.0, size=data.y.shape), columns=data.y.columns, index=data.y.index
        ),
    )
    (spec,) = get_methods("value", names=name)
    train, test = runner._fold_indices(data, "random", 2, 0)[0]
    clean, _ = runner.value_fold_predictions(spec, data, train, test, 0)
    dirty, _ = runner.value_fold_predictions(spec, noisy, train, test, 0)
    np.testing.assert_array_equal(clean, dirty)
    assert clean.shape == (len(test), 2) and np.isfinite(clean).all()


def test_every_value_method_declares_what_it_learns_from():
    specs = get_methods("value")
    assert {s.learns_from for s in specs} == {"calibration", "training_window"}
    with temporary_registrations(), pytest.raises(ValueError, match="learns_from"):
        register_method("no_protocol", "baseline", "value", lambda data, seed: None)


def test_zero_forecast_ranks_below_bgnbd_in_the_value_headline(tmp_path):
    results = run_benchmark(
        methods=["zero", "naive_rate", "bgnbd_gamma_gamma"], out_dir=tmp_path, **GRID
    )
    capture = results[results["metric"] == "top20_revenue_capture"].groupby("method")["value"]
    assert capture.mean()["zero"] == pytest.approx(0.2)
    assert capture.mean()["bgnbd_gamma_gamma"] > 0.4
    mae = results[results["metric"] == "mae_spend"].groupby("method")["value"].mean()
    assert mae["zero"] < mae["bgnbd_gamma_gamma"]  # why MAE cannot head the leaderboard
    board = (tmp_path / "leaderboard.md").read_text()
    headline = board.split("## value / cdnow-sample")[1].split("# Methods")[0]
    assert "Ranked by `top20_revenue_capture`" in headline
    ranked = [line.split("|")[2].strip() for line in headline.splitlines() if line.startswith("| ")]
    ranked = [name for name in ranked if name not in ("method",)]
    assert ranked.index("bgnbd_gamma_gamma") < ranked.index("zero")
    for text in ("corrected resampled t", "training cut", "# Methods", "learns from"):
        assert text in board


def test_the_cache_key_changes_with_a_parameter_and_with_the_source(tmp_path, monkeypatch):
    from ecrm_methods.benchmark import cache

    data = load_problem("value", "cdnow-sample")
    (spec,) = get_methods("value", names="fuzzy_value_tiers")

    def task(fingerprint):
        return runner.Task(
            "value", "cdnow-sample", spec, 0, 0, "random", 2, data.checksum, (), None, fingerprint
        )

    estimator = spec.build(data, 0)
    base = task(cache.estimator_fingerprint(estimator))
    base_key = base.key
    changed = task(cache.estimator_fingerprint(estimator.set_params(tiers__m=2.5)))
    assert base.key != changed.key
    # one source byte: hash a copy of the package, change one byte, hash again
    import shutil

    import ecrm_methods

    copy = tmp_path / "ecrm_methods"
    shutil.copytree(Path(ecrm_methods.__file__).parent, copy)
    before = cache.package_source_hash(str(copy))
    target = copy / "clv.py"
    target.write_bytes(target.read_bytes() + b" ")
    cache.package_source_hash.cache_clear()
    assert cache.package_source_hash(str(copy)) != before
    monkeypatch.setattr(runner, "package_source_hash", lambda: "another source")
    assert task(base.fingerprint).key != base_key


def test_a_changed_parameter_is_a_cache_miss_end_to_end(tmp_path, temporary_methods):
    calls = []

    def factory(m):
        def build(data, seed):
            calls.append(m)
            return NaiveValueForecaster(holdout_length=data.holdout_length * m)

        return build

    temporary_methods("naive_scaled", factory(1.0))
    run_benchmark(methods=["naive_scaled"], out_dir=tmp_path, **GRID)
    calls.clear()
    run_benchmark(methods=["naive_scaled"], out_dir=tmp_path, **GRID)
    assert len(calls) == 1  # built once for its key, never fitted again
    temporary_methods("naive_scaled", factory(2.0))  # same name and params dict, new estimator
    results = run_benchmark(methods=["naive_scaled"], out_dir=tmp_path, **GRID)
    assert len(calls) > 1 + 1  # fitted again: the estimator's parameters are in the key
    assert (results["error"] == "").all()


class Warns(RegressorMixin, BaseEstimator):
    def fit(self, X, y=None):
        import warnings

        warnings.warn("this fit did not converge", RuntimeWarning, stacklevel=1)
        self.n_ = len(X)
        return self

    def predict(self, X):
        return np.ones((len(X), 2))


def test_warnings_are_recorded_per_fit_and_shown(tmp_path, temporary_methods):
    temporary_methods("warns", lambda data, seed: Warns())
    results = run_benchmark(methods=["warns"], out_dir=tmp_path, **GRID)
    assert (results["n_warnings"] >= 1).all()
    assert results["warning"].str.contains("did not converge").all()
    board = (tmp_path / "leaderboard.md").read_text()
    assert "`warns` raised warnings in 2 fit(s)" in board


def test_the_exit_status_is_non_zero_when_any_fit_failed(tmp_path, temporary_methods, capsys):
    from ecrm_methods.cli import main

    temporary_methods("broken", lambda data, seed: Broken())
    argv = ["benchmark", "--problem", "value", "--dataset", "cdnow-sample", "--folds", "2"]
    argv += ["--out", str(tmp_path), "--quiet", "--methods"]
    assert main([*argv, "naive_rate,broken"]) == 1
    assert (tmp_path / "results.csv").exists()  # everything was written first
    assert "failed" in capsys.readouterr().err
    assert main([*argv, "naive_rate"]) == 0


def test_segmentation_methods_share_the_number_of_segments(tmp_path):
    results = run_benchmark(
        problems="segmentation",
        datasets="cdnow",
        methods=["kmeans", "rough_kmeans", "rfm_quintiles"],
        n_folds=2,
        seeds=(0,),
        out_dir=None,
        verbose=0,
        stability_resamples=0,
        n_segments=3,
    )
    assert (results["error"] == "").all(), results.loc[results["error"] != "", "error"].iloc[0]
    values = results.set_index(["method", "metric"])["value"]
    assert values[("kmeans", "n_segments")] == 3
    assert values[("rough_kmeans", "n_segments")] == 3
    assert values[("rfm_quintiles", "n_segments")] > 3  # a fixed scheme keeps its own tiers
    # rough k-means leaves boundary customers unassigned; they are still scored
    assert values[("rough_kmeans", "unassigned_share")] > 0
    assert 0 <= values[("kmeans", "eta_squared_holdout_spend")] <= 1
    bounds = results.set_index(["method", "metric"])[["boot_low", "boot_high"]]
    low, high = bounds.loc[("kmeans", "eta_squared_holdout_spend")]
    assert low <= values[("kmeans", "eta_squared_holdout_spend")] <= high


def test_the_churn_threshold_is_chosen_out_of_fold_by_default(monkeypatch):
    from ecrm_methods import evaluation

    seen = []
    original = evaluation.choose_threshold
    monkeypatch.setattr(
        evaluation, "choose_threshold", lambda y, p: seen.append(np.asarray(p)) or original(y, p)
    )
    builds = []
    (spec,) = get_methods("churn", names="logistic_regression")
    with temporary_registrations():
        register_method(
            "counted_logistic",
            "baseline",
            "churn",
            lambda data, seed: builds.append(seed) or spec.build(data, seed),
        )
        run_benchmark(
            problems="churn",
            datasets="cdnow",
            methods=["counted_logistic"],
            n_folds=2,
            seeds=(0,),
            out_dir=None,
            verbose=0,
        )
    # per outer fold: the model itself plus 3 inner fits for the threshold (+1 for the key)
    assert len(builds) == 1 + 2 * (1 + 3)
    assert len(seen) == 2


def _synthetic_results(blocks, rng):
    """Tidy results of every primary method on the given (problem, dataset) blocks."""
    from ecrm_methods.benchmark.registry import primary_methods

    metric = {"churn": "roc_auc", "value": "top20_revenue_capture"}
    skill = {"baseline": 0.3, "neural": 0.25, "genetic": 0.2, "rough_sets": 0.1, "fuzzy": 0.0}
    rows = []
    for problem, dataset in blocks:
        for (p, family), method in primary_methods(problem).items():
            for fold in range(3):
                rows.append(
                    {
                        "problem": p,
                        "dataset": dataset,
                        "method": method,
                        "family": family,
                        "seed": 0,
                        "fold": fold,
                        "metric": metric[p],
                        "value": 0.5 + skill[family] + rng.normal(0, 0.01),
                        "fit_seconds": 0.1,
                        "split": "random",
                        "error": "",
                    }
                )
    return pd.DataFrame(rows)


def test_families_are_compared_across_datasets_as_blocks(tmp_path):
    from ecrm_methods.benchmark.report import family_comparison, family_comparison_markdown
    from ecrm_methods.plotting import plot_benchmark_results

    blocks = [("churn", d) for d in ("ecommerce-churn", "cdnow", "online-retail", "telco-churn")]
    blocks += [("value", d) for d in ("cdnow-sample", "cdnow", "online-retail-ii")]
    results = _synthetic_results(blocks, np.random.default_rng(0))
    comparison = family_comparison(results)
    # cdnow-sample is a subset of cdnow, not a block of its own
    assert len(comparison.ranks) == 6
    assert ("value", "cdnow-sample") not in set(comparison.ranks.index)
    mean_rank = comparison.ranks.mean(axis=0)
    assert mean_rank.idxmin() == "baseline" and mean_rank.idxmax() == "fuzzy"
    assert "little power" in comparison.warning  # 6 blocks: say so
    text = family_comparison_markdown(comparison)
    assert "declared primary method" in text and "little power" in text
    written = plot_benchmark_results(
        results, tmp_path, {"churn": "roc_auc"}, family_comparison=comparison
    )
    assert tmp_path / "critical_difference_families.png" in written


def test_genetic_results_do_not_depend_on_threads(tmp_path, temporary_methods):
    """DEAP draws from the global ``random``: fits in two threads of one Dask worker must still
    give exactly the serial results."""
    distributed = pytest.importorskip("distributed")
    from sklearn.multioutput import MultiOutputRegressor

    from ecrm_methods.genetic import GPSymbolicRegressor

    temporary_methods(
        "tiny_gp",
        lambda data, seed: MultiOutputRegressor(
            GPSymbolicRegressor(population_size=30, generations=4, random_state=seed, verbose=0)
        ),
        learns_from="training_window",
    )
    grid = {**GRID, "seeds": (0, 1, 2)}
    serial = run_benchmark(methods=["tiny_gp"], out_dir=None, **grid)
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    )
    try:
        with distributed.Client(cluster) as client:
            threaded = run_benchmark(methods=["tiny_gp"], out_dir=None, scheduler=client, **grid)
    finally:
        cluster.close()
    assert (serial["error"] == "").all(), serial["error"].iloc[0]
    # warnings are process-global in Python: under threads their attribution to a task is
    # approximate, so only the results are compared here
    pd.testing.assert_frame_equal(
        _comparable(serial).drop(columns=["n_warnings", "warning"]),
        _comparable(threaded).drop(columns=["n_warnings", "warning"]),
    )


def test_runner_on_a_two_worker_cluster_with_dask_ga_evaluations(tmp_path, temporary_methods):
    """``scheduler=`` plus a GA whose fitness evaluations use ``backend="dask"``: each fit runs
    on a worker of a two-worker cluster and sends its evaluations back to the same cluster;
    the table equals the serial one (evaluations are independent of where they run)."""
    distributed = pytest.importorskip("distributed")
    from sklearn.linear_model import Ridge
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.pipeline import make_pipeline

    from ecrm_methods.genetic import GAFeatureSelector

    def factory(backend):
        def build(data, seed):
            selector = GAFeatureSelector(
                Ridge(),
                scoring="r2",
                cv=2,
                population_size=6,
                generations=2,
                patience=None,
                backend=backend,
                random_state=seed,
            )
            return MultiOutputRegressor(make_pipeline(selector, Ridge()))

        return build

    temporary_methods("ga_ridge_serial", factory(None), learns_from="training_window")
    temporary_methods("ga_ridge_dask", factory("dask"), learns_from="training_window")
    serial = run_benchmark(methods=["ga_ridge_serial"], out_dir=None, **GRID)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    try:
        with distributed.Client(cluster) as client, distributed.get_task_stream() as stream:
            remote = run_benchmark(
                methods=["ga_ridge_dask"], out_dir=None, scheduler=client, **GRID
            )
    finally:
        cluster.close()
    assert (remote["error"] == "").all(), remote["error"].iloc[0]
    # 2 fold tasks, each sending its GA's fitness evaluations to the cluster as well
    workers = {task["worker"] for task in stream.data}
    assert len(stream.data) > 2 * 6 and len(workers) == 2, (len(stream.data), workers)
    remote["method"] = "ga_ridge_serial"
    pd.testing.assert_frame_equal(
        _comparable(serial).drop(columns=["n_warnings", "warning"]),
        _comparable(remote).drop(columns=["n_warnings", "warning"]),
    )


def test_comparison_scope_keeps_primary_methods_and_baselines_only():
    """The main job's ``methods="comparison"``: every family's declared primary method and the
    practitioner baselines on each problem; no hybrid and no variant."""
    from ecrm_methods.benchmark import get_methods

    cells = resolve_grid("value,segmentation", "cdnow-sample,cdnow", "comparison")
    assert cells
    for problem, dataset, specs in cells:
        names = {s.name for s in specs}
        expected = {
            s.name
            for s in get_methods(problem=problem, dataset=dataset)
            if s.primary or s.family == "baseline"
        }
        assert names == expected, (problem, dataset)
        assert "tsk_rules" not in names
        primaries = {s.family for s in specs if s.primary}
        assert primaries == {"baseline", "neural", "genetic", "rough_sets", "fuzzy"}
    everything = {s.name for _, _, specs in resolve_grid("value", "cdnow-sample") for s in specs}
    assert "tsk_rules" in everything


def test_main_job_runs_the_comparison_grid():
    from ecrm_methods.benchmark.runner import MAIN_JOB, QUICK_JOB

    assert MAIN_JOB["methods"] == "comparison" and QUICK_JOB["methods"] == "comparison"
    assert MAIN_JOB["n_folds"] == 3 and MAIN_JOB["seeds"] == 1
