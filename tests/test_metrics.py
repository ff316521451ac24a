"""Tests for ecrm_methods.evaluation.metrics: churn, ordinal, value and segmentation metrics."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import metrics as skm
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.datasets import make_blobs

from ecrm_methods.evaluation.metrics import (
    HIGHER_IS_BETTER,
    bootstrap_stability,
    choose_threshold,
    classification_metrics,
    clustering_metrics,
    expected_maximum_profit,
    ordinal_metrics,
    top_decile_lift,
    value_metrics,
)

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def brute_force_emp(y, proba, clv=200.0, incentive=10.0, contact_cost=1.0, alpha=6.0, beta=14.0):
    """EMP by numerical integration of the best profit over every ROC point (no hull)."""
    fpr, tpr, _ = skm.roc_curve(y, proba, drop_intermediate=False)
    delta, phi = incentive / clv, contact_cost / clv
    pi0 = np.mean(y)
    pi1 = 1 - pi0
    gamma = np.linspace(0.0, 1.0, 100_001)
    profit = (
        clv * (gamma[:, None] * (1 - delta) - phi) * pi0 * tpr[None, :]
        - clv * (delta + phi) * pi1 * fpr[None, :]
    )
    return np.trapezoid(profit.max(axis=1) * stats.beta.pdf(gamma, alpha, beta), gamma)


# ---------------------------------------------------------------------------------------------
# churn metrics
# ---------------------------------------------------------------------------------------------


def test_choose_threshold_hand_computed():
    # thresholds 0.8 / 0.4 / 0.35 / 0.1 give F1 0.667 / 0.5 / 0.8 / 0.667
    assert choose_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.35)


def test_top_decile_lift_hand_computed():
    y = np.array([1, 1] + [0] * 13 + [1, 1] + [0] * 3)  # 4 churners in 20 -> rate 0.2
    proba = np.linspace(1, 0, 20)
    assert top_decile_lift(y, proba) == pytest.approx(5.0)  # top 2 are both churners
    # ties: every score equal -> expected lift under random tie-breaking is 1
    assert top_decile_lift(y, np.full(20, 0.5)) == pytest.approx(1.0)
    # the row order of tied scores does not matter
    proba_tied = np.r_[[0.9, 0.7, 0.7], np.full(17, 0.1)]
    y_tied = np.r_[[1, 1, 0], np.zeros(17, int)]
    lift = top_decile_lift(y_tied, proba_tied)
    assert lift == pytest.approx((1 + 0.5) / 2 / 0.1)
    assert top_decile_lift(y_tied[[0, 2, 1, *range(3, 20)]], proba_tied) == pytest.approx(lift)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_emp_matches_numerical_integration(seed):
    rng = np.random.default_rng(seed)
    y = rng.binomial(1, 0.2, 400)
    proba = np.clip(0.25 + 0.25 * y + rng.normal(0, 0.2, 400), 0, 1).round(2)  # with ties
    assert expected_maximum_profit(y, proba) == pytest.approx(brute_force_emp(y, proba), rel=1e-6)
    settings_ = {"clv": 100.0, "incentive": 20.0, "contact_cost": 3.0, "alpha": 2.0, "beta": 3.0}
    assert expected_maximum_profit(y, proba, **settings_) == pytest.approx(
        brute_force_emp(y, proba, **settings_), rel=1e-6
    )


def test_emp_matches_the_empulse_reference_example():
    # the docstring example of empulse.metrics.empc_score (empulse is not installed here)
    y = [0, 1, 0, 1, 0, 1, 0, 1]
    proba = [0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.8, 0.9]
    assert expected_maximum_profit(y, proba) == pytest.approx(23.875593418348124, rel=1e-12)


def test_emp_perfect_and_useless_models():
    y = np.array([1] * 20 + [0] * 80)
    perfect = expected_maximum_profit(y, y.astype(float))
    assert perfect == pytest.approx(brute_force_emp(y, y.astype(float)), rel=1e-6)
    # perfect targeting: contact exactly the churners when gamma*(1-delta) > phi
    assert perfect > expected_maximum_profit(y, np.linspace(0, 1, 100))
    # an inverted ranking carries no usable information: its ROC hull is the diagonal, so it is
    # worth exactly as much as a constant score (contact nobody, or everybody when gamma is high)
    inverted = expected_maximum_profit(y, 1 - y.astype(float))
    assert inverted == pytest.approx(expected_maximum_profit(y, np.full(100, 0.5)), rel=1e-9)
    assert inverted == pytest.approx(brute_force_emp(y, 1 - y.astype(float)), rel=1e-6)
    assert 0 < inverted < perfect
    # with a tiny CLV no campaign pays: contacting nobody gives 0, so EMP is never negative
    assert expected_maximum_profit(y, 1 - y.astype(float), clv=11.0) == pytest.approx(0.0)


def test_classification_metrics_match_sklearn():
    rng = np.random.default_rng(5)
    y = rng.binomial(1, 0.3, 200)
    proba = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, 200), 0, 1)
    result = classification_metrics(y, proba, threshold=0.5)
    assert set(result) == {"roc_auc", "pr_auc", "f1", "top_decile_lift", "emp", "brier"}
    assert result["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba))
    assert result["pr_auc"] == pytest.approx(skm.average_precision_score(y, proba))
    assert result["f1"] == pytest.approx(skm.f1_score(y, proba >= 0.5))
    assert result["brier"] == pytest.approx(skm.brier_score_loss(y, proba))
    assert result["emp"] == pytest.approx(expected_maximum_profit(y, proba))
    assert result["top_decile_lift"] > 1.5
    assert set(result) <= set(HIGHER_IS_BETTER)


def test_classification_bad_input():
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="length mismatch"):
        classification_metrics(y, [0.1, 0.2, 0.3], 0.5)
    with pytest.raises(ValueError, match="needs both classes"):
        classification_metrics([1, 1, 1], [0.1, 0.2, 0.3], 0.5)
    with pytest.raises(ValueError, match="NaN"):
        classification_metrics(y, [0.1, np.nan, 0.3, 0.4], 0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        top_decile_lift(y, [-2.0, 1.0, 3.0, 0.0])
    with pytest.raises(ValueError, match="binary labels"):
        expected_maximum_profit([0, 1, 2, 1], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match="incentive"):
        expected_maximum_profit(y, [0.1, 0.2, 0.3, 0.4], clv=5, incentive=10)
    with pytest.raises(ValueError, match="threshold"):
        classification_metrics(y, [0.1, 0.2, 0.3, 0.4], threshold=np.nan)
    with pytest.raises(ValueError, match="no positive rows"):
        choose_threshold([0, 0], [0.1, 0.2])


# ---------------------------------------------------------------------------------------------
# ordinal and value metrics
# ---------------------------------------------------------------------------------------------


def test_ordinal_metrics_hand_computed_and_sklearn():
    perfect = ordinal_metrics([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    assert perfect["qwk"] == pytest.approx(1.0)
    assert perfect["macro_f1"] == pytest.approx(1.0)
    assert perfect["mae"] == 0.0
    assert np.isnan(perfect["roc_auc_low"])
    y_true = np.array([1, 2, 5, 4, 5, 3, 1, 5])
    y_pred = np.array([2, 2, 4, 4, 5, 5, 1, 3])
    proba_low = np.array([0.7, 0.6, 0.1, 0.2, 0.1, 0.3, 0.9, 0.4])
    result = ordinal_metrics(y_true, y_pred, proba_low=proba_low)
    assert result["qwk"] == pytest.approx(
        skm.cohen_kappa_score(y_true, y_pred, weights="quadratic")
    )
    assert result["macro_f1"] == pytest.approx(skm.f1_score(y_true, y_pred, average="macro"))
    assert result["mae"] == pytest.approx(6 / 8)
    assert result["roc_auc_low"] == pytest.approx(1.0)  # the three low ratings score highest
    assert set(result) <= set(HIGHER_IS_BETTER)
    with pytest.raises(ValueError, match="length mismatch"):
        ordinal_metrics([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="no low ratings"):
        ordinal_metrics([4, 5], [4, 5], proba_low=[0.1, 0.2])


def test_value_metrics_hand_computed():
    y_true = np.array([[1, 10.0], [0, 0.0], [2, 30.0], [1, 60.0], [0, 0.0]])
    y_pred = np.array([[1, 20.0], [1, 5.0], [1, 50.0], [1, 40.0], [0, 0.0]])
    result = value_metrics(y_true, y_pred)
    assert result["mae_purchases"] == pytest.approx(2 / 5)
    assert result["rmse_purchases"] == pytest.approx(np.sqrt(2 / 5))
    assert result["mae_spend"] == pytest.approx((10 + 5 + 20 + 20 + 0) / 5)
    assert result["rmse_spend"] == pytest.approx(np.sqrt((100 + 25 + 400 + 400) / 5))
    assert result["spearman_spend"] == pytest.approx(
        stats.spearmanr(y_true[:, 1], y_pred[:, 1]).statistic
    )
    # top 20 % = 1 customer: the forecast picks the one with 30 of 100, the oracle 60 of 100
    assert result["top20_revenue_capture"] == pytest.approx(0.3)
    assert result["top20_revenue_capture_ratio"] == pytest.approx(0.5)
    assert result["aggregate_error_purchases"] == pytest.approx(0.0)  # 4 forecast, 4 observed
    as_frame = value_metrics(
        pd.DataFrame(y_true, columns=["f", "s"]), pd.DataFrame(y_pred, columns=["f", "s"])
    )
    assert as_frame == result
    assert set(result) <= set(HIGHER_IS_BETTER)
    with pytest.raises(ValueError, match="2 columns"):
        value_metrics(y_true[:, 0], y_pred)
    with pytest.raises(ValueError, match="length mismatch"):
        value_metrics(y_true, y_pred[:3])
    with pytest.raises(ValueError, match="NaN"):
        value_metrics(y_true, np.where(y_pred == 5.0, np.nan, y_pred))


# ---------------------------------------------------------------------------------------------
# segmentation
# ---------------------------------------------------------------------------------------------


def test_clustering_metrics_against_sklearn_and_revenue():
    X, labels = make_blobs(300, centers=3, random_state=0)
    revenue = np.where(labels == 2, 100.0, 10.0)
    result = clustering_metrics(X, labels, revenue=revenue)
    assert result["silhouette"] == pytest.approx(skm.silhouette_score(X, labels))
    assert result["davies_bouldin"] == pytest.approx(skm.davies_bouldin_score(X, labels))
    assert result["calinski_harabasz"] == pytest.approx(skm.calinski_harabasz_score(X, labels))
    assert result["n_segments"] == 3
    assert result["top_segment_revenue_share"] == pytest.approx(100 * 100 / (100 * 100 + 200 * 10))
    assert result["unassigned_share"] == 0.0
    assert set(result) <= set(HIGHER_IS_BETTER)
    noisy = labels.copy()
    noisy[:30] = -1
    with_noise = clustering_metrics(X, noisy)
    assert with_noise["unassigned_share"] == pytest.approx(0.1)
    assert with_noise["silhouette"] == pytest.approx(skm.silhouette_score(X[30:], labels[30:]))
    assert np.isnan(with_noise["top_segment_revenue_share"])
    one_segment = clustering_metrics(X, np.zeros(300, int))
    assert np.isnan(one_segment["silhouette"]) and one_segment["n_segments"] == 1
    with pytest.raises(ValueError, match="length mismatch"):
        clustering_metrics(X, labels[:10])


def test_bootstrap_stability_separates_stable_from_arbitrary_clusterings():
    X, _ = make_blobs(300, centers=3, cluster_std=0.5, random_state=1)

    def kmeans():
        return KMeans(3, n_init=3, random_state=0)

    stable = bootstrap_stability(kmeans, X, n_resamples=5, random_state=0)
    assert stable > 0.95
    assert stable == bootstrap_stability(kmeans, X, n_resamples=5, random_state=0)
    # no predict: compared on the resampled rows
    assert bootstrap_stability(AgglomerativeClustering(3), X, n_resamples=5) > 0.95
    uniform = np.random.default_rng(0).random((300, 2))
    arbitrary = bootstrap_stability(
        lambda: KMeans(12, n_init=1, random_state=None), uniform, n_resamples=5
    )
    assert arbitrary < stable
    with pytest.raises(TypeError, match="estimator_factory"):
        bootstrap_stability("kmeans", X)


def test_higher_is_better_covers_every_metric_key():
    expected = {
        "roc_auc", "pr_auc", "f1", "top_decile_lift", "emp", "brier", "qwk", "macro_f1", "mae",
        "roc_auc_low", "mae_purchases", "rmse_purchases", "mae_spend", "rmse_spend",
        "spearman_spend", "top20_revenue_capture", "top20_revenue_capture_ratio",
        "aggregate_error_purchases", "silhouette", "davies_bouldin", "calinski_harabasz",
        "n_segments", "top_segment_revenue_share", "unassigned_share", "bootstrap_stability",
    }  # fmt: skip
    assert expected <= set(HIGHER_IS_BETTER)
    assert all(isinstance(value, bool) for value in HIGHER_IS_BETTER.values())
