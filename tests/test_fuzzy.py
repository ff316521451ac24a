"""Tests of ecrm_methods.fuzzy: c-means, validity indices, Mamdani rules, fuzzy scoring."""

import numpy as np
import pandas as pd
import pytest
import skfuzzy
from hypothesis import given, settings
from hypothesis import strategies as st
from skfuzzy import control as ctrl
from sklearn.datasets import make_blobs
from sklearn.utils.estimator_checks import check_param_validation

from ecrm_methods.fuzzy import (
    DEFAULT_RFM_SEGMENTS,
    FuzzyCMeans,
    FuzzyRFMScorer,
    FuzzyRuleClassifier,
    FuzzyRuleRegressor,
    FuzzyValueTierRegressor,
    fuzzy_cmeans_validity_scan,
    fuzzy_rfm_segments,
    fuzzy_silhouette,
    partition_coefficient,
    partition_entropy,
    xie_beni_index,
)

# --------------------------------------------------------------------------- fuzzy c-means


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=240, centers=3, cluster_std=0.8, random_state=3)
    return X, y


@pytest.mark.parametrize("m", [2.0, 1.7])
def test_cmeans_matches_skfuzzy_from_same_membership(blobs, m):
    X, _ = blobs
    rng = np.random.default_rng(0)
    initial = rng.uniform(size=(X.shape[0], 4))
    initial /= initial.sum(axis=1, keepdims=True)
    centers, membership, _, _, objective, n_iter, _ = skfuzzy.cluster.cmeans(
        X.T, 4, m, error=0.0, maxiter=30, init=initial.T.copy()
    )
    fcm = FuzzyCMeans(4, m=m, tol=0.0, max_iter=30, init=initial).fit(X)
    np.testing.assert_allclose(fcm.cluster_centers_, centers, atol=1e-6, rtol=0)
    np.testing.assert_allclose(fcm.membership_, membership.T, atol=1e-6, rtol=0)
    np.testing.assert_allclose(fcm.objective_history_, objective, rtol=1e-9)
    assert fcm.n_iter_ == n_iter == 30


def test_cmeans_leaves_global_rng_alone_and_is_reproducible(blobs):
    X, _ = blobs
    np.random.seed(123)  # noqa: NPY002 - the test is about the global RNG
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    first = FuzzyCMeans(3, init="random", n_init=2, random_state=7).fit(X)
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002
    second = FuzzyCMeans(3, init="random", n_init=2, random_state=7).fit(X)
    np.testing.assert_array_equal(first.membership_, second.membership_)


