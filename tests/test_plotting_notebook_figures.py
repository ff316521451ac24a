"""The notebook figures of ecrm_methods.plotting: each draws what its data say, and rejects bad
input with a message naming the argument."""

import matplotlib
import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score, roc_curve

from ecrm_methods.features import value_tiers
from ecrm_methods.fuzzy import FuzzyCMeans, FuzzyRFMScorer, FuzzyRuleClassifier
from ecrm_methods.plotting import (
    plot_fuzzy_memberships,
    plot_ga_convergence,
    plot_membership_functions,
    plot_roc_curves,
    plot_rough_boundary,
    plot_rule_firing,
    plot_rule_support,
    plot_segment_profiles,
    plot_snake,
    plot_som_component_planes,
    plot_som_umatrix,
    plot_value_tiers,
)
from ecrm_methods.rough_sets import LEM2Classifier, RoughKMeans

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def segments():
    """Three segments of 40/30/20 customers on recency, frequency and monetary value."""
    rng = np.random.default_rng(0)
    sizes = {"loyal": 40, "new": 30, "lapsed": 20}
    centres = {"loyal": (10, 12, 500), "new": (20, 2, 80), "lapsed": (300, 3, 150)}
    frames = [
        pd.DataFrame(
            rng.normal(centres[name], (5, 1, 20), size=(size, 3)),
            columns=["recency", "frequency", "monetary"],
        ).assign(segment=name)
        for name, size in sizes.items()
    ]
    data = pd.concat(frames, ignore_index=True)
    return data[["recency", "frequency", "monetary"]], data["segment"].to_numpy()


def z_means(X, labels):
    z = (X - X.mean()) / X.std(ddof=0)
    return z.groupby(labels).mean()


# --------------------------------------------------------------------- segments


def test_segment_profile_heatmap_holds_the_group_means(segments):
    X, labels = segments
    ax = plot_segment_profiles(X, labels)
    expected = z_means(X, labels)  # rows sorted: lapsed, loyal, new
    cells = np.asarray(ax.collections[0].get_array()).reshape(expected.shape)
    np.testing.assert_allclose(cells, expected.to_numpy())
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["lapsed (n=20, 22%)", "loyal (n=40, 44%)", "new (n=30, 33%)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(X.columns)


def test_segment_profile_bars_without_standardizing_keep_a_categorical_order(segments):
    X, labels = segments
    order = pd.Categorical(labels, categories=["new", "loyal", "lapsed"])
    ax = plot_segment_profiles(X, order, kind="bars", standardize=False)
    assert len(ax.containers) == 3
    expected = X.groupby(labels).mean().loc[["new", "loyal", "lapsed"]]
    for container, (_, row) in zip(ax.containers, expected.iterrows(), strict=True):
        np.testing.assert_allclose([bar.get_height() for bar in container], row.to_numpy())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("new (n=30")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"labels": ["a"] * 3}, ValueError, "`labels` has 3 entries but `X` has 90 rows"),
        ({"kind": "pie"}, ValueError, "`kind`='pie'"),
        ({"feature_names": ["a"]}, ValueError, "`feature_names` has 1 names"),
        ({"X": "nan"}, ValueError, r"`X` has a missing or infinite value \(row 5"),
        ({"X": "text"}, ValueError, r"`X` has non-numeric columns \['city'\]"),
        ({"labels": "nan"}, ValueError, "`labels` has missing labels"),
    ],
)
def test_segment_profiles_bad_input(segments, kwargs, error, message):
    X, labels = segments
    arguments = {"X": X, "labels": labels, **kwargs}
    if kwargs.get("X") == "nan":
        arguments["X"] = X.copy()
        arguments["X"].iloc[5, 1] = np.nan
    elif kwargs.get("X") == "text":
        arguments["X"] = X.assign(city="x")
    if kwargs.get("labels") == "nan":
        arguments["labels"] = np.where(np.arange(len(X)) == 3, None, labels.astype(object))
    with pytest.raises(error, match=message):
        plot_segment_profiles(**arguments)


