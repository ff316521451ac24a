"""Tests for the genetic family (ecrm_methods.genetic).

Small, seeded problems only; the test marked slow compares GAFeatureSelector with RFECV
on held-out rows of three larger problems.
"""

from __future__ import annotations

import functools
import os
import pickle
import random
import re
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs, make_classification, make_regression
from sklearn.feature_selection import RFECV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_score, train_test_split
from threadpoolctl import threadpool_limits

from ecrm_methods.genetic import (
    GAClustering,
    GAFeatureSelector,
    GAReductSelector,
    GARoughKMeansTuner,
    GPSymbolicRegressor,
    RetentionCampaignOptimizer,
    campaign_economics,
    exact_campaign_selection,
    greedy_campaign_selection,
    rough_davies_bouldin,
)
from ecrm_methods.genetic._base import seed_from_random_state
from ecrm_methods.genetic.symbolic import protected_div, protected_log
from ecrm_methods.rough_sets import RoughKMeans, dependency_degree

# --------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="module")
def _single_threaded_blas():
    """Thousands of tiny model fits: BLAS threads only add contention (10x slower on 2 cores)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def six_informative_of_thirty():
    """600 rows, informative features are columns 0-5 (shuffle=False), 24 pure-noise columns."""
    return make_classification(
        n_samples=600,
        n_features=30,
        n_informative=6,
        n_redundant=0,
        n_repeated=0,
        n_clusters_per_class=1,
        class_sep=0.5,
        shuffle=False,
        random_state=6,
    )


@pytest.fixture(scope="module")
def retention_instance():
    """Seeded 5,000-customer campaign with per-customer offer costs."""
    rng = np.random.default_rng(42)
    n_customers = 5000
    return {
        "churn_probability": rng.beta(2.0, 5.0, n_customers),
        "customer_value": rng.gamma(2.0, 150.0, n_customers),
        "offer_cost": rng.uniform(5.0, 40.0, n_customers),
        "budget": 2000.0,
    }


def _small_selector(**overrides):
    params = dict(cv=3, population_size=10, generations=4, patience=None, random_state=0)
    params.update(overrides)
    return GAFeatureSelector(LogisticRegression(), **params)


# --------------------------------------------------------------------------------------------
# GAFeatureSelector
# --------------------------------------------------------------------------------------------


def test_selector_keeps_the_informative_features(six_informative_of_thirty):
    X, y = six_informative_of_thirty
    selector = GAFeatureSelector(
        LogisticRegression(),
        cv=3,
        population_size=30,
        generations=20,
        max_features=10,
        patience=8,
        random_state=0,
    ).fit(X, y)
    kept = np.flatnonzero(selector.get_support())
    assert np.isin(np.arange(6), kept).sum() >= 5
    assert len(kept) <= 10
    assert selector.transform(X).shape == (600, len(kept))
    # best_score_ is the cross-validated AUC of the kept columns on the training data
    expected = cross_val_score(LogisticRegression(), X[:, kept], y, cv=3, scoring="roc_auc")
    assert selector.best_score_ == pytest.approx(expected.mean())


def test_selector_logbook_is_a_convergence_record(six_informative_of_thirty):
    X, y = six_informative_of_thirty
    selector = _small_selector(generations=5).fit(X, y)
    frame = selector.logbook_frame()
    assert list(frame.columns) == ["gen", "nevals", "min", "mean", "max", "best"]
    assert frame["gen"].tolist() == list(range(6))
    assert (np.diff(frame["best"]) >= 0).all()  # elitism: best so far never drops
    assert (frame["min"] <= frame["mean"]).all() and (frame["mean"] <= frame["max"]).all()
    # the logbook records the GA; the default one-SE rule then walks a backward-elimination
    # path from the GA's fittest subset and returns its smallest subset within one SE
    results, path = selector.cv_results_, selector.elimination_path_
    assert frame["best"].iloc[-1] == pytest.approx(results["fitness"][path[0]])
    assert (np.diff(results["n_features"][path]) == -1).all()
    best_on_path = path[np.argmax(results["fitness"][path])]
    assert selector.fitness_threshold_ == pytest.approx(
        results["fitness"][best_on_path] - results["sem_test_score"][best_on_path]
    )
    assert selector.best_fitness_ >= selector.fitness_threshold_
    np.testing.assert_array_equal(selector.support_, results["support"][path[-1]])
    old_rule = _small_selector(generations=5, selection_rule="best").fit(X, y)
    np.testing.assert_array_equal(old_rule.support_, results["support"][path[0]])
    assert old_rule.best_fitness_ == pytest.approx(frame["best"].iloc[-1])
    assert selector.n_features_ < old_rule.n_features_


def test_selector_penalty_and_max_features_shrink_the_subset(six_informative_of_thirty):
    X, y = six_informative_of_thirty
    capped = _small_selector(max_features=3).fit(X, y)
    assert 1 <= capped.n_features_ <= 3
    assert all(len(np.flatnonzero(np.asarray(X)[:0, capped.support_].T)) <= 3 for _ in range(1))
    penalised = _small_selector(penalty=0.5).fit(X, y)
    assert penalised.best_fitness_ == pytest.approx(
        penalised.best_score_ - 0.5 * penalised.n_features_ / 30
    )


def test_selector_cache_and_parallelism_do_not_change_the_result(six_informative_of_thirty):
    X, y = six_informative_of_thirty
    rows = np.random.default_rng(0).permutation(len(y))[:200]  # rows are sorted by class
    X, y = X[rows], y[rows]
    cached = _small_selector(generations=6).fit(X, y)
    uncached = _small_selector(generations=6, cache=False).fit(X, y)
    parallel = _small_selector(generations=6, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(cached.support_, uncached.support_)
    np.testing.assert_array_equal(cached.support_, parallel.support_)
    assert cached.best_score_ == pytest.approx(uncached.best_score_)
    assert cached.n_cache_hits_ > 0
    assert uncached.n_cache_hits_ == 0
    assert cached.n_evaluations_ + cached.n_cache_hits_ == uncached.n_evaluations_


def test_selector_max_samples_scores_every_subset_on_one_stratified_sample(
    six_informative_of_thirty,
):
    X, y = six_informative_of_thirty
    rows = np.random.default_rng(1).permutation(len(y))  # rows are sorted by class
    X, y = X[rows], y[rows]
    sampled = _small_selector(max_samples=240).fit(X, y)
    assert sampled.n_fitness_samples_ == 240
    # the fitness of a subset is the CV score on the same seeded, class-stratified sample:
    # recompute it for the chosen subset on that sample and on every row
    seed = seed_from_random_state(0)  # the GA's seed, which also draws the sample
    sample, _ = train_test_split(np.arange(len(y)), train_size=240, random_state=seed, stratify=y)
    sample = np.sort(sample)
    assert np.bincount(y[sample]).tolist() == [120, 120]
    kept = sampled.support_
    on_sample = cross_val_score(
        LogisticRegression(), X[sample][:, kept], y[sample], cv=3, scoring="roc_auc"
    ).mean()
    on_all = cross_val_score(LogisticRegression(), X[:, kept], y, cv=3, scoring="roc_auc").mean()
    assert sampled.best_score_ == pytest.approx(on_sample, rel=1e-12)
    assert sampled.best_score_ != pytest.approx(on_all, rel=1e-6)
    # a bound above the rows changes nothing, to the bit
    full = _small_selector().fit(X, y)
    unbounded = _small_selector(max_samples=len(y)).fit(X, y)
    assert full.n_fitness_samples_ == unbounded.n_fitness_samples_ == len(y)
    np.testing.assert_array_equal(full.support_, unbounded.support_)
    assert full.best_score_ == unbounded.best_score_
    with pytest.raises(ValueError, match="'max_samples' parameter of GAFeatureSelector"):
        _small_selector(max_samples=5).fit(X, y)
    with pytest.raises(ValueError, match="class-stratified sample of max_samples=10"):
        _small_selector(max_samples=10).fit(X[:40], np.r_[np.zeros(39, int), 1])


def test_selector_runs_fitness_evaluations_on_a_dask_client():
    distributed = pytest.importorskip("distributed")
    X, y = make_classification(n_samples=150, n_features=6, random_state=0)
    local = _small_selector(population_size=4, generations=1).fit(X, y)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        remote = _small_selector(population_size=4, generations=1, backend="dask").fit(X, y)
    np.testing.assert_array_equal(remote.support_, local.support_)
    assert remote.best_score_ == pytest.approx(local.best_score_)


def test_selector_keeps_feature_names():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    frame = pd.DataFrame(X, columns=[f"attribute_{i}" for i in range(5)])
    selector = _small_selector(cv=2).fit(frame, y)
    names = selector.get_feature_names_out()
    assert set(names) <= set(frame.columns)
    assert len(names) == selector.n_features_


@pytest.mark.slow
def test_selector_default_removes_noise_features_like_rfecv_on_held_out_rows():
    """The default (one-SE rule) drops the noise the old default kept, without losing accuracy.

    Three seeded problems (6 informative + 24 noise columns) whose seeds and sizes differ
    from the ones the rule was chosen on. Rows are split before selecting: 150-300 training
    rows, 2,000 held-out rows (so held-out accuracy is precise to about 0.01). Accuracy is a
    logistic regression on the kept columns; RFECV wraps the same estimator. The old default
    (``penalty=0``, the fittest subset) is run here to measure the noise it kept. The GA
    budget is smaller than the default (population 20, 10 generations) to keep the test
    short; the selection settings (``penalty``, ``selection_rule``, ``scoring``, ``cv``)
    are the defaults.
    """
    noise_kept = {"old": 0, "new": 0, "rfecv": 0}
    accuracy = {"old": [], "new": [], "rfecv": []}
    for seed, n_train in [(41, 150), (42, 200), (43, 300)]:
        X, y = make_classification(
            n_samples=n_train + 2000,
            n_features=30,
            n_informative=6,
            n_redundant=0,
            n_repeated=0,
            shuffle=False,  # columns 0-5 informative, 6-29 noise
            random_state=seed,
        )
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, train_size=n_train, stratify=y, random_state=seed
        )
        budget = dict(population_size=20, generations=10, random_state=seed)
        old_default = GAFeatureSelector(
            LogisticRegression(), penalty=0.0, selection_rule="best", **budget
        )
        supports = {
            "old": old_default.fit(X_train, y_train).support_,
            "new": GAFeatureSelector(LogisticRegression(), **budget).fit(X_train, y_train).support_,
            "rfecv": RFECV(LogisticRegression(), cv=5).fit(X_train, y_train).support_,
        }
        for name, support in supports.items():
            noise_kept[name] += int(support[6:].sum())
            model = LogisticRegression().fit(X_train[:, support], y_train)
            accuracy[name].append(model.score(X_test[:, support], y_test))
    mean_accuracy = {name: round(float(np.mean(values)), 4) for name, values in accuracy.items()}
    print(f"noise features kept (of 72): {noise_kept}; mean held-out accuracy: {mean_accuracy}")
    assert noise_kept["old"] >= 12  # the problem the new default had to solve
    assert noise_kept["new"] <= noise_kept["old"] / 4
    assert mean_accuracy["new"] >= mean_accuracy["rfecv"] - 0.01


def test_selector_rejects_bad_input():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="feature"):
        _small_selector().fit(np.empty((60, 0)), y)
    with pytest.raises(
        ValueError,
        match=r"The 'max_features' parameter of GAFeatureSelector must be an int in the range "
        r"\[1, inf\) or None\. Got 0 instead\.",
    ):
        _small_selector(max_features=0).fit(X, y)
    with pytest.raises(
        ValueError,
        match=r"The 'crossover_proba' parameter of GAFeatureSelector must be a float in the "
        r"range \[0\.0, 1\.0\]\. Got 1\.5 instead\.",
    ):
        _small_selector(crossover_proba=1.5).fit(X, y)
    with pytest.raises(ValueError, match="The 'selection_rule' parameter of GAFeatureSelector"):
        _small_selector(selection_rule="one-se").fit(X, y)
    with pytest.raises(
        TypeError,
        match="The 'estimator' parameter of GAFeatureSelector must be an object implementing "
        "'fit'. Got 'logistic' instead.",
    ):
        GAFeatureSelector("logistic").fit(X, y)


# --------------------------------------------------------------------------------------------
# GAClustering
# --------------------------------------------------------------------------------------------


def test_ga_clustering_matches_kmeans_on_blobs():
    X, _ = make_blobs(n_samples=600, centers=4, cluster_std=1.0, random_state=1)
    model = GAClustering(n_clusters=4, generations=25, random_state=0).fit(X)
    reference = KMeans(n_clusters=4, n_init=10, random_state=0).fit(X)
    assert model.inertia_ <= 1.01 * reference.inertia_
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    assert sorted(np.unique(model.labels_)) == [0, 1, 2, 3]
    assert model.best_fitness_ == pytest.approx(-model.inertia_)


def test_ga_clustering_davies_bouldin_fitness():
    X, _ = make_blobs(n_samples=400, centers=3, cluster_std=0.8, random_state=3)
    model = GAClustering(n_clusters=3, fitness="davies_bouldin", generations=15, random_state=0)
    model.fit(X)
    from sklearn.metrics import davies_bouldin_score

    # the index uses the evolved centres, which are within a k-means step of the cluster means
    assert model.davies_bouldin_ == pytest.approx(davies_bouldin_score(X, model.labels_), rel=1e-2)
    assert model.best_fitness_ == pytest.approx(-model.davies_bouldin_)
    assert model.davies_bouldin_ < 0.6


def test_ga_clustering_rejects_bad_input():
    X = np.random.default_rng(0).normal(size=(5, 2))
    with pytest.raises(ValueError, match="n_clusters"):
        GAClustering(n_clusters=6).fit(X)
    with pytest.raises(
        ValueError,
        # the options are a set: their order in the message is not fixed
        match=r"The 'fitness' parameter of GAClustering must be a str among "
        r"\{'(wcss|davies_bouldin)', '(wcss|davies_bouldin)'\}\. Got 'silhouette' instead\.",
    ):
        GAClustering(fitness="silhouette").fit(X)


def test_rough_kmeans_tuner_improves_on_fixed_parameters():
    X, _ = make_blobs(n_samples=400, centers=4, cluster_std=2.0, random_state=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    tuner = GARoughKMeansTuner(n_clusters=4, generations=6, random_state=0).fit(X)
    weight, threshold = tuner.best_params_["weight_lower"], tuner.best_params_["threshold"]
    assert 0.5 <= weight <= 1.0 and 1.0 <= threshold <= 1.5
    best = tuner.best_estimator_
    assert tuner.best_score_ == pytest.approx(
        rough_davies_bouldin(X, best.cluster_centers_, best.lower_, best.upper_, weight)
    )
    fixed = RoughKMeans(
        n_clusters=4, weight_lower=0.7, threshold=1.25, n_init=3, random_state=0
    ).fit(X)
    fixed_score = rough_davies_bouldin(X, fixed.cluster_centers_, fixed.lower_, fixed.upper_, 0.7)
    assert tuner.best_score_ <= fixed_score
    np.testing.assert_array_equal(tuner.predict(X), best.predict(X))
    assert set(np.unique(tuner.labels_)) <= {-1, 0, 1, 2, 3}
    with pytest.raises(ValueError, match="threshold_range"):
        GARoughKMeansTuner(threshold_range=(0.5, 2.0)).fit(X)


# --------------------------------------------------------------------------------------------
# GAReductSelector (moved from RoughSetReducer(method="genetic"))
# --------------------------------------------------------------------------------------------

# The hiring decision table of Komorowski, Pawlak, Polkowski & Skowron (1999); its reducts are
# {Diploma, Experience} and {Experience, Reference}, its core {Experience}.
HIRING_X = pd.DataFrame(
    {
        "Diploma": ["MBA", "MSc", "MSc", "MBA", "MBA", "MCE", "MSc", "MCE"],
        "Experience": ["Medium", "High", "High", "High", "Low", "Low", "Medium", "Low"],
        "French": ["Yes", "Yes", "Yes", "No", "Yes", "Yes", "Yes", "No"],
        "Reference": ["Excellent", "Neutral", "Excellent", "Good"]
        + ["Neutral", "Good", "Neutral", "Excellent"],
    }
)
HIRING_Y = pd.Series(["Accept"] * 4 + ["Reject"] * 4)


def _three_of_ten_table():
    """300 rows, 10 ternary attributes; the decision depends on a1, a5 and a7 only."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.integers(0, 3, (300, 10)), columns=[f"a{j}" for j in range(10)])
    return X, (X["a1"] + X["a5"] * X["a7"]) % 3