def test_cmeans_recovers_blobs_and_transforms(blobs):
    X, y = blobs
    fcm = FuzzyCMeans(3, random_state=0).fit(X)
    # each true blob maps to one cluster
    assert len({tuple(np.unique(fcm.labels_[y == k])) for k in range(3)}) == 3
    np.testing.assert_allclose(fcm.transform(X), fcm.membership_, atol=1e-10)
    np.testing.assert_array_equal(fcm.predict(X), fcm.labels_)
    frame = fcm.set_output(transform="pandas").fit_transform(pd.DataFrame(X, columns=["a", "b"]))
    assert list(frame.columns) == ["fuzzycmeans0", "fuzzycmeans1", "fuzzycmeans2"]


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_samples=st.integers(6, 60),
    n_clusters=st.integers(2, 5),
    m=st.floats(1.2, 3.5),
)
def test_cmeans_properties(seed, n_samples, n_clusters, m):
    X = np.random.default_rng(seed).normal(size=(n_samples, 2))
    fcm = FuzzyCMeans(n_clusters, m=m, max_iter=40, tol=1e-8, random_state=seed).fit(X)
    assert np.all(fcm.membership_ >= 0) and np.all(fcm.membership_ <= 1)
    np.testing.assert_allclose(fcm.membership_.sum(axis=1), 1.0, atol=1e-9)
    history = fcm.objective_history_
    assert np.all(np.diff(history) <= 1e-9 * max(history[0], 1.0))
    new = fcm.predict_membership(X[:3] + 0.1)
    np.testing.assert_allclose(new.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize(
    ("params", "X", "message"),
    [
        ({}, [[0.0, np.nan], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], "NaN"),
        ({"n_clusters": 5}, np.zeros((4, 2)), "n_samples=4 should be >= n_clusters=5"),
        ({"m": 1.0}, np.zeros((4, 2)), "'m' parameter"),
        ({"m": 0.5}, np.zeros((4, 2)), "'m' parameter"),
        ({"n_clusters": 2, "init": np.ones((3, 2))}, np.zeros((4, 2)), r"init has shape \(3, 2\)"),
    ],
)
def test_cmeans_bad_input(params, X, message):
    with pytest.raises(ValueError, match=message):
        FuzzyCMeans(**params).fit(np.asarray(X))


# --------------------------------------------------------------------------- validity indices


def test_validity_indices_limits():
    crisp = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    uniform = np.full((6, 3), 1 / 3)
    assert partition_coefficient(crisp) == pytest.approx(1.0)
    assert partition_entropy(crisp) == pytest.approx(0.0, abs=1e-12)
    assert partition_coefficient(uniform) == pytest.approx(1 / 3)
    assert partition_entropy(uniform) == pytest.approx(np.log(3))
    with pytest.raises(ValueError, match="membership must lie in"):
        partition_coefficient(crisp * 2)


def test_xie_beni_matches_definition(blobs):
    X, _ = blobs
    fcm = FuzzyCMeans(3, random_state=0).fit(X)
    u, v = fcm.membership_, fcm.cluster_centers_
    compactness = sum(
        u[i, k] ** 2 * np.sum((X[i] - v[k]) ** 2) for i in range(len(X)) for k in range(3)
    )
    separation = min(np.sum((v[a] - v[b]) ** 2) for a in range(3) for b in range(3) if a != b)
    assert xie_beni_index(X, u, v) == pytest.approx(compactness / (len(X) * separation))


def test_fuzzy_silhouette_weights_confident_points(blobs):
    X, y = blobs
    crisp = np.eye(3)[y]
    from sklearn.metrics import silhouette_score

    assert fuzzy_silhouette(X, crisp) == pytest.approx(silhouette_score(X, y))
    assert fuzzy_silhouette(X, np.eye(3)[np.zeros(len(X), dtype=int)]) != fuzzy_silhouette(X, crisp)


def test_validity_scan_prefers_true_cluster_count(blobs):
    X, _ = blobs
    table = fuzzy_cmeans_validity_scan(X, range(2, 6), random_state=0)
    assert list(table.columns) == [
        "n_clusters",
        "partition_coefficient",
        "partition_entropy",
        "xie_beni",
        "fuzzy_silhouette",
        "objective",
        "n_iter",
    ]
    assert table["n_clusters"].tolist() == [2, 3, 4, 5]
    assert table.loc[table["xie_beni"].idxmin(), "n_clusters"] == 3
    assert table.loc[table["fuzzy_silhouette"].idxmax(), "n_clusters"] == 3
    with pytest.raises(ValueError, match="need >= 2 clusters"):
        fuzzy_cmeans_validity_scan(X, [1])


# --------------------------------------------------------------------------- Mamdani


@pytest.fixture(scope="module")
def satisfaction_data():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {"delivery_delay": rng.uniform(0, 10, 300), "complaints": rng.uniform(0, 5, 300)}
    )
    y = pd.Series(
        10 - 0.5 * X["delivery_delay"] - X["complaints"] + rng.normal(0, 0.3, 300),
        name="satisfaction",
    )
    return X, y


SATISFACTION_RULES = [
    "IF delivery_delay IS high AND complaints IS high THEN satisfaction IS low",
    "IF delivery_delay IS medium OR complaints IS medium THEN satisfaction IS medium",
    "IF delivery_delay IS low AND complaints IS NOT high THEN satisfaction IS high WITH 0.8",
    "if delivery_delay is low and complaints is high then satisfaction is medium",
]


def _skfuzzy_reference(reg, X, t_norm):
    """The same system built with skfuzzy.control, simulated row by row."""
    inputs = {}
    for name in ["delivery_delay", "complaints"]:
        variable = ctrl.Antecedent(reg.universes_[name], name)
        for term, mf in reg.membership_functions_[name].items():
            variable[term] = mf
        inputs[name] = variable
    output = ctrl.Consequent(reg.output_universe_, "satisfaction")
    for term, mf in reg.output_membership_functions_.items():
        output[term] = mf
    delay, complaints = inputs["delivery_delay"], inputs["complaints"]
    kwargs = {}
    if t_norm == "product":
        kwargs = {"and_func": np.multiply, "or_func": lambda a, b: a + b - a * b}
    rules = [
        ctrl.Rule(delay["high"] & complaints["high"], output["low"], **kwargs),
        ctrl.Rule(delay["medium"] | complaints["medium"], output["medium"], **kwargs),
        ctrl.Rule(delay["low"] & ~complaints["high"], output["high"] % 0.8, **kwargs),
        ctrl.Rule(delay["low"] & complaints["high"], output["medium"], **kwargs),
    ]
    simulation = ctrl.ControlSystemSimulation(ctrl.ControlSystem(rules))
    crisp = []
    for delay_value, complaints_value in X.to_numpy():
        simulation.input["delivery_delay"] = delay_value
        simulation.input["complaints"] = complaints_value
        simulation.compute()
        crisp.append(simulation.output.get("satisfaction", np.nan))
    return np.array(crisp)