def test_snake_draws_one_line_per_segment(segments):
    X, labels = segments
    ax = plot_snake(X, labels)
    expected = z_means(X, labels)
    assert len(ax.lines) == len(expected) + 1  # segments, then the zero line
    for line, (_, row) in zip(ax.lines, expected.iterrows(), strict=False):
        np.testing.assert_allclose(line.get_ydata(), row.to_numpy())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["lapsed (n=20, 22%)", "loyal (n=40, 44%)", "new (n=30, 33%)"]


def test_snake_bad_input(segments):
    X, labels = segments
    with pytest.raises(ValueError, match="`X` must be 2-D"):
        plot_snake(X["recency"].to_numpy(), labels)
    with pytest.raises(ValueError, match="`labels` has 89 entries"):
        plot_snake(X, labels[1:])


# --------------------------------------------------------------------- self-organizing map


@pytest.fixture(scope="module")
def som_and_data(segments):
    from ecrm_methods.neural import SelfOrganizingMap

    X, _ = segments
    Z = ((X - X.mean()) / X.std()).to_numpy()
    return SelfOrganizingMap(n_rows=4, n_cols=5, n_epochs=3, random_state=0).fit(Z), Z


def test_som_umatrix_colours_every_unit_and_counts_hits(som_and_data):
    som, Z = som_and_data
    ax = plot_som_umatrix(som, Z)
    cells = ax.collections[0]
    assert len(cells.get_paths()) == 20
    np.testing.assert_allclose(np.asarray(cells.get_array()), som.u_matrix().ravel())
    hits = np.bincount(som.predict(Z), minlength=20)
    counts = [int(t.get_text()) for t in ax.texts]
    assert len(counts) == int((hits > 0).sum()) and sum(counts) == len(Z)


def test_som_umatrix_of_a_hexagonal_som_clustering():
    from ecrm_methods.neural import SOMClustering

    X = np.random.default_rng(1).normal(size=(60, 3))
    model = SOMClustering(
        n_clusters=2, n_rows=3, n_cols=4, topology="hexagonal", n_epochs=2, random_state=0
    ).fit(X)
    ax = plot_som_umatrix(model)
    paths = ax.collections[0].get_paths()
    assert len(paths) == 12 and len(paths[0].vertices) >= 6  # hexagons
    np.testing.assert_allclose(
        np.asarray(ax.collections[0].get_array()), model.som_.u_matrix().ravel()
    )


def test_som_component_planes_one_panel_per_feature(som_and_data):
    som, _ = som_and_data
    fig = plot_som_component_planes(som, ["recency", "frequency", "monetary"], ncols=2)
    assert isinstance(fig, matplotlib.figure.Figure)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    assert [ax.get_title() for ax in panels] == ["recency", "frequency", "monetary"]
    for j, ax in enumerate(panels):
        np.testing.assert_allclose(
            np.asarray(ax.collections[0].get_array()), som.weights_[:, :, j].ravel()
        )


def test_som_figures_bad_input(som_and_data):
    from ecrm_methods.neural import SelfOrganizingMap

    som, _ = som_and_data
    with pytest.raises(TypeError, match="`som` must be a SelfOrganizingMap"):
        plot_som_umatrix(FuzzyCMeans())
    with pytest.raises(NotFittedError):
        plot_som_component_planes(SelfOrganizingMap())
    with pytest.raises(ValueError, match="`feature_names` has 2 names but the map has 3"):
        plot_som_component_planes(som, ["a", "b"])


# --------------------------------------------------------------------- fuzzy


@pytest.fixture(scope="module")
def fcm(segments):
    X, _ = segments
    Z = ((X - X.mean()) / X.std()).to_numpy()
    return FuzzyCMeans(n_clusters=3, random_state=0).fit(Z), Z


def test_fuzzy_membership_histogram_counts_every_customer_once(fcm):
    model, Z = fcm
    ax = plot_fuzzy_memberships(model, bins=10)
    assert len(ax.containers) == 3
    labels = model.membership_.argmax(axis=1)
    for k, container in enumerate(ax.containers):
        assert sum(bar.get_height() for bar in container) == (labels == k).sum()
    # new customers through predict_membership: the same customers give the same picture
    again = plot_fuzzy_memberships(model, Z, bins=10)
    heights = [[bar.get_height() for bar in c] for c in again.containers]
    assert heights == [[bar.get_height() for bar in c] for c in ax.containers]