def _noisy_twenty_table():
    """800 rows, 20 attributes, 5 % of the decisions overwritten: many reducts, no core."""
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.integers(0, 4, (800, 20)), columns=[f"b{j}" for j in range(20)])
    y = (X["b2"] * 2 + X["b11"] + (X["b17"] > 1)) % 4
    return X, y.where(~(rng.random(800) < 0.05), 0)


def test_ga_reduct_is_a_reduct_and_reproducible():
    X, y = _three_of_ten_table()
    selector = GAReductSelector(population_size=12, generations=10, random_state=1)
    assert selector.fit(X, y).reduct_ == ["a1", "a5", "a7"]
    assert selector.core_ == ["a1", "a7"]
    assert selector.dependency_ == 1.0
    assert selector.reducts_ == [selector.reduct_]
    assert list(selector.get_feature_names_out()) == selector.reduct_
    again = GAReductSelector(population_size=12, generations=10, random_state=1).fit(X, y)
    assert again.reduct_ == selector.reduct_
    hiring = GAReductSelector(population_size=8, generations=5, random_state=0)
    assert hiring.fit(HIRING_X, HIRING_Y).reduct_ in (
        ["Diploma", "Experience"],
        ["Experience", "Reference"],
    )
    assert hiring.core_ == ["Experience"]