@pytest.mark.filterwarnings("ignore:Passing more than 2 positional:DeprecationWarning")
@pytest.mark.parametrize(
    ("mf_shape", "t_norm", "resolution"),
    [("triangular", "min", 11), ("gaussian", "min", 51), ("trapezoidal", "product", 31)],
)
def test_mamdani_matches_skfuzzy_control(satisfaction_data, mf_shape, t_norm, resolution):
    X, y = satisfaction_data
    reg = FuzzyRuleRegressor(
        SATISFACTION_RULES, mf_shape=mf_shape, t_norm=t_norm, resolution=resolution
    ).fit(X, y)
    rows = X.iloc[:60]
    reference = _skfuzzy_reference(reg, rows, t_norm)
    ours = reg.predict(rows)
    fired = ~np.isnan(reference)
    assert fired.sum() >= 50
    np.testing.assert_allclose(ours[fired], reference[fired], atol=1e-6, rtol=0)
    np.testing.assert_allclose(ours[~fired], reg.default_prediction_)


def test_rules_are_readable_and_explain_predictions(satisfaction_data):
    X, y = satisfaction_data
    reg = FuzzyRuleRegressor(SATISFACTION_RULES).fit(X, y)
    assert str(reg.rules_[2]) == SATISFACTION_RULES[2]
    assert str(reg.rules_[3]) == (
        "IF delivery_delay IS low AND complaints IS high THEN satisfaction IS medium"
    )
    firing = reg.rule_firing_strengths(X.iloc[:5])
    assert firing.shape == (5, 4)
    assert list(firing.index) == list(X.index[:5])
    assert firing.to_numpy().min() >= 0 and firing.to_numpy().max() <= 1
    # row with short delay and few complaints fires the "high satisfaction" rule fully
    one = reg.rule_firing_strengths(pd.DataFrame({"delivery_delay": [0.0], "complaints": [0.0]}))
    assert one.iloc[0, 2] == pytest.approx(1.0)
    assert reg.predict(pd.DataFrame({"delivery_delay": [0.0], "complaints": [0.0]}))[0] > y.mean()


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("IF speed IS high THEN satisfaction IS low", "unknown input variable 'speed'"),
        ("IF complaints IS huge THEN satisfaction IS low", "unknown term 'huge'"),
        ("IF complaints IS high THEN satisfaction IS awful", "unknown output term 'awful'"),
        ("IF complaints IS high THEN loyalty IS low", "concludes on 'loyalty'"),
        ("complaints high -> low", "cannot read rule"),
        ("IF complaints high THEN satisfaction IS low", "cannot read the condition"),
        ("IF complaints IS high THEN satisfaction IS low WITH 2", "weight 2"),
    ],
)
def test_bad_rules_give_clear_errors(satisfaction_data, rule, message):
    X, y = satisfaction_data
    with pytest.raises(ValueError, match=message):
        FuzzyRuleRegressor([rule]).fit(X, y)


def test_user_membership_functions(satisfaction_data):
    X, y = satisfaction_data
    mfs = {
        "complaints": {"few": ("trapezoidal", [0, 0, 1, 2]), "many": ("triangular", [1, 5, 5])},
        "satisfaction": {"bad": ("gaussian", [2, 1.5]), "good": ("gaussian", [8, 1.5])},
    }
    reg = FuzzyRuleRegressor(
        [
            "IF complaints IS few THEN satisfaction IS good",
            "IF complaints IS many THEN satisfaction IS bad",
        ],
        membership_functions=mfs,
    ).fit(X, y)
    assert reg.terms_["complaints"] == ["few", "many"]
    low, high = reg.predict(pd.DataFrame({"delivery_delay": [5.0, 5.0], "complaints": [0.0, 5.0]}))
    assert low > 6 and high < 4
    with pytest.raises(ValueError, match="unknown membership function shape 'sigmoid'"):
        FuzzyRuleRegressor(membership_functions={"complaints": {"a": ("sigmoid", [1, 2])}}).fit(
            X, y
        )