def test_fuzzy_membership_stacked_areas_of_an_array():
    memberships = pd.DataFrame({"low": [0.9, 0.2, 0.5], "high": [0.1, 0.8, 0.5]})
    ax = plot_fuzzy_memberships(memberships, kind="stacked")
    assert len(ax.collections) == 2
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["low (n=2)", "high (n=1)"]


def test_fuzzy_memberships_bad_input(fcm):
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        plot_fuzzy_memberships(np.array([[1.5, -0.5]]))
    with pytest.raises(ValueError, match="`kind`='bars'"):
        plot_fuzzy_memberships(fcm[0], kind="bars")
    with pytest.raises(NotFittedError):
        plot_fuzzy_memberships(FuzzyCMeans())
    with pytest.raises(TypeError, match="`model` must be a fitted FuzzyCMeans"):
        plot_fuzzy_memberships(RoughKMeans())


@pytest.fixture(scope="module")
def fuzzy_rules():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"tenure": rng.uniform(0, 40, 200), "spend": rng.uniform(0, 100, 200)})
    y = pd.Series(np.where((X["tenure"] < 10) & (X["spend"] < 50), "churn", "stay"), name="status")
    return FuzzyRuleClassifier(n_terms=3, resolution=51).fit(X, y), X


def test_membership_functions_of_a_mamdani_classifier_and_an_rfm_scorer(fuzzy_rules):
    model, _ = fuzzy_rules
    fig = plot_membership_functions(model)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["tenure", "spend", "status"]
    assert [len(ax.lines) for ax in panels[:2]] == [3, 3]
    rfm = pd.DataFrame(
        {"recency_days": [1, 5, 9, 30], "frequency": [1, 2, 3, 8], "monetary": [5, 9, 20, 90]}
    )
    scorer = FuzzyRFMScorer().fit(rfm)
    fig = plot_membership_functions(scorer, ["frequency"])
    (ax,) = [ax for ax in fig.axes if ax.get_visible()]
    np.testing.assert_allclose(
        ax.lines[2].get_ydata(), scorer.membership_functions_["frequency"]["high"]
    )


def test_membership_functions_delegate_to_the_tsk_model():
    from ecrm_methods.neural import TSKFuzzyClassifier

    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    y = (X["a"] > 0).astype(int)
    model = TSKFuzzyClassifier(max_rules=3, max_epochs=5, random_state=0).fit(X, y)
    fig = plot_membership_functions(model, ["a"])
    (ax,) = [ax for ax in fig.axes if ax.get_visible()]
    assert ax.get_title() == "a"
    assert len(ax.lines) == (model.memberships_["input"] == "a").sum()


def test_membership_functions_bad_input(fuzzy_rules):
    with pytest.raises(TypeError, match="`model` must be a fitted FuzzyRuleClassifier"):
        plot_membership_functions(object())
    with pytest.raises(ValueError, match="variable 'age' is unknown"):
        plot_membership_functions(fuzzy_rules[0], ["age"])
    with pytest.raises(NotFittedError):
        plot_membership_functions(FuzzyRuleClassifier())


def test_rule_firing_heatmap_holds_the_strongest_rules(fuzzy_rules):
    model, X = fuzzy_rules
    customers = X.iloc[:8]
    ax = plot_rule_firing(model, customers, top=3)
    firing = model.rule_firing_strengths(customers)
    strongest = firing.mean().sort_values(ascending=False, kind="stable").index[:3]
    cells = np.asarray(ax.collections[0].get_array()).reshape(3, 8)
    np.testing.assert_allclose(cells, firing[strongest].T.to_numpy())
    # long rules lose their middle, never their conclusion
    for tick, name in zip(ax.get_yticklabels(), strongest, strict=True):
        text = tick.get_text()
        assert len(text) <= 60 and text[:25] == name[:25] and text[-25:] == name[-25:]
    assert any(len(name) > 60 for name in strongest)


def test_rule_firing_bad_input(fuzzy_rules):
    model, X = fuzzy_rules
    with pytest.raises(ValueError, match="200 customers is more than `max_customers`=60"):
        plot_rule_firing(model, X)
    with pytest.raises(ValueError, match="`X` is required"):
        plot_rule_firing(model)
    with pytest.raises(TypeError, match="rule_firing_strengths"):
        plot_rule_firing(FuzzyCMeans(), X)
    with pytest.raises(ValueError, match="`top`=0"):
        plot_rule_firing(model, X.iloc[:3], top=0)