# Recorded with RoughSetReducer(method="genetic", **params) before the search moved to
# GAReductSelector: the move must select exactly the same attributes.
RECORDED_GENETIC_REDUCTS = [
    ("three_of_ten", dict(population_size=6, generations=3, random_state=0), "a1 a5 a7"),
    ("three_of_ten", dict(population_size=30, generations=40, random_state=7), "a1 a5 a7"),
    ("hiring", dict(population_size=8, generations=5, random_state=0), "Diploma Experience"),
    ("hiring", dict(population_size=30, generations=40, random_state=3), "Experience Reference"),
    (
        "noisy_twenty",
        dict(population_size=20, generations=15, random_state=0),
        "b2 b3 b4 b6 b7 b11 b15 b17",
    ),
    (
        "noisy_twenty",
        dict(population_size=20, generations=15, random_state=11),
        "b1 b2 b3 b6 b7 b9 b13 b17 b19",
    ),
    (
        "noisy_twenty",
        dict(population_size=20, generations=15, random_state=2, beta=0.8),
        "b3 b4 b8 b11 b12 b13 b14 b17",
    ),
    (
        "noisy_twenty_array",
        dict(population_size=10, generations=8, random_state=4),
        "x0 x2 x7 x8 x11 x12 x13 x16 x19",
    ),
]