def test_wang_mendel_regressor_learns(satisfaction_data):
    X, y = satisfaction_data
    reg = FuzzyRuleRegressor(n_terms=5).fit(X, y)
    assert reg.score(X, y) > 0.8
    assert all(str(r).startswith("IF delivery_delay IS") for r in reg.rules_)
    small = FuzzyRuleRegressor(n_terms=5, max_rules=4).fit(X, y)
    assert len(small.rules_) == 4


def test_mamdani_bad_input(satisfaction_data):
    X, y = satisfaction_data
    bad = X.copy()
    bad.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FuzzyRuleRegressor().fit(bad, y)
    with pytest.raises(ValueError, match="'t_norm' parameter"):
        FuzzyRuleRegressor(t_norm="lukasiewicz").fit(X, y)


@pytest.mark.parametrize(
    "estimator",
    [
        FuzzyCMeans(3, max_iter=30),
        FuzzyRuleClassifier(resolution=21),
        FuzzyRuleRegressor(resolution=21),
        FuzzyRFMScorer(),
        FuzzyValueTierRegressor(max_iter=30, n_init=1),
    ],
    ids=lambda estimator: type(estimator).__name__,
)
def test_parameter_constraints_cover_every_parameter(estimator):
    """scikit-learn's own check: a constraint per parameter, and its message on bad values."""
    check_param_validation(type(estimator).__name__, estimator)


def test_classifier_wang_mendel_and_user_rules():
    X, y = make_blobs(n_samples=300, centers=[[0, 0], [5, 5]], cluster_std=1.0, random_state=1)
    clf = FuzzyRuleClassifier().fit(X, y)
    assert clf.score(X, y) > 0.95
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    additive = FuzzyRuleClassifier(class_scores="sum").fit(X, y)
    assert additive.score(X, y) > 0.95
    np.testing.assert_allclose(additive.predict_proba(X).sum(axis=1), 1.0)
    churn = FuzzyRuleClassifier(
        ["IF x0 IS high AND x1 IS high THEN churn IS 1", "IF x0 IS low THEN churn IS 0"],
        target_name="churn",
    ).fit(X, y)
    assert churn.predict([[6.0, 6.0]])[0] == 1
    assert churn.predict_proba([[-1.0, -1.0]])[0, 0] == pytest.approx(1.0)


def test_classifier_centroid_decision_on_ratings():
    rng = np.random.default_rng(2)
    quality = rng.uniform(0, 10, 400)
    rating = np.clip(np.rint(quality / 2.5) + 1, 1, 5).astype(int)
    clf = FuzzyRuleClassifier(n_terms=5, decision="centroid").fit(quality[:, None], rating)
    assert set(clf.predict(quality[:, None])) <= {1, 2, 3, 4, 5}
    mean_absolute_error = np.mean(np.abs(clf.predict(quality[:, None]) - rating))
    assert mean_absolute_error < 0.6


def test_membership_plot(satisfaction_data):
    X, y = satisfaction_data
    reg = FuzzyRuleRegressor(SATISFACTION_RULES).fit(X, y)
    fig = reg.plot_membership_functions()
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["delivery_delay", "complaints", "satisfaction"]
    assert len(visible[0].get_lines()) == 3
    with pytest.raises(ValueError, match="variable 'speed' is unknown"):
        reg.plot_membership_functions(["speed"])


# --------------------------------------------------------------------------- fuzzy scoring


@pytest.fixture(scope="module")
def rfm():
    rng = np.random.default_rng(5)
    n = 500
    return pd.DataFrame(
        {
            "recency_days": rng.integers(0, 400, n),
            "frequency": rng.poisson(2, n),
            "monetary": rng.lognormal(3, 1, n),
        },
        index=pd.Index(np.arange(1000, 1000 + n), name="customer_id"),
    )