# --------------------------------------------------------------------- rough sets


def test_rough_boundary_separates_certain_and_boundary_customers():
    rng = np.random.default_rng(4)
    X = pd.DataFrame(
        np.vstack([rng.normal(c, 0.8, size=(40, 2)) for c in ((0, 0), (4, 0), (2, 3))]),
        columns=["recency", "monetary"],
    )
    model = RoughKMeans(n_clusters=3, threshold=1.3, random_state=0).fit(X)
    ax = plot_rough_boundary(model, X, features=("monetary", "recency"))
    upper = model.predict_upper(X)
    boundary = upper.sum(axis=1) > 1
    assert 0 < boundary.sum() < len(X)
    assert len(ax.collections) == 3 + 2
    for k in range(3):
        certain = X[upper[:, k] & ~boundary]
        np.testing.assert_allclose(
            ax.collections[k].get_offsets(), certain[["monetary", "recency"]]
        )
    assert len(ax.collections[3].get_offsets()) == boundary.sum()
    np.testing.assert_allclose(ax.collections[4].get_offsets(), model.cluster_centers_[:, ::-1])
    assert ax.get_xlabel() == "monetary"


def test_rough_boundary_bad_input():
    X = np.random.default_rng(5).normal(size=(30, 3))
    model = RoughKMeans(n_clusters=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="`features` names the same column twice"):
        plot_rough_boundary(model, X, features=(1, 1))
    with pytest.raises(ValueError, match="`features` column 3 is out of range"):
        plot_rough_boundary(model, X, features=(0, 3))
    with pytest.raises(TypeError, match="`model` must be a fitted RoughKMeans"):
        plot_rough_boundary(FuzzyCMeans(), X)


@pytest.fixture(scope="module")
def lem2_rules():
    X = pd.DataFrame(
        {
            "plan": ["a", "a", "a", "b", "b", "c", "c", "c", "b", "a"],
            "complain": ["yes", "yes", "no", "no", "no", "yes", "no", "no", "yes", "no"],
        }
    )
    y = pd.Series([1, 1, 0, 0, 0, 1, 0, 1, 0, 0], name="churn")
    return LEM2Classifier().fit(X, y)


def test_rule_support_bars_are_the_supports_with_the_confidences(lem2_rules):
    rules = lem2_rules.rules_frame()
    ax = plot_rule_support(lem2_rules, top=4)
    shown = rules.sort_values("support", ascending=False, kind="stable").head(4)
    bars = ax.containers[0]
    widths = [bar.get_width() for bar in bars]
    assert widths == shown["support"].tolist()
    assert [bar.get_y() for bar in bars] == sorted((bar.get_y() for bar in bars), reverse=True)
    assert [t.get_text() for t in ax.texts] == [f"conf {c:.2f}" for c in shown["confidence"]]
    legend = {t.get_text() for t in ax.get_legend().get_texts()}
    assert legend <= {"certain rule", "possible rule"} and legend


def test_rule_support_bad_input(lem2_rules):
    rules = lem2_rules.rules_frame()
    with pytest.raises(ValueError, match=r"lacks the columns \['confidence'\]"):
        plot_rule_support(rules.drop(columns="confidence"))
    with pytest.raises(ValueError, match="`rules` is empty"):
        plot_rule_support(rules.iloc[:0])
    with pytest.raises(TypeError, match="`rules` must be a rules_frame"):
        plot_rule_support([1, 2])


# --------------------------------------------------------------------- ROC, GA, value tiers


def test_roc_curves_name_each_methods_auc():
    rng = np.random.default_rng(6)
    y = rng.integers(0, 2, 200)
    scores = {"logistic": y + rng.normal(0, 0.8, 200), "random": rng.uniform(size=200)}
    ax = plot_roc_curves(y, scores)
    assert len(ax.lines) == 3
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    for name, line, text in zip(scores, ax.lines, legend, strict=False):
        assert text == f"{name} (AUC = {roc_auc_score(y, scores[name]):.3f})"
        fpr, tpr, _ = roc_curve(y, scores[name])
        np.testing.assert_allclose(line.get_xdata(), fpr)
        np.testing.assert_allclose(line.get_ydata(), tpr)
    # string classes with an explicit positive class: the negated score flips the AUC
    labels = np.where(y == 1, "churn", "stay")
    flipped = plot_roc_curves(labels, {"m": -scores["logistic"]}, pos_label="stay")
    auc = roc_auc_score(y == 0, -scores["logistic"])
    assert flipped.get_legend().get_texts()[0].get_text() == f"m (AUC = {auc:.3f})"