@pytest.mark.parametrize(("table", "params", "expected"), RECORDED_GENETIC_REDUCTS)
def test_ga_reduct_selects_what_the_old_genetic_method_selected(table, params, expected):
    if table == "hiring":
        X, y = HIRING_X, HIRING_Y
    elif table == "three_of_ten":
        X, y = _three_of_ten_table()
    else:
        X, y = _noisy_twenty_table()
        if table == "noisy_twenty_array":
            X, y = X.to_numpy(), y.to_numpy()
    selector = GAReductSelector(**params).fit(X, y)
    assert selector.reduct_ == expected.split()
    assert selector.dependency_ == 1.0
    names = expected.split() if table != "noisy_twenty_array" else None
    if names is not None and params.get("beta", 1.0) == 1.0:
        full = dependency_degree(X, y)
        assert dependency_degree(X, y, names) == pytest.approx(full)
        for attribute in names:  # minimal: no attribute can be dropped
            rest = [a for a in names if a != attribute]
            assert dependency_degree(X, y, rest) < full


@settings(max_examples=25, deadline=None)
@given(
    data=st.lists(st.tuples(*[st.integers(0, 2)] * 5), min_size=4, max_size=25),
    seed=st.integers(0, 1000),
)
def test_ga_reduct_keeps_gamma_and_is_minimal(data, seed):
    frame = pd.DataFrame(data, columns=["a0", "a1", "a2", "a3", "d"])
    X, y = frame.drop(columns="d"), frame["d"]
    if y.nunique() < 2:
        return
    selector = GAReductSelector(population_size=6, generations=4, random_state=seed).fit(X, y)
    full = dependency_degree(X, y)
    assert dependency_degree(X, y, selector.reduct_) == pytest.approx(full)
    for attribute in selector.reduct_:
        rest = [a for a in selector.reduct_ if a != attribute]
        if rest:
            assert dependency_degree(X, y, rest) < full - 1e-12


