"""Tests of ecrm_methods.rough_sets: decision-table core, reducts, discretization, LEM2 rules,
value-tier rules and rough k-means."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from ecrm_methods.rough_sets import (
    DecisionTable,
    DependencyOracle,
    LEM2Classifier,
    RoughKMeans,
    RoughSetDiscretizer,
    RoughSetReducer,
    ValueTierRuleRegressor,
    approximations,
    dependency_degree,
    indiscernibility_classes,
    interval_labels,
    positive_region,
    prune_to_reduct,
)

# The hiring decision table of Komorowski, Pawlak, Polkowski & Skowron (1999), "Rough sets: a
# tutorial", as bundled with R RoughSets (`RoughSetData$hiring.dt`, rows ordered Accept first:
# x1, x4, x6, x7, x2, x3, x5, x8 of the tutorial).
HIRING = pd.DataFrame(
    {
        "Diploma": ["MBA", "MSc", "MSc", "MBA", "MBA", "MCE", "MSc", "MCE"],
        "Experience": ["Medium", "High", "High", "High", "Low", "Low", "Medium", "Low"],
        "French": ["Yes", "Yes", "Yes", "No", "Yes", "Yes", "Yes", "No"],
        "Reference": [
            "Excellent",
            "Neutral",
            "Excellent",
            "Good",
            "Neutral",
            "Good",
            "Neutral",
            "Excellent",
        ],
        "Decision": ["Accept"] * 4 + ["Reject"] * 4,
    }
)
HIRING_X = HIRING.drop(columns="Decision")
HIRING_Y = HIRING["Decision"]


# --------------------------------------------------------------------------------------------
# A straightforward reference implementation (dict of tuples) to check the vectorized one
# --------------------------------------------------------------------------------------------


def reference_classes(X: pd.DataFrame, attributes) -> dict:
    classes: dict = {}
    for i, row in enumerate(X[list(attributes)].itertuples(index=False)):
        classes.setdefault(tuple(row), []).append(i)
    return classes


def reference_gamma(X, y, attributes) -> float:
    y = list(y)
    positive = 0
    for rows in reference_classes(X, attributes).values():
        if len({y[i] for i in rows}) == 1:
            positive += len(rows)
    return positive / len(y)


def brute_force_reducts(X, y) -> list[list[str]]:
    columns = list(X.columns)
    full = reference_gamma(X, y, columns)
    found: list[set] = []
    for size in range(len(columns) + 1):
        for subset in itertools.combinations(columns, size):
            if any(r <= set(subset) for r in found):
                continue
            if reference_gamma(X, y, subset) == full:
                found.append(set(subset))
    return sorted(sorted(r) for r in found)


@st.composite
def decision_tables(draw, max_rows=25, max_attributes=4):
    n_rows = draw(st.integers(2, max_rows))
    n_attributes = draw(st.integers(1, max_attributes))
    values = st.lists(st.integers(0, 2), min_size=n_rows, max_size=n_rows)
    X = pd.DataFrame({f"a{j}": draw(values) for j in range(n_attributes)})
    y = pd.Series(draw(st.lists(st.integers(0, 2), min_size=n_rows, max_size=n_rows)))
    return X, y


# --------------------------------------------------------------------------------------------
# Core on the hiring table
# --------------------------------------------------------------------------------------------


def test_hiring_indiscernibility_classes_by_experience_and_french():
    labels = indiscernibility_classes(HIRING_X, ["Experience", "French"])
    # Medium-Yes {0, 6}, High-Yes {1, 2}, High-No {3}, Low-Yes {4, 5}, Low-No {7}
    assert labels.tolist() == [0, 1, 1, 2, 3, 3, 0, 4]


def test_hiring_approximations_for_experience_checked_by_hand():
    result = approximations(HIRING_X, HIRING_Y, ["Experience"])
    accept_lower, accept_upper = result["Accept"]
    reject_lower, reject_upper = result["Reject"]
    # High -> Accept (rows 1, 2, 3), Low -> Reject (rows 4, 5, 7), Medium is mixed (0, 6)
    assert np.flatnonzero(accept_lower).tolist() == [1, 2, 3]
    assert np.flatnonzero(accept_upper).tolist() == [0, 1, 2, 3, 6]
    assert np.flatnonzero(reject_lower).tolist() == [4, 5, 7]
    assert np.flatnonzero(reject_upper).tolist() == [0, 4, 5, 6, 7]
    assert np.flatnonzero(positive_region(HIRING_X, HIRING_Y, "Experience")).tolist() == [
        1,
        2,
        3,
        4,
        5,
        7,
    ]
    assert dependency_degree(HIRING_X, HIRING_Y, ["Experience"]) == pytest.approx(0.75)
    assert dependency_degree(HIRING_X, HIRING_Y) == 1.0


def test_hiring_all_reducts_and_core():
    reducer = RoughSetReducer(method="all").fit(HIRING_X, HIRING_Y)
    assert sorted(reducer.reducts_) == [["Diploma", "Experience"], ["Experience", "Reference"]]
    assert reducer.core_ == ["Experience"]
    assert reducer.dependency_ == 1.0
    assert list(reducer.get_feature_names_out()) == reducer.reduct_


@pytest.mark.parametrize(
    "params",
    [
        {"method": "quickreduct"},
        {"method": "greedy", "heuristic": "entropy"},
        {"method": "greedy", "heuristic": "discernibility"},
    ],
)
def test_hiring_heuristic_reduct_is_one_of_the_two(params):
    reducer = RoughSetReducer(**params).fit(HIRING_X, HIRING_Y)
    assert reducer.reduct_ in (["Diploma", "Experience"], ["Experience", "Reference"])
    assert reducer.core_ == ["Experience"]
    assert reducer.transform(HIRING_X).shape == (8, 2)


def test_genetic_method_is_refused_with_a_pointer_to_ga_reduct_selector():
    # the genetic search moved to ecrm_methods.genetic (tests in test_genetic.py)
    with pytest.raises(ValueError, match=r"ecrm_methods\.genetic\.GAReductSelector"):
        RoughSetReducer(method="genetic").fit(HIRING_X, HIRING_Y)


def test_importing_rough_sets_imports_nothing_from_the_genetic_family():
    code = (
        "import sys, ecrm_methods.rough_sets; "
        "print(sorted(m for m in sys.modules if m.startswith('ecrm_methods.genetic')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"


def test_public_dependency_oracle_matches_the_functions():
    table = DecisionTable(HIRING_X, HIRING_Y)
    oracle = DependencyOracle(table)
    experience = table.positions(["Experience"])
    assert oracle.gamma(experience) == dependency_degree(HIRING_X, HIRING_Y, ["Experience"])
    assert oracle.positive_count(experience) == 6
    assert oracle.full_positive == 8
    assert not oracle.keeps_dependency(experience)
    assert oracle.keeps_dependency(table.positions(["Diploma", "Experience"]))
    assert [table.names[a] for a in oracle.core()] == ["Experience"]
    # pruning all attributes, last first, keeps the reduct that survives
    assert [table.names[a] for a in prune_to_reduct(oracle, range(4))] == [
        "Diploma",
        "Experience",
    ]
    with pytest.raises(ValueError, match="no decision"):
        DependencyOracle(DecisionTable(HIRING_X))


def test_positional_attributes_and_numpy_input_match_named_ones():
    array = HIRING_X.to_numpy()
    assert dependency_degree(array, HIRING_Y.to_numpy(), [1]) == pytest.approx(0.75)
    assert (
        indiscernibility_classes(array, [1, 2]).tolist()
        == indiscernibility_classes(HIRING_X, ["Experience", "French"]).tolist()
    )


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(decision_tables())
def test_lower_inside_concept_inside_upper_and_beta_one_is_classical(table):
    X, y = table
    result = approximations(X, y)
    classes = reference_classes(X, X.columns)
    for value, (lower, upper) in result.items():
        concept = (y == value).to_numpy()
        assert not (lower & ~concept).any()
        assert not (concept & ~upper).any()
        # classical definitions through the dict-of-tuples reference
        expected_lower = np.zeros(len(y), dtype=bool)
        expected_upper = np.zeros(len(y), dtype=bool)
        for rows in classes.values():
            members = concept[rows]
            expected_lower[rows] = members.all()
            expected_upper[rows] = members.any()
        np.testing.assert_array_equal(lower, expected_lower)
        np.testing.assert_array_equal(upper, expected_upper)
    # a weaker precision only widens the lower and narrows the upper approximation
    for value, (lower_vp, upper_vp) in approximations(X, y, beta=0.6).items():
        lower, upper = result[value]
        assert not (lower & ~lower_vp).any()
        assert not (upper_vp & ~upper).any()
    assert dependency_degree(X, y) == pytest.approx(reference_gamma(X, y, X.columns))


@settings(max_examples=40, deadline=None)
@given(decision_tables(), st.data())
def test_dependency_is_monotone_in_the_attribute_set(table, data):
    X, y = table
    columns = list(X.columns)
    smaller = data.draw(st.lists(st.sampled_from(columns), min_size=1, unique=True))
    larger = sorted(set(smaller) | set(data.draw(st.lists(st.sampled_from(columns), unique=True))))
    assert dependency_degree(X, y, smaller) <= dependency_degree(X, y, larger) + 1e-12


@settings(max_examples=30, deadline=None)
@given(decision_tables(max_attributes=5))
def test_reducts_keep_gamma_and_are_minimal(table):
    X, y = table
    if y.nunique() < 2:
        return
    full = dependency_degree(X, y)
    every = RoughSetReducer(method="all").fit(X, y)
    assert sorted(every.reducts_) == brute_force_reducts(X, y)
    core = set.intersection(*(set(r) for r in every.reducts_))
    assert set(every.core_) == core
    for params in (
        {"method": "quickreduct"},
        {"method": "greedy", "heuristic": "entropy"},
        {"method": "greedy", "heuristic": "discernibility"},
    ):
        reduct = RoughSetReducer(**params).fit(X, y).reduct_
        assert reference_gamma(X, y, reduct) == pytest.approx(full)
        for attribute in reduct:
            rest = [a for a in reduct if a != attribute]
            assert reference_gamma(X, y, rest) < full - 1e-12
        assert reduct in every.reducts_


@settings(max_examples=30, deadline=None)
@given(decision_tables(max_rows=30, max_attributes=4))
def test_certain_lem2_rules_cover_only_their_lower_approximation(table):
    X, y = table
    if y.nunique() < 2:
        return
    model = LEM2Classifier().fit(X, y)
    result = approximations(X, y)
    matches = model.rule_matches(X)
    for r, rule in enumerate(model.rules_):
        covered = matches[:, r]
        assert covered.any()
        lower, upper = result[rule["decision"]]
        if rule["type"] == "certain":
            assert not (covered & ~lower).any()
            assert (y[covered] == rule["decision"]).all()
        else:
            assert not (covered & ~upper).any()
    # the certain rules of a class together cover its whole lower approximation
    for value, (lower, _) in result.items():
        certain = [
            r
            for r, rule in enumerate(model.rules_)
            if rule["type"] == "certain" and rule["decision"] == value
        ]
        covered = matches[:, certain].any(axis=1) if certain else np.zeros(len(y), bool)
        np.testing.assert_array_equal(covered, lower)


# --------------------------------------------------------------------------------------------
# LEM2
# --------------------------------------------------------------------------------------------


def test_lem2_on_hiring_reproduces_the_decisions_and_reads_well():
    model = LEM2Classifier().fit(HIRING_X, HIRING_Y)
    assert model.predict(HIRING_X).tolist() == HIRING_Y.tolist()
    frame = model.rules_frame()
    assert set(frame["type"]) == {"certain"}  # the hiring table is consistent
    assert "IF Experience = High THEN Decision = Accept | support 3 | confidence 1.00" in set(
        frame["rule"]
    )
    assert (frame["confidence"] == 1.0).all()
    proba = model.predict_proba(HIRING_X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # an unseen combination falls back to the default rule (class prior)
    unseen = pd.DataFrame([["PhD", "None", "No", "Poor"]], columns=HIRING_X.columns)
    np.testing.assert_allclose(model.predict_proba(unseen)[0], [0.5, 0.5])


def test_lem2_possible_rules_on_an_inconsistent_table():
    X = pd.DataFrame({"plan": ["a", "a", "a", "b", "b", "c"]})
    y = pd.Series([1, 1, 0, 0, 0, 1], name="Churn")
    model = LEM2Classifier().fit(X, y)
    frame = model.rules_frame()
    possible = frame[frame["type"] == "possible"]
    assert len(possible) >= 1
    assert "IF plan = a THEN Churn = 1" in " ".join(possible["rule"])
    row = possible[possible["rule"].str.contains("plan = a THEN Churn = 1")].iloc[0]
    assert row["support"] == 2 and row["matches"] == 3
    assert row["confidence"] == pytest.approx(2 / 3)
    assert row["laplace"] == pytest.approx(3 / 5)
    assert model.predict(pd.DataFrame({"plan": ["a", "b", "c"]})).tolist() == [1, 0, 1]


def test_discretizer_then_lem2_on_mixed_customer_data_in_a_pipeline():
    rng = np.random.default_rng(0)
    n = 400
    tenure = rng.integers(0, 30, n).astype(float)
    complain = rng.integers(0, 2, n)
    city = rng.choice(["north", "south"], n)
    churn = ((tenure < 4) & (complain == 1)).astype(int)
    X = pd.DataFrame({"Tenure": tenure, "Complain": complain, "City": city})
    pipeline = make_pipeline(
        RoughSetDiscretizer(method="maxdiscernibility"), LEM2Classifier(min_support=2)
    ).set_output(transform="pandas")  # the discretizer hands its column names to the rules
    pipeline.fit(X, pd.Series(churn, name="Churn"))
    assert (pipeline.predict(X) == churn).mean() == 1.0
    discretizer = pipeline[0]
    assert "Tenure" in discretizer.cuts_ and discretizer.categorical_features_ == [
        "Complain",
        "City",
    ]
    assert 4 >= discretizer.cuts_["Tenure"][0] > 3
    text = " ".join(pipeline[-1].rules_frame()["rule"])
    assert "Tenure in (-inf, 3.5)" in text and "Complain = 1" in text and "THEN Churn = 1" in text


# --------------------------------------------------------------------------------------------
# Discretizer
# --------------------------------------------------------------------------------------------


def test_interval_labels():
    assert interval_labels(np.array([2.0, 5.5])) == ["(-inf, 2)", "[2, 5.5)", "[5.5, inf)"]
    assert interval_labels(np.array([])) == ["(-inf, inf)"]


def test_quantile_and_uniform_cuts():
    X = pd.DataFrame({"spend": np.arange(100.0)})
    quantile = RoughSetDiscretizer(method="quantile", n_bins=4).fit(X)
    np.testing.assert_allclose(quantile.cuts_["spend"], [24.75, 49.5, 74.25])
    uniform = RoughSetDiscretizer(method="uniform", n_bins=3).fit(X)
    np.testing.assert_allclose(uniform.cuts_["spend"], [33.0, 66.0])
    out = uniform.transform(pd.DataFrame({"spend": [0.0, 33.0, 99.0, 1e6]}))
    assert out[:, 0].tolist() == ["(-inf, 33)", "[33, 66)", "[66, inf)", "[66, inf)"]
    ordinal = RoughSetDiscretizer(method="uniform", n_bins=3, encode="ordinal").fit(X)
    assert ordinal.transform(X)[[0, 50, 99], 0].tolist() == [0.0, 1.0, 2.0]


def test_maxdiscernibility_keeps_a_consistent_table_consistent():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(150, 3)), columns=["a", "b", "c"])
    y = (X["a"] + 0.5 * X["b"] > 0).astype(int)
    assert dependency_degree(X, y) == 1.0
    discretizer = RoughSetDiscretizer(method="maxdiscernibility").fit(X, y)
    discrete = pd.DataFrame(discretizer.transform(X), columns=X.columns)
    assert dependency_degree(discrete, y) == 1.0
    n_cuts = sum(len(c) for c in discretizer.cuts_.values())
    assert n_cuts < 150  # far fewer cuts than distinct values
    limited = RoughSetDiscretizer(method="maxdiscernibility", max_cuts=2).fit(X, y)
    assert sum(len(c) for c in limited.cuts_.values()) == 2


def test_discretizer_missing_policy_and_pandas_output():
    X = pd.DataFrame({"tenure": [1.0, np.nan, 3.0, 4.0, 5.0, 6.0, 7.0], "city": list("abcabca")})
    with pytest.raises(ValueError, match="'tenure'.*missing"):
        RoughSetDiscretizer().fit(X)
    discretizer = RoughSetDiscretizer(handle_missing="category", n_bins=2).set_output(
        transform="pandas"
    )
    out = discretizer.fit_transform(X)
    assert list(out.columns) == ["tenure", "city"]
    assert out.loc[1, "tenure"] == "missing"
    assert out["city"].tolist() == list("abcabca")


# --------------------------------------------------------------------------------------------
# Rough k-means
# --------------------------------------------------------------------------------------------


def test_rough_kmeans_without_boundary_equals_kmeans_from_the_same_centers():
    X, _ = make_blobs(n_samples=300, centers=4, cluster_std=1.5, random_state=3)
    init = X[[0, 1, 2, 3]]
    rough = RoughKMeans(
        n_clusters=4, weight_lower=1.0, threshold=1.0 + 1e-12, init=init, max_iter=300, tol=0
    ).fit(X)
    kmeans = KMeans(n_clusters=4, init=init, n_init=1, max_iter=300, tol=0, algorithm="lloyd")
    kmeans.fit(X)
    assert not rough.boundary_.any()
    np.testing.assert_array_equal(rough.labels_, kmeans.labels_)
    np.testing.assert_allclose(rough.cluster_centers_, kmeans.cluster_centers_, atol=1e-8)


def test_rough_kmeans_boundary_and_approximations_are_consistent():
    X, _ = make_blobs(n_samples=300, centers=3, cluster_std=2.5, random_state=0)
    model = RoughKMeans(n_clusters=3, threshold=1.3, n_init=3, random_state=0).fit(X)
    assert not (model.lower_ & ~model.upper_).any()
    assert (model.upper_.sum(axis=1) >= 1).all()
    assert (model.lower_.sum(axis=1) <= 1).all()
    np.testing.assert_array_equal(model.boundary_, model.upper_.sum(axis=1) > 1)
    assert model.boundary_.any()
    assert (model.labels_[model.boundary_] == -1).all()
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    again = RoughKMeans(n_clusters=3, threshold=1.3, n_init=3, random_state=0).fit(X)
    np.testing.assert_array_equal(again.cluster_centers_, model.cluster_centers_)
    # a wider threshold puts more rows in the boundary
    wider = RoughKMeans(n_clusters=3, threshold=2.0, n_init=3, random_state=0).fit(X)
    assert wider.boundary_.sum() > model.boundary_.sum()


# --------------------------------------------------------------------------------------------
# Value-tier rules
# --------------------------------------------------------------------------------------------


def test_value_tier_rules_predict_two_targets_and_name_the_top_tier():
    rng = np.random.default_rng(2)
    n = 500
    frequency = rng.poisson(2, n).astype(float)
    monetary = rng.gamma(2.0, 20.0, n)
    X = pd.DataFrame(
        {"frequency": frequency, "recency": rng.uniform(0, 30, n), "monetary_value": monetary}
    )
    spend = frequency * monetary * rng.uniform(0.8, 1.2, n)
    y = pd.DataFrame({"test_frequency": frequency, "test_spend": spend})
    model = ValueTierRuleRegressor(n_bins=5).fit(X, y)
    prediction = model.predict(X)
    assert prediction.shape == (n, 2)
    top = spend >= model.threshold_
    assert top.mean() == pytest.approx(0.2, abs=0.01)
    assert prediction[top, 1].mean() > 2 * prediction[~top, 1].mean()
    frame = model.rules_frame()
    assert frame["rule"].str.contains("THEN value_tier = top").any()
    assert {"certain", "possible"} & set(frame["type"])


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def test_nan_in_a_condition_attribute_names_the_column():
    X = HIRING_X.copy()
    X.loc[2, "French"] = None
    with pytest.raises(ValueError, match="'French'.*missing"):
        dependency_degree(X, HIRING_Y)
    with pytest.raises(ValueError, match="'French'.*missing"):
        RoughSetReducer().fit(X, HIRING_Y)
    with pytest.raises(ValueError, match="'French'.*missing"):
        LEM2Classifier().fit(X, HIRING_Y)


def test_single_class_decision():
    y = pd.Series(["Accept"] * 8)
    # the functions are defined for it (every class is pure) ...
    assert dependency_degree(HIRING_X, y, ["French"]) == 1.0
    # ... but estimators refuse a decision with nothing to discern
    for estimator in (RoughSetReducer(), LEM2Classifier()):
        with pytest.raises(ValueError, match="only one class"):
            estimator.fit(HIRING_X, y)


@pytest.mark.parametrize(
    ("estimator", "message"),
    [
        (
            RoughSetReducer(beta=0.5),
            r"The 'beta' parameter of RoughSetReducer must be a float in the range \(0\.5, 1\.0\]",
        ),
        (RoughSetReducer(method="all", beta=0.8), r"method='all' .* beta=0\.8"),
        (
            RoughSetDiscretizer(n_bins=1),
            r"The 'n_bins' parameter of RoughSetDiscretizer must be an int in the range \[2, inf\)",
        ),
        (
            LEM2Classifier(min_support=0),
            r"The 'min_support' parameter of LEM2Classifier must be an int in the range \[1, inf\)",
        ),
        (
            ValueTierRuleRegressor(top_fraction=1.0),
            r"The 'top_fraction' parameter of ValueTierRuleRegressor must be a float in the "
            r"range \(0\.0, 1\.0\)",
        ),
        # checked by the regressor itself: its discretizer is fitted without a second check
        (
            ValueTierRuleRegressor(method="kmeans"),
            r"The 'method' parameter of ValueTierRuleRegressor must be a str among",
        ),
    ],
)
def test_invalid_parameters_name_the_parameter_and_the_value(estimator, message):
    y = HIRING_Y if not isinstance(estimator, ValueTierRuleRegressor) else np.arange(8.0)
    with pytest.raises(ValueError, match=message):
        estimator.fit(HIRING_X, y)


def test_empty_or_unknown_attributes_and_bad_beta():
    with pytest.raises(ValueError, match="attributes is empty"):
        approximations(HIRING_X, HIRING_Y, [])
    with pytest.raises(ValueError, match="'Salary' is not a column"):
        dependency_degree(HIRING_X, HIRING_Y, ["Salary"])
    with pytest.raises(ValueError, match="beta must lie in"):
        positive_region(HIRING_X, HIRING_Y, beta=0.4)
    with pytest.raises(ValueError, match="y has 3 values but X has 8 rows"):
        dependency_degree(HIRING_X, [1, 2, 3])
    with pytest.raises(
        ValueError, match="The 'method' parameter of RoughSetReducer must be a str among"
    ):
        RoughSetReducer(method="fast").fit(HIRING_X, HIRING_Y)
    with pytest.raises(
        ValueError,
        match=r"The 'threshold' parameter of RoughKMeans must be a float in the range "
        r"\[1\.0, inf\)\. Got 0\.9 instead\.",
    ):
        RoughKMeans(n_clusters=2, threshold=0.9).fit(np.random.default_rng(0).normal(size=(9, 2)))
    with pytest.raises(
        ValueError,
        match=r"The 'n_clusters' parameter of RoughKMeans must be an int in the range "
        r"\[1, inf\)\. Got 0 instead\.",
    ):
        RoughKMeans(n_clusters=0).fit(np.random.default_rng(0).normal(size=(9, 2)))
    with pytest.raises(ValueError, match=r"n_samples=9 should be >= n_clusters=10"):
        RoughKMeans(n_clusters=10).fit(np.random.default_rng(0).normal(size=(9, 2)))


# --------------------------------------------------------------------------------------------
# Registered methods fit on a slice of each real problem
# --------------------------------------------------------------------------------------------

REGISTERED = [
    ("churn", "ecommerce-churn"),
    ("satisfaction", "ecommerce-churn"),
    ("value", "cdnow-sample"),
    ("segmentation", "cdnow"),
]


def _fit_registered(estimator, X, y=None):
    """Fit a registered estimator; one tuned by an inner grid search gets the rows'
    near-duplicate groups, here one group per row (as on a random split)."""
    if isinstance(estimator, GridSearchCV):
        return estimator.fit(X, y, groups=np.arange(len(X)))
    return estimator.fit(X) if y is None else estimator.fit(X, y)


@pytest.mark.parametrize(("problem", "dataset"), REGISTERED)
def test_registered_rough_set_methods_fit_a_slice(problem, dataset):
    import ecrm_methods.benchmark.methods.rough_sets  # noqa: F401  (registers the methods)
    from ecrm_methods import problems
    from ecrm_methods.benchmark.registry import get_methods

    if not problems.pair_is_available(problem, dataset):
        pytest.skip(f"{problem}/{dataset} data is not in the data home")
    specs = get_methods(problem=problem, family="rough_sets", dataset=dataset)
    assert specs, f"no rough-set method is registered for {problem}/{dataset}"
    data = problems.load_problem(problem, dataset)
    # the rule classifiers need a couple of thousand rows to beat the majority class out of
    # sample (on 600 rows their held-out accuracy is within noise of it)
    n_rows, n_train = (2000, 1400) if problem in ("churn", "satisfaction") else (600, 400)
    rows = np.random.default_rng(0).permutation(data.n_samples)[:n_rows]
    X = data.X.iloc[rows].reset_index(drop=True)
    for spec in specs:
        estimator = spec.build(data, 0)
        if problem == "segmentation":
            _fit_registered(estimator, X)
            assert estimator.labels_.shape == (n_rows,)
            assert set(np.unique(estimator.labels_)) <= {-1, 0, 1, 2, 3}
            continue
        y = data.y.iloc[rows].reset_index(drop=True)
        X_train, y_train = X.iloc[:n_train], y.iloc[:n_train]
        X_held_out, y_held_out = X.iloc[n_train:], y.iloc[n_train:]
        _fit_registered(estimator, X_train, y_train)
        prediction = estimator.predict(X_held_out)
        n_held_out = n_rows - n_train
        if problem == "value":
            assert prediction.shape == (n_held_out, 2)
            assert np.isfinite(prediction).all()
            continue
        assert prediction.shape == (n_held_out,)
        assert set(np.unique(prediction)) <= set(np.unique(y_train))
        proba = estimator.predict_proba(X_held_out)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        # out of sample, the rules must beat always answering the training majority class
        # (in sample LEM2 memorises the table, so an in-sample accuracy proves nothing)
        majority_rate = (y_held_out == y_train.mode()[0]).mean()
        accuracy = (prediction == y_held_out.to_numpy()).mean()
        assert accuracy > majority_rate, (spec.name, accuracy, majority_rate)
        if problem == "churn":
            assert roc_auc_score(y_held_out, proba[:, 1]) > 0.75
        model = getattr(estimator, "best_estimator_", estimator)
        assert model[-1].rules_frame()["rule"].str.startswith("IF ").all()