def test_fuzzy_rfm_scores(rfm):
    table = fuzzy_rfm_segments(rfm)
    assert list(table.columns) == [*DEFAULT_RFM_SEGMENTS, "segment"]
    assert table.index.equals(rfm.index)
    degrees = table[list(DEFAULT_RFM_SEGMENTS)].to_numpy()
    assert degrees.min() >= 0 and degrees.max() <= 1
    best = pd.DataFrame(
        {"recency_days": [0], "frequency": [rfm.frequency.max()], "monetary": [1e6]}
    )
    worst = pd.DataFrame({"recency_days": [10_000], "frequency": [0], "monetary": [0.0]})
    scorer = FuzzyRFMScorer().fit(rfm)
    assert scorer.top_segment(best).iloc[0] == "high_value"
    assert scorer.transform(best)[0, 0] == pytest.approx(1.0)
    assert scorer.top_segment(worst).iloc[0] == "lost"
    out = scorer.set_output(transform="pandas").transform(rfm)
    assert list(out.columns) == list(DEFAULT_RFM_SEGMENTS)


def test_fuzzy_rfm_custom_columns_and_segments(rfm):
    renamed = rfm.rename(columns={"recency_days": "days_since", "monetary": "spend"})
    scorer = FuzzyRFMScorer(
        ("days_since", "frequency", "spend"),
        segments={"champion": "recency IS low AND monetary IS high"},
    ).fit(renamed)
    assert scorer.get_feature_names_out().tolist() == ["champion"]
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['recency_days', 'monetary'\]"):
        FuzzyRFMScorer().fit(renamed)
    with pytest.raises(ValueError, match="unknown term 'huge'"):
        FuzzyRFMScorer(segments={"x": "recency IS huge"}).fit(rfm)


def test_value_tiers_predict_two_outputs():
    rng = np.random.default_rng(0)
    spend_level = rng.choice([1.0, 10.0, 100.0], size=300)
    X = np.column_stack([spend_level + rng.normal(0, 0.5, 300), rng.normal(size=300)])
    y = np.column_stack([spend_level / 10, spend_level * 2])
    tiers = FuzzyValueTierRegressor(random_state=0).fit(X, y)
    pred = tiers.predict(X)
    assert pred.shape == (300, 2)
    assert np.all(np.diff(tiers.tier_targets_[:, 1]) > 0)
    assert pred[spend_level == 100, 1].mean() > pred[spend_level == 1, 1].mean() + 100
    np.testing.assert_allclose(tiers.predict_membership(X).sum(axis=1), 1.0)
    again = FuzzyValueTierRegressor(random_state=0).fit(X, y).predict(X)
    np.testing.assert_array_equal(pred, again)


# --------------------------------------------------------------------------- registrations


def _registered_fuzzy_methods():
    from ecrm_methods import problems
    from ecrm_methods.benchmark.registry import get_methods

    return problems, get_methods(family="fuzzy")


def test_registered_fuzzy_methods_fit_a_slice_of_real_data():
    problems, methods = _registered_fuzzy_methods()
    assert {(m.problem, m.name) for m in methods} >= {
        ("segmentation", "fuzzy_cmeans"),
        ("churn", "fuzzy_rules"),
        ("satisfaction", "mamdani_rules"),
        ("value", "fuzzy_value_tiers"),
    }
    fitted = 0
    for method in methods:
        dataset = next(
            (
                d
                for d in problems.PROBLEMS[method.problem].datasets
                if method.applies_to(d) and problems.pair_is_available(method.problem, d)
            ),
            None,
        )
        if dataset is None:
            continue
        data = problems.load_problem(method.problem, dataset)
        rows = np.random.default_rng(0).choice(
            len(data.X), size=min(400, len(data.X)), replace=False
        )
        X = data.X.iloc[rows]
        estimator = method.build(data, 0)
        if method.problem == "segmentation":
            labels = estimator.fit(X).labels_
            assert labels.shape == (len(X),) and labels.min() >= -1
        elif method.problem in ("churn", "response"):
            proba = estimator.fit(X, data.y.iloc[rows]).predict_proba(X)[:, 1]
            assert proba.shape == (len(X),) and np.all((proba >= 0) & (proba <= 1))
        elif method.problem == "satisfaction":
            y = data.y.iloc[rows]
            pred = estimator.fit(X, y).predict(X)
            assert set(np.unique(pred)) <= set(np.unique(y))
        else:
            y = data.y.iloc[rows]
            pred = estimator.fit(X, y).predict(X)
            assert pred.shape == (len(X), 2) and np.all(np.isfinite(pred))
        fitted += 1
    if fitted == 0:
        pytest.skip("no dataset of any fuzzy method is available (set ECRM_DATA)")