def test_ga_reduct_rejects_bad_input():
    with pytest.raises(
        ValueError,
        match=r"The 'population_size' parameter of GAReductSelector must be an int in the "
        r"range \[1, inf\)\. Got 0 instead\.",
    ):
        GAReductSelector(population_size=0).fit(HIRING_X, HIRING_Y)
    with pytest.raises(ValueError, match="'beta' parameter"):
        GAReductSelector(beta=0.4).fit(HIRING_X, HIRING_Y)
    with pytest.raises(ValueError, match="only one class"):
        GAReductSelector().fit(HIRING_X, ["Accept"] * 8)
    X = HIRING_X.copy()
    X.loc[2, "French"] = None
    with pytest.raises(ValueError, match="'French'.*missing"):
        GAReductSelector().fit(X, HIRING_Y)


# --------------------------------------------------------------------------------------------
# GPSymbolicRegressor
# --------------------------------------------------------------------------------------------


def test_gp_recovers_a_simple_formula():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(1, 5, size=(300, 3)), columns=["frequency", "recency", "T"])
    y = X["frequency"] * X["recency"] + 2.0
    model = GPSymbolicRegressor(population_size=150, generations=15, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.99
    assert "frequency" in model.expression_ and "recency" in model.expression_
    assert model.tree_size_ <= 15


def test_gp_bloat_control():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 4))
    y = np.sin(X[:, 0]) + X[:, 1] ** 3 + rng.normal(scale=0.1, size=200)
    common = dict(population_size=80, generations=8, patience=None, random_state=0)
    free = GPSymbolicRegressor(parsimony_coefficient=0.0, max_height=8, **common).fit(X, y)
    lean = GPSymbolicRegressor(parsimony_coefficient=0.05, max_height=8, **common).fit(X, y)
    assert lean.tree_size_ < free.tree_size_
    assert _program_height(free.program_) <= 8
    assert np.all(np.isfinite(free.predict(X * 1e6)))  # overflow falls back to a finite value


def _program_height(program) -> int:
    from ecrm_methods.genetic.symbolic import _PRIMITIVES

    heights = []
    for kind, value in reversed(program):
        if kind in ("x", "c"):
            heights.append(0)
        else:
            arity = _PRIMITIVES[value][1]
            heights.append(1 + max(heights.pop() for _ in range(arity)))
    return heights[0]


def test_protected_operators():
    np.testing.assert_allclose(
        protected_div(np.array([3.0, 3.0]), np.array([0.0, 2.0])), [1.0, 1.5]
    )
    np.testing.assert_allclose(protected_log(np.array([0.0, -np.e])), [0.0, 1.0])


def test_gp_rejects_bad_input():
    X, y = np.ones((10, 2)), np.arange(10.0)
    with pytest.raises(ValueError, match="function_set"):
        GPSymbolicRegressor(function_set=("add", "pow")).fit(X, y)
    with pytest.raises(ValueError, match="init_depth"):
        GPSymbolicRegressor(init_depth=(3, 20), max_height=10).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        GPSymbolicRegressor().fit(np.full((10, 2), np.nan), y)


# --------------------------------------------------------------------------------------------
# RetentionCampaignOptimizer
# --------------------------------------------------------------------------------------------