@pytest.mark.parametrize(
    ("y", "scores", "message"),
    [
        ([0, 1, 2], {"m": [0.1, 0.2, 0.3]}, "exactly two classes"),
        ([0, 1, 1], {"m": [0.1, 0.2]}, r"`scores_by_method\['m'\]` has shape \(2,\)"),
        ([0, 1, 1], {}, "non-empty dict"),
        ([0, 1, 1], {"m": [0.1, np.nan, 0.3]}, "missing or infinite"),
    ],
)
def test_roc_curves_bad_input(y, scores, message):
    with pytest.raises(ValueError, match=message):
        plot_roc_curves(y, scores)


def test_ga_convergence_draws_best_and_mean_per_generation():
    frame = pd.DataFrame(
        {
            "gen": [0, 1, 2, 3],
            "nevals": [10, 8, 8, 8],
            "min": [0.1, 0.2, 0.3, 0.3],
            "mean": [0.3, 0.4, 0.5, 0.55],
            "max": [0.5, 0.6, 0.6, 0.7],
            "best": [0.5, 0.6, 0.6, 0.7],
        }
    )
    ax = plot_ga_convergence(frame, fitness_label="CV ROC-AUC")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), frame["best"])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), frame["mean"])
    assert len(ax.collections) == 1  # the min-max band
    assert "0.7 after 4 generations" in ax.get_title()


def test_ga_convergence_of_a_fitted_ga():
    from ecrm_methods.genetic import GAClustering

    X = np.random.default_rng(7).normal(size=(40, 2))
    model = GAClustering(n_clusters=2, population_size=6, generations=3, random_state=0).fit(X)
    ax = plot_ga_convergence(model)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), model.logbook_frame()["best"])


def test_ga_convergence_bad_input():
    with pytest.raises(ValueError, match=r"lacks the columns \['best'\]"):
        plot_ga_convergence(pd.DataFrame({"gen": [0], "mean": [1.0]}))
    with pytest.raises(ValueError, match="recorded no generation"):
        plot_ga_convergence(pd.DataFrame(columns=["gen", "mean", "best"]))
    with pytest.raises(TypeError, match="`logbook` must be"):
        plot_ga_convergence([0.1, 0.2])


def test_value_tiers_shares_of_customers_and_revenue():
    rng = np.random.default_rng(8)
    current = rng.pareto(1.5, 100)
    predicted = current + rng.exponential(1.0, 100)
    tiers = value_tiers(current, predicted, top_fraction=0.2)
    revenue = pd.Series(current)
    ax = plot_value_tiers(tiers, revenue)
    expected_customers = tiers.value_counts(normalize=True).reindex(tiers.cat.categories)
    expected_revenue = (
        revenue.groupby(tiers.to_numpy()).sum().reindex(tiers.cat.categories) / revenue.sum()
    )
    customers, shares = ([bar.get_height() for bar in c] for c in ax.containers)
    np.testing.assert_allclose(customers, expected_customers.to_numpy())
    np.testing.assert_allclose(shares, expected_revenue.to_numpy())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["mature", "growth", "exploration"]
    assert f"{expected_revenue['mature']:.0%}" in [t.get_text() for t in ax.texts]


@pytest.mark.parametrize(
    ("tiers", "value", "message"),
    [
        (["a", "b"], [1.0, -1.0], "negative"),
        (["a", "b"], [0.0, 0.0], "sums to zero"),
        (["a"], [1.0, 2.0], "`tiers` has 1 entries but `value` has 2 rows"),
        (["a", None], [1.0, 2.0], "`tiers` has missing labels"),
    ],
)
def test_value_tiers_bad_input(tiers, value, message):
    with pytest.raises(ValueError, match=message):
        plot_value_tiers(tiers, value)
