"""Tests of the hybrid soft-computing methods: neuro-fuzzy TSK rule bases, the genetic fuzzy
rule tuner, the rough-neural pipeline and their benchmark registrations.

The scikit-learn estimator checks of these estimators run in ``tests/test_common.py``.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.utils._param_validation import InvalidParameterError

from ecrm_methods.fuzzy import FuzzyRule, FuzzyRuleClassifier
from ecrm_methods.genetic import GAFuzzyRuleTuner
from ecrm_methods.neural import TSKFuzzyClassifier, TSKFuzzyRegressor
from ecrm_methods.neural.neuro_fuzzy import MAX_CONDITIONS, MAX_RULES


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Small rule bases train several times faster on one torch thread on a shared machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


# ----------------------------------------------------------------------------- data
def _shoulder(x, centre, sigma, side):
    distance = np.maximum(x - centre, 0.0) if side == "left" else np.minimum(x - centre, 0.0)
    return np.exp(-0.5 * (distance / sigma) ** 2)


def _churn_from_two_rules(n, seed, n_noise=5):
    """Churn drawn from two known fuzzy rules on an additive log-odds scale:

    IF tenure is low AND complain is high THEN churn (+6 log-odds)
    IF spend is high THEN churn (+5 log-odds)

    plus ``n_noise`` irrelevant inputs. Returns X, y and the true churn probability.
    """
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "tenure": rng.uniform(0, 60, n),
            "complain": rng.integers(0, 2, n).astype(float),
            "spend": rng.uniform(0, 100, n),
        }
    )
    for k in range(n_noise):
        X[f"noise{k}"] = rng.normal(size=n)
    rule_one = _shoulder(X["tenure"], 10.0, 6.0, "left") * X["complain"]
    rule_two = _shoulder(X["spend"], 85.0, 8.0, "right")
    probability = 1.0 / (1.0 + np.exp(-(-3.0 + 6.0 * rule_one + 5.0 * rule_two)))
    y = pd.Series((rng.random(n) < probability).astype(int), name="churn")
    return X, y, probability.to_numpy()


@pytest.fixture(scope="module")
def two_rule_model():
    X, y, _ = _churn_from_two_rules(1500, seed=0)
    model = TSKFuzzyClassifier(max_rules=5, random_state=0).fit(X, y)
    return model, X, y


# ----------------------------------------------------------------------------- TSK
def test_tsk_recovers_a_known_rule_base_and_predicts_held_out_rows(two_rule_model):
    model, _, _ = two_rule_model
    X_new, y_new, true_probability = _churn_from_two_rules(1500, seed=1)
    rules = model.rules_frame()
    # the two true rules are the two most important ones, word for word
    assert set(rules["if"].head(2)) == {"tenure is low AND complain is high", "spend is high"}, (
        rules["rule"].tolist()
    )
    # both raise the churn probability well above the base rate where they fire
    for text in rules["then"].head(2):
        assert float(text.split("=")[-1]) > 0.7, text
    auc = roc_auc_score(y_new, model.predict_proba(X_new)[:, 1])
    bayes_auc = roc_auc_score(y_new, true_probability)
    assert auc > bayes_auc - 0.02, (auc, bayes_auc)


def test_rules_frame_writes_rules_in_words_with_their_memberships(two_rule_model):
    model, _, _ = two_rule_model
    rules = model.rules_frame()
    assert list(rules.columns) == ["rule", "if", "then", "memberships", "support", "importance"]
    assert len(rules) == model.n_rules_ <= 5
    first = rules.iloc[0]
    assert first["rule"] == f"IF {first['if']} THEN {first['then']}"
    assert first["then"].startswith("churn = ")
    tenure_rule = rules[rules["if"] == "tenure is low AND complain is high"].iloc[0]
    assert "tenure low: 1 below" in tenure_rule["memberships"]
    assert "complain high: 1 above" in tenure_rule["memberships"]
    assert rules["importance"].is_monotonic_decreasing
    assert ((rules["support"] > 0) & (rules["support"] <= 1)).all()
    # the learned terms stay ordered and in the units of the inputs
    tenure = model.memberships_[model.memberships_["input"] == "tenure"]
    assert tenure["term"].tolist() == ["low", "medium", "high"]
    assert tenure["center"].is_monotonic_increasing
    assert 0 < tenure["center"].iloc[0] < 30 < tenure["center"].iloc[-1] < 60
    assert model.memberships_.loc[model.memberships_["input"] == "complain", "term"].tolist() == [
        "low",
        "high",
    ]
    churner = pd.DataFrame([[5.0, 1.0, 10.0, 0, 0, 0, 0, 0]], columns=model.feature_names_in_)
    firing = model.rule_firing_strengths(churner)
    assert firing.shape == (1, model.n_rules_)
    assert firing["tenure is low AND complain is high"].iloc[0] > 0.9


def test_plot_memberships_shows_the_inputs_the_rules_use(two_rule_model):
    import matplotlib.pyplot as plt

    model, _, _ = two_rule_model
    fig = model.plot_memberships()
    titles = {ax.get_title() for ax in fig.axes if ax.get_visible()}
    used = {name for conditions in model.antecedents_ for name, _ in conditions}
    assert titles == used
    with pytest.raises(ValueError, match="no membership functions"):
        model.plot_memberships(["not_an_input"])
    plt.close("all")


def test_readability_limits_hold_on_forty_inputs():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(600, 40)), columns=[f"feature_{j}" for j in range(40)])
    logit = X.iloc[:, :10].sum(axis=1) + X["feature_3"] * X["feature_7"]
    y = (logit + rng.normal(size=600) > 0).astype(int)
    model = TSKFuzzyClassifier(max_rules=30, max_epochs=15, random_state=0).fit(X, y)
    assert 1 <= model.n_rules_ <= MAX_RULES == 30
    assert all(1 <= len(conditions) <= MAX_CONDITIONS == 3 for conditions in model.antecedents_)
    for conditions in model.antecedents_:
        names = [name for name, _ in conditions]
        assert len(set(names)) == len(names)  # each input at most once per rule
        assert all(term in {"low", "medium", "high"} for _, term in conditions)
    assert len(model.rules_frame()) == model.n_rules_
    assert roc_auc_score(y, model.predict_proba(X)[:, 1]) > 0.8
    for too_many in ({"max_rules": 31}, {"max_conditions": 4}, {"order": 2}):
        with pytest.raises(InvalidParameterError):
            TSKFuzzyClassifier(**too_many).fit(X, y)


def test_first_order_consequents_use_only_the_rules_inputs():
    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.uniform(-1, 1, size=(800, 6)), columns=list("abcdef"))
    y = pd.Series(np.where(X["a"] > 0, 3.0 * X["b"], -2.0) + rng.normal(0, 0.1, 800), name="v")
    model = TSKFuzzyRegressor(order=1, max_rules=6, random_state=0).fit(X, y)
    assert r2_score(y, model.predict(X)) > 0.8
    rules = model.rules_frame()
    assert any("*" in then for then in rules["then"])  # some consequent is linear
    for condition, then in zip(rules["if"], rules["then"], strict=True):
        assert then.startswith("v = ")
        used = {name for name in "abcdef" if f"*{name}" in then}
        assert used <= {part.split(" is ")[0] for part in condition.split(" AND ")}


def test_tsk_regressor_predicts_two_targets_from_shared_rules():
    rng = np.random.default_rng(5)
    X = pd.DataFrame({"recency": rng.uniform(0, 50, 900), "frequency": rng.uniform(0, 10, 900)})
    high_frequency = _shoulder(X["frequency"], 7.0, 1.5, "right")
    y = pd.DataFrame(
        {
            "purchases": 1.0 + 4.0 * high_frequency + rng.normal(0, 0.1, 900),
            "spend": 20.0 + 300.0 * high_frequency + rng.normal(0, 5, 900),
        }
    )
    model = TSKFuzzyRegressor(max_rules=4, random_state=0).fit(X.iloc[:600], y.iloc[:600])
    predicted = model.predict(X.iloc[600:])
    assert predicted.shape == (300, 2)
    assert r2_score(y.iloc[600:], predicted, multioutput="raw_values").min() > 0.9
    assert model.target_names_ == ["purchases", "spend"]
    top = model.rules_frame().iloc[0]
    assert "frequency is high" in top["if"]
    assert "purchases = " in top["then"] and ", spend = " in top["then"]


def test_tsk_multiclass_probabilities():
    rng = np.random.default_rng(6)
    X = rng.uniform(0, 1, size=(900, 3))
    y = np.array(["low", "mid", "top"])[np.digitize(X[:, 0], [0.33, 0.66])]
    model = TSKFuzzyClassifier(max_rules=6, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (model.predict(X) == y).mean() > 0.9
    assert any(then.startswith("class = ") for then in model.rules_frame()["then"])


def test_tsk_is_deterministic_and_leaves_global_rngs_alone(two_rule_model):
    model, X, y = two_rule_model
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()  # noqa: NPY002
    again = TSKFuzzyClassifier(max_rules=5, random_state=0).fit(X, y)
    assert torch.equal(torch_state, torch.get_rng_state())
    assert np.array_equal(numpy_state[1], np.random.get_state()[1])  # noqa: NPY002
    np.testing.assert_array_equal(model.predict_proba(X), again.predict_proba(X))
    pd.testing.assert_frame_equal(model.rules_frame(), again.rules_frame())
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(model.predict_proba(X), restored.predict_proba(X))
    other = TSKFuzzyClassifier(max_rules=5, random_state=1).fit(X, y)
    assert not np.array_equal(model.predict_proba(X), other.predict_proba(X))


def test_tsk_bad_input_fails_early_with_a_clear_message():
    X = np.random.default_rng(7).normal(size=(50, 3))
    y = np.arange(50) % 2
    with pytest.raises(ValueError, match="NaN"):
        TSKFuzzyClassifier().fit(np.where(X > 1.5, np.nan, X), y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        TSKFuzzyClassifier().fit(X, np.zeros(50))
    with pytest.raises(InvalidParameterError, match="rule_search"):
        TSKFuzzyClassifier(rule_search="grid").fit(X, y)
    with pytest.raises(ValueError, match="n_samples=1"):
        TSKFuzzyRegressor().fit(X[:1], y[:1])
    fitted = TSKFuzzyClassifier(max_rules=2, max_epochs=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        fitted.predict(X[:, :2])
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            TSKFuzzyClassifier(device="cuda").fit(X, y)


def test_progress_bars_show_only_when_verbose(capsys, genetic_fuzzy_data):
    X, y, _, _ = genetic_fuzzy_data
    TSKFuzzyClassifier(max_rules=2, max_epochs=2, random_state=0).fit(X, y)
    GAFuzzyRuleTuner(population_size=4, generations=1, random_state=0).fit(X, y)
    assert capsys.readouterr().err == ""
    TSKFuzzyClassifier(max_rules=2, max_epochs=2, random_state=0, verbose=1).fit(X, y)
    GAFuzzyRuleTuner(population_size=4, generations=1, random_state=0, verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert "TSKFuzzyClassifier (rule selection)" in err and "GA fuzzy rule tuning" in err


def test_clustered_rule_search_keeps_the_limits():
    X, y, _ = _churn_from_two_rules(800, seed=2)
    model = TSKFuzzyClassifier(
        max_rules=8, rule_search="clusters", membership_init="quantile", random_state=0
    ).fit(X, y)
    assert model.n_rules_ <= 8
    assert all(len(conditions) <= 3 for conditions in model.antecedents_)
    assert roc_auc_score(y, model.predict_proba(X)[:, 1]) > 0.8


# ----------------------------------------------------------------------------- genetic fuzzy
@pytest.fixture(scope="module")
def genetic_fuzzy_data():
    rng = np.random.default_rng(8)
    X = pd.DataFrame(rng.uniform(0, 1, size=(900, 3)), columns=["tenure", "spend", "visits"])
    logit = -1.0 + 5.0 * (X["tenure"] < 0.3) - 3.0 * (X["spend"] > 0.6)
    y = pd.Series((rng.random(900) < 1 / (1 + np.exp(-logit))).astype(int), name="churn")
    return X.iloc[:600], y.iloc[:600], X.iloc[600:], y.iloc[600:]


def test_genetic_fuzzy_returns_a_smaller_readable_rule_base_at_a_comparable_score(
    genetic_fuzzy_data,
):
    X, y, X_new, y_new = genetic_fuzzy_data
    tuner = GAFuzzyRuleTuner(population_size=12, generations=8, random_state=0).fit(X, y)
    assert isinstance(tuner.best_estimator_, FuzzyRuleClassifier)
    assert tuner.n_rules_ == len(tuner.best_estimator_.rules_) < tuner.n_base_rules_
    assert tuner.selected_rules_.sum() == tuner.n_rules_
    base_auc = roc_auc_score(y_new, tuner.base_estimator_.predict_proba(X_new)[:, 1])
    tuned_auc = roc_auc_score(y_new, tuner.predict_proba(X_new)[:, 1])
    assert tuned_auc > base_auc - 0.02, (tuned_auc, base_auc)
    assert tuner.best_fitness_ >= tuner.base_score_ - 0.002 * tuner.n_base_rules_
    # the result prints, and the printed rules rebuild the same classifier
    texts = [str(rule) for rule in tuner.best_estimator_.rules_]
    assert all(text.startswith("IF ") and " THEN churn IS " in text for text in texts)
    rebuilt = FuzzyRuleClassifier(
        rules=texts,
        membership_functions={
            name: {term: spec for term, spec in terms.items()}
            for name, terms in tuner.tuned_membership_functions_.items()
        },
        t_norm=tuner.t_norm,
        class_scores=tuner.class_scores,
        resolution=tuner.resolution,
    ).fit(X, y)
    np.testing.assert_allclose(
        rebuilt.predict_proba(X_new), tuner.predict_proba(X_new), rtol=1e-3, atol=1e-4
    )
    shifts = tuner.displacements_
    assert list(shifts.columns) == ["input", "term", "alpha", "shift"]
    assert shifts["alpha"].abs().max() <= 0.5
    assert len(tuner.logbook_frame()) == tuner.n_generations_ + 1


def test_genetic_fuzzy_is_deterministic_and_rule_selection_alone_works(genetic_fuzzy_data):
    X, y, X_new, _ = genetic_fuzzy_data
    params = dict(population_size=6, generations=3, random_state=1)
    first = GAFuzzyRuleTuner(**params).fit(X, y)
    second = GAFuzzyRuleTuner(**params).fit(X, y)
    assert [str(r) for r in first.best_estimator_.rules_] == [
        str(r) for r in second.best_estimator_.rules_
    ]
    np.testing.assert_array_equal(first.predict_proba(X_new), second.predict_proba(X_new))
    fixed_terms = GAFuzzyRuleTuner(tune_memberships=False, **params).fit(X, y)
    assert (fixed_terms.displacements_["alpha"] == 0).all()
    assert all(isinstance(rule, FuzzyRule) for rule in fixed_terms.best_estimator_.rules_)


def test_genetic_fuzzy_bad_input_fails_early():
    X = np.random.default_rng(9).uniform(size=(40, 2))
    with pytest.raises(ValueError, match="at least 2 classes"):
        GAFuzzyRuleTuner().fit(X, np.zeros(40))
    with pytest.raises(ValueError, match="at least 2 per class"):
        GAFuzzyRuleTuner().fit(X, np.r_[np.zeros(39), 1])
    with pytest.raises(InvalidParameterError, match="scoring"):
        GAFuzzyRuleTuner(scoring="f1").fit(X, np.arange(40) % 2)


# ----------------------------------------------------------------------------- rough-neural
def test_reduct_columns_select_a_reduct_and_keep_everything_when_it_is_empty():
    from ecrm_methods.benchmark.methods.hybrids import _ReductColumns

    rng = np.random.default_rng(10)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=["signal", "copy", "noise", "other"])
    X["copy"] = X["signal"] * 2.0
    y = (X["signal"] > 0).astype(int)
    selector = _ReductColumns(n_bins=2).fit(X, y)
    kept = list(selector.get_feature_names_out())
    assert kept in (["signal"], ["copy"]) and not selector.empty_reduct_
    assert selector.transform(X).shape == (300, 1)
    coin = rng.integers(0, 2, 300)  # unrelated to X: no pure class, empty positive region
    everything = _ReductColumns(n_bins=2).fit(X[["noise"]], coin)
    assert everything.empty_reduct_ and everything.get_support().all()


# ----------------------------------------------------------------------------- registrations
def test_hybrids_are_registered_for_churn_response_satisfaction_and_value():
    from ecrm_methods.benchmark.registry import get_methods

    expected = {
        ("churn", "tsk_rules", "neural"),
        ("churn", "genetic_fuzzy_rules", "genetic"),
        ("churn", "rough_neural", "neural"),
        ("response", "tsk_rules", "neural"),
        ("response", "genetic_fuzzy_rules", "genetic"),
        ("response", "rough_neural", "neural"),
        ("satisfaction", "tsk_rules", "neural"),
        ("satisfaction", "genetic_fuzzy_rules", "genetic"),
        ("satisfaction", "rough_neural", "neural"),
        ("value", "tsk_rules", "neural"),
    }
    names = {"tsk_rules", "genetic_fuzzy_rules", "rough_neural"}
    specs = [spec for spec in get_methods() if spec.name in names]
    assert {(s.problem, s.name, s.family) for s in specs} == expected
    for spec in specs:
        assert not spec.primary and spec.description
        # every hybrid runs at settings fixed a priori (the TSK classifiers at first order)
        assert spec.tuning.startswith("fixed: "), spec.tuning
        if spec.name == "tsk_rules":
            assert spec.params["order"] == (0 if spec.problem == "value" else 1)
        assert spec.learns_from == ("training_window" if spec.problem == "value" else None)


@pytest.mark.data
def test_registered_hybrids_fit_a_slice_of_real_churn():
    from ecrm_methods.benchmark.registry import get_methods
    from ecrm_methods.problems import load_problem, pair_is_available

    if not pair_is_available("churn", "ecommerce-churn"):
        pytest.skip("churn/ecommerce-churn is not in the data home")
    data = load_problem("churn", "ecommerce-churn")
    rows = np.random.default_rng(0).permutation(data.n_samples)[:900]
    X, y = data.X.iloc[rows], data.y.iloc[rows]
    # scored on held-out rows; small budgets keep CI fast (the Wang-Mendel grid on 8 inputs
    # covers 600 rows sparsely, hence its lower bar)
    smallest_auc = {"tsk_rules": 0.8, "genetic_fuzzy_rules": 0.6, "rough_neural": 0.7}
    for name, floor in smallest_auc.items():
        (spec,) = get_methods("churn", names=name)
        estimator = spec.build(data, 0)
        if name == "tsk_rules":
            assert estimator.named_steps["model"].order == 1
            estimator.set_params(model__max_epochs=20)
        elif name == "genetic_fuzzy_rules":
            estimator.set_params(model__generations=2, model__population_size=6)
        else:  # early stopping on 60 validation rows' accuracy stops the MLP at once
            estimator.set_params(model__early_stopping=False, model__max_epochs=30)
        estimator.fit(X.iloc[:600], y.iloc[:600])
        auc = roc_auc_score(y.iloc[600:], estimator.predict_proba(X.iloc[600:])[:, 1])
        assert auc > floor, (name, auc)
        if name == "tsk_rules":
            rules = estimator[-1].rules_frame()
            assert rules["rule"].str.contains("numeric__Tenure is").any()
            assert rules["then"].str.startswith("churn = ").all()
        if name == "rough_neural":
            kept = estimator.named_steps["reduct"].get_support()
            assert 1 <= kept.sum() <= kept.shape[0]