def test_campaign_ga_reaches_99_percent_of_the_exact_optimum(retention_instance):
    data = dict(retention_instance)
    budget = data.pop("budget")
    optimizer = RetentionCampaignOptimizer(
        budget, population_size=50, generations=60, random_state=0
    ).fit(**data)
    profit, cost = campaign_economics(**data)
    exact = exact_campaign_selection(profit, cost, budget)
    greedy = greedy_campaign_selection(profit, cost, budget)
    assert cost[exact].sum() <= budget + 1e-6
    assert optimizer.cost_ <= budget + 1e-9
    assert optimizer.cost_ == pytest.approx(cost[optimizer.selected_].sum())
    assert optimizer.expected_profit_ == pytest.approx(profit[optimizer.selected_].sum())
    assert optimizer.expected_profit_ >= 0.99 * profit[exact].sum()
    assert optimizer.expected_profit_ >= profit[greedy].sum() - 1e-9
    assert optimizer.greedy_expected_profit_ == pytest.approx(profit[greedy].sum())
    assert not (optimizer.selected_ & (profit <= 0)).any()


def test_campaign_economics_formula():
    profit, cost = campaign_economics(
        [0.5, 0.1], [100.0, 50.0], offer_cost=[5.0, 2.0], acceptance_rate=0.4, contact_cost=1.0
    )
    np.testing.assert_allclose(profit, [0.5 * 0.4 * 100 - 6.0, 0.1 * 0.4 * 50 - 3.0])
    np.testing.assert_allclose(cost, [6.0, 3.0])


def test_campaign_accepts_a_scalar_offer_cost():
    rng = np.random.default_rng(0)
    churn, value = rng.uniform(size=300), rng.gamma(2.0, 100.0, size=300)
    optimizer = RetentionCampaignOptimizer(150.0, generations=10, random_state=0)
    optimizer.fit(churn, value, offer_cost=9.0)
    assert optimizer.selected_.sum() == 15  # every customer costs 10: 15 fit in 150
    assert optimizer.cost_ == pytest.approx(150.0)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_customers=st.integers(1, 60),
    budget_share=st.floats(0.05, 1.5),
)
def test_campaign_solution_is_feasible_and_not_worse_than_greedy(seed, n_customers, budget_share):
    rng = np.random.default_rng(seed)
    churn = rng.uniform(size=n_customers)
    value = rng.gamma(2.0, 80.0, size=n_customers)
    offer = rng.uniform(0.0, 30.0, size=n_customers)
    cost = offer + 1.0
    budget = max(float(cost.min()), budget_share * float(cost.sum()) / 2)
    optimizer = RetentionCampaignOptimizer(
        budget, population_size=10, generations=10, random_state=seed
    ).fit(churn, value, offer)
    profit, _ = campaign_economics(churn, value, offer)
    assert optimizer.cost_ <= budget + 1e-9
    assert (
        optimizer.expected_profit_
        >= profit[greedy_campaign_selection(profit, cost, budget)].sum() - 1e-9
    )
    if n_customers <= 60:
        exact = exact_campaign_selection(profit, cost, budget)
        assert optimizer.expected_profit_ <= profit[exact].sum() + 1e-6


@pytest.mark.parametrize(
    ("budget", "arguments", "message"),
    [
        (5.0, dict(offer_cost=10.0), "below the cheapest"),
        (100.0, dict(offer_cost=[1.0, -2.0, 3.0]), "offer_cost must be >= 0"),
        (100.0, dict(offer_cost=[1.0, 2.0]), "offer_cost has 2 values"),
        (100.0, dict(offer_cost=1.0, churn_probability=[0.1, 1.2, 0.3]), r"\[0, 1\]"),
        (100.0, dict(offer_cost=1.0, customer_value=[1.0, np.nan, 2.0]), "customer_value"),
        (
            np.nan,
            dict(offer_cost=1.0),
            r"The 'budget' parameter of RetentionCampaignOptimizer must be a float in the range "
            r"\(-inf, inf\)\. Got nan instead\.",
        ),
    ],
)
def test_campaign_rejects_bad_input(budget, arguments, message):
    inputs = dict(churn_probability=[0.1, 0.5, 0.3], customer_value=[100.0, 200.0, 50.0])
    inputs.update(arguments)
    with pytest.raises(ValueError, match=message):
        RetentionCampaignOptimizer(budget, generations=2).fit(**inputs)


def test_campaign_rejects_negative_contact_cost():
    with pytest.raises(
        ValueError,
        match=r"The 'contact_cost' parameter of RetentionCampaignOptimizer must be a float in "
        r"the range \[0\.0, inf\)\. Got -1\.0 instead\.",
    ):
        RetentionCampaignOptimizer(10.0, contact_cost=-1.0).fit([0.5], [100.0], 1.0)
    with pytest.raises(
        ValueError,
        match=r"The 'acceptance_rate' parameter of campaign_economics must be a float in the "
        r"range \[0\.0, 1\.0\]\. Got 1\.5 instead\.",
    ):
        campaign_economics([0.5], [100.0], 1.0, acceptance_rate=1.5)


# --------------------------------------------------------------------------------------------
# DEAP hygiene: determinism, global random state, pickling, clone, no warnings
# --------------------------------------------------------------------------------------------


def _fitted(estimator_name, random_state):
    rng = np.random.default_rng(0)
    if estimator_name == "selector":
        X, y = make_classification(n_samples=150, n_features=8, random_state=0)
        return _small_selector(random_state=random_state).fit(X, y), X
    if estimator_name == "clustering":
        X, _ = make_blobs(n_samples=150, centers=3, random_state=0)
        return GAClustering(3, generations=5, random_state=random_state).fit(X), X
    if estimator_name == "gp":
        X = rng.normal(size=(100, 3))
        y = X[:, 0] ** 2 - X[:, 1]
        return GPSymbolicRegressor(
            population_size=40, generations=5, random_state=random_state
        ).fit(X, y), X
    if estimator_name == "tuner":
        X, _ = make_blobs(n_samples=150, centers=3, random_state=0)
        tuner = GARoughKMeansTuner(3, population_size=6, generations=3, n_init=1)
        return tuner.set_params(random_state=random_state).fit(X), X
    if estimator_name == "reducts":
        X, y = _noisy_twenty_table()
        selector = GAReductSelector(population_size=8, generations=3, random_state=random_state)
        return selector.fit(X, y), X
    churn, value = rng.uniform(size=200), rng.gamma(2.0, 100.0, size=200)
    optimizer = RetentionCampaignOptimizer(200.0, generations=10, random_state=random_state)
    return optimizer.fit(churn, value, rng.uniform(1, 20, size=200)), None


def _result(estimator, X):
    if isinstance(estimator, GAFeatureSelector):
        return estimator.support_
    if isinstance(estimator, GAReductSelector):
        return estimator.get_support()
    if isinstance(estimator, RetentionCampaignOptimizer):
        return estimator.selected_
    if isinstance(estimator, GPSymbolicRegressor):
        return estimator.predict(X)
    if isinstance(estimator, GARoughKMeansTuner):
        return [estimator.best_params_["threshold"], *estimator.cluster_centers_.ravel()]
    return estimator.cluster_centers_


ESTIMATOR_NAMES = ["selector", "clustering", "gp", "campaign", "tuner", "reducts"]


@pytest.mark.parametrize("name", ESTIMATOR_NAMES)
def test_same_seed_same_result_and_global_random_untouched(name):
    random.seed(123)
    state_before = random.getstate()
    numpy_state_before = np.random.get_state()[1].copy()  # noqa: NPY002 - checking the legacy global
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # repeated fits must not warn (no creator re-creation)
        first, X = _fitted(name, 7)
        second, _ = _fitted(name, 7)
    assert random.getstate() == state_before
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state_before)  # noqa: NPY002
    np.testing.assert_array_equal(_result(first, X), _result(second, X))
    np.testing.assert_array_equal(first.logbook_frame(), second.logbook_frame())


@pytest.mark.parametrize("name", ESTIMATOR_NAMES)
def test_pickle_and_clone(name):
    fitted, X = _fitted(name, 3)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(_result(restored, X), _result(fitted, X))
    fresh = clone(fitted)
    assert fresh.get_params()["random_state"] == 3
    assert not hasattr(fresh, "logbook_")


def test_gp_expression_matches_predictions():
    fitted, X = _fitted("gp", 0)
    names = {f"x{i}": X[:, i] for i in range(X.shape[1])}
    formula = fitted.expression_.replace("log(", "_log(")
    evaluated = eval(formula, {"_log": protected_log, **names})  # noqa: S307 - our own formula
    np.testing.assert_allclose(evaluated, fitted.predict(X), rtol=1e-3, atol=1e-3)


# --------------------------------------------------------------------------------------------
# Registered methods fit on a slice of each real problem
# --------------------------------------------------------------------------------------------

REGISTERED = [
    ("churn", "ecommerce-churn"),
    ("satisfaction", "clothing-reviews"),
    ("value", "cdnow-sample"),
    ("segmentation", "online-retail"),
]


@pytest.mark.parametrize(("problem", "dataset"), REGISTERED)
def test_registered_genetic_methods_fit_a_slice(problem, dataset):
    import ecrm_methods.benchmark.methods.genetic  # noqa: F401  (registers the methods)
    from ecrm_methods import problems
    from ecrm_methods.benchmark.registry import get_methods

    if not problems.pair_is_available(problem, dataset):
        pytest.skip(f"{problem}/{dataset} data is not in the data home")
    specs = get_methods(problem=problem, family="genetic", dataset=dataset)
    assert specs, f"no genetic method is registered for {problem}/{dataset}"
    # the genetic-fuzzy hybrid is fitted on a real slice in tests/test_hybrids.py
    specs = [spec for spec in specs if spec.name != "genetic_fuzzy_rules"]
    data = problems.load_problem(problem, dataset)
    n_rows, n_train = 600, 400
    rows = np.random.default_rng(0).permutation(data.n_samples)[:n_rows]
    X = data.X.iloc[rows].reset_index(drop=True)
    for spec in specs:
        estimator = spec.build(data, 0)
        # keep CI fast: a few generations are enough to exercise the whole pipeline
        estimator.set_params(
            **{key: 3 for key in estimator.get_params() if key.endswith("generations")}
        )
        if problem == "segmentation":
            estimator.fit(X)
            assert estimator.labels_.shape == (n_rows,)
            assert set(np.unique(estimator.labels_)) == {0, 1, 2, 3}
            continue
        y = data.y.iloc[rows].reset_index(drop=True)
        X_train, y_train = X.iloc[:n_train], y.iloc[:n_train]
        X_held_out, y_held_out = X.iloc[n_train:], y.iloc[n_train:]
        estimator.fit(X_train, y_train)
        prediction = estimator.predict(X_held_out)
        n_held_out = n_rows - n_train
        if problem == "value":
            assert prediction.shape == (n_held_out, 2)
            assert np.isfinite(prediction).all()
            formulas = [model.expression_ for model in estimator[-1].estimators_]
            assert all(isinstance(formula, str) and formula for formula in formulas)
            continue
        assert prediction.shape == (n_held_out,)
        assert set(np.unique(prediction)) <= set(np.unique(y_train))
        proba = estimator.predict_proba(X_held_out)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        assert 1 <= estimator.named_steps["select"].n_features_ < X.shape[1] * 50
        if problem == "churn":
            # scored on rows the GA and the model never saw (in sample it proved nothing)
            assert roc_auc_score(y_held_out, proba[:, 1]) > 0.75


# --------------------------------------------------------------------------------------------
# Thread safety: DEAP's draws from `random` must not depend on thread scheduling
# --------------------------------------------------------------------------------------------


def _seeded_fit_jobs():
    """Nine small seeded fits (three estimators x three seeds), each returning its result.

    Results are what the random draws decide (cluster centres, the GP program, the mask);
    centres are compared with a tolerance because vectorised BLAS kernels may round the
    last bit differently with the arrays' memory alignment.
    """
    X_blobs, _ = make_blobs(n_samples=150, centers=3, random_state=1)
    rng = np.random.default_rng(5)
    X_gp = rng.normal(size=(80, 3))
    y_gp = X_gp[:, 0] ** 2 - X_gp[:, 1]
    X_cls, y_cls = make_classification(n_samples=120, n_features=8, random_state=2)

    def clustering(seed):
        estimator = GAClustering(3, population_size=10, generations=6, random_state=seed)
        return estimator.fit(X_blobs).cluster_centers_

    def symbolic(seed):
        estimator = GPSymbolicRegressor(population_size=30, generations=4, random_state=seed)
        return repr(estimator.fit(X_gp, y_gp).program_)

    def selector(seed):
        estimator = _small_selector(population_size=8, generations=3, random_state=seed)
        return estimator.fit(X_cls, y_cls).support_

    return [
        functools.partial(fit, seed)
        for seed in (0, 1, 2)
        for fit in (clustering, symbolic, selector)
    ]


def test_concurrent_fits_in_threads_give_the_serial_results():
    jobs = _seeded_fit_jobs()
    serial = [job() for job in jobs]
    for _ in range(3):
        with ThreadPoolExecutor(max_workers=2) as pool:
            threaded = list(pool.map(lambda job: job(), jobs))
        for expected, got in zip(serial, threaded, strict=True):
            if isinstance(expected, str):
                assert got == expected
            else:
                np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_deap_draws_from_the_fit_generator_not_the_global_random():
    deap_modules = [name for name in sys.modules if name == "deap" or name.startswith("deap.")]
    assert "deap.tools.selection" in deap_modules and "deap.gp" in deap_modules
    for name in deap_modules:
        module = sys.modules[name]
        assert getattr(module, "random", None) is not random, name
        source = Path(getattr(module, "__file__", None) or os.devnull).read_text()
        assert re.search(r"^\s*from random import", source, re.MULTILINE) is None, name
    jobs = _seeded_fit_jobs()[:3]
    expected = [job() for job in jobs]
    stop = threading.Event()

    def draw_from_the_global_random():
        while not stop.is_set():
            random.random()
            time.sleep(0.001)

    other_thread = threading.Thread(target=draw_from_the_global_random)
    other_thread.start()
    try:
        got = [job() for job in jobs]
    finally:
        stop.set()
        other_thread.join()
    assert got[1] == expected[1]  # the GP program
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-9)
    np.testing.assert_array_equal(got[2], expected[2])


def test_selector_runs_a_genetic_estimator_in_worker_threads():
    """Fitness in joblib threads, each fitting a GP: no deadlock, same result as serial."""
    X, y = make_regression(n_samples=60, n_features=4, n_informative=2, random_state=0)

    def select(**parallel):
        gp = GPSymbolicRegressor(population_size=10, generations=2, random_state=0)
        selector = GAFeatureSelector(
            gp,
            scoring="r2",
            cv=2,
            population_size=6,
            generations=2,
            patience=None,
            random_state=0,
            **parallel,
        )
        return selector.fit(X, y)

    serial = select()
    for _ in range(2):
        threaded = select(n_jobs=2, backend="threading")
        np.testing.assert_array_equal(threaded.support_, serial.support_)
        assert threaded.best_score_ == pytest.approx(serial.best_score_, rel=1e-9)
        np.testing.assert_array_equal(threaded.logbook_frame(), serial.logbook_frame())
