"""Tests for ecrm_methods.evaluation.metrics: churn, ordinal, value and segmentation metrics."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import metrics as skm
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.datasets import make_blobs
from sklearn.utils import check_random_state

from ecrm_methods.evaluation.metrics import (
    HIGHER_IS_BETTER,
    bootstrap_metric_interval,
    bootstrap_stability,
    choose_threshold,
    classification_metrics,
    clustering_metrics,
    expected_maximum_profit,
    ordinal_metrics,
    segment_outcome_metrics,
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


def test_ordinal_qwk_is_weighted_on_the_full_scale():
    # no customer in this fold gave or was predicted a 3
    y_true = np.array([1, 2, 4, 5, 4, 2, 5, 1])
    y_pred = np.array([2, 1, 5, 4, 4, 2, 5, 1])
    full = ordinal_metrics(y_true, y_pred)["qwk"]
    old = skm.cohen_kappa_score(y_true, y_pred, weights="quadratic")  # the call before `scale`
    assert full == pytest.approx(
        skm.cohen_kappa_score(y_true, y_pred, labels=[1, 2, 3, 4, 5], weights="quadratic")
    )
    assert (full, old) == pytest.approx((0.9, 0.8))  # 2 and 4 are two steps apart, not one
    assert ordinal_metrics(y_true, y_pred, scale=None)["qwk"] == pytest.approx(old)
    # a wider scale the data never reach is still the reference: weights are relative, so
    # adding empty categories at the ends does not change kappa, only gaps inside do
    assert ordinal_metrics(y_true, y_pred, scale=(0, 6))["qwk"] == pytest.approx(full)
    hand = 1 - np.mean((y_true - y_pred) ** 2) / np.mean((y_true[:, None] - y_pred[None, :]) ** 2)
    assert full == pytest.approx(hand)
    with pytest.raises(ValueError, match="outside scale"):
        ordinal_metrics([1, 2, 6], [1, 2, 5])
    with pytest.raises(ValueError, match="scale must be"):
        ordinal_metrics([1, 2], [1, 2], scale=(5, 1))


def test_value_metrics_a_trivial_forecast_cannot_win_the_ranking_metrics():
    rng = np.random.default_rng(4)
    n = 500
    buyer = rng.random(n) < 0.25  # zero-heavy: three quarters spend nothing in the holdout
    spend = np.where(buyer, rng.gamma(2.0, 50.0, n), 0.0)
    purchases = np.where(buyer, rng.integers(1, 5, n), 0)
    y_true = np.column_stack([purchases, spend])
    zero = value_metrics(y_true, np.zeros((n, 2)))
    assert zero["top20_revenue_capture"] == pytest.approx(0.2)
    assert zero["spearman_spend"] == 0.0  # not NaN: a constant forecast ranks nobody
    constant = value_metrics(y_true, np.full((n, 2), 7.0))
    assert constant["spearman_spend"] == 0.0
    assert constant["top20_revenue_capture"] == pytest.approx(0.2)
    perfect = value_metrics(y_true, y_true)
    assert perfect["top20_revenue_capture"] > zero["top20_revenue_capture"]
    assert perfect["spearman_spend"] > zero["spearman_spend"]
    # MAE rewards shrinkage toward zero: a forecast that ranks customers perfectly but is
    # scaled up loses to the all-zero forecast on mae_spend on zero-heavy data
    inflated = value_metrics(y_true, np.column_stack([purchases, 2.5 * spend + 20.0]))
    assert inflated["spearman_spend"] == pytest.approx(1.0)
    assert inflated["top20_revenue_capture"] == pytest.approx(perfect["top20_revenue_capture"])
    assert zero["mae_spend"] < inflated["mae_spend"]
    # spearman stays NaN only when the observed spend is constant
    flat_truth = np.column_stack([np.ones(5), np.full(5, 10.0)])
    assert np.isnan(value_metrics(flat_truth, np.column_stack([np.ones(5), np.arange(5.0)]))[
        "spearman_spend"
    ])  # fmt: skip
    assert np.isnan(value_metrics(flat_truth, np.zeros((5, 2)))["spearman_spend"])


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
    dropped = clustering_metrics(X, noisy, unassigned="drop")
    assert dropped["silhouette"] == pytest.approx(skm.silhouette_score(X[30:], labels[30:]))
    assert np.isnan(with_noise["top_segment_revenue_share"])
    one_segment = clustering_metrics(X, np.zeros(300, int))
    assert np.isnan(one_segment["silhouette"]) and one_segment["n_segments"] == 1
    with pytest.raises(ValueError, match="length mismatch"):
        clustering_metrics(X, labels[:10])


def test_clustering_metrics_score_unassigned_customers_at_the_nearest_centre():
    X, labels = make_blobs(400, centers=3, cluster_std=1.5, random_state=3)
    # a rough k-means that declines the customers far from their centre
    centres = np.array([X[labels == k].mean(axis=0) for k in range(3)])
    distance = np.linalg.norm(X - centres[labels], axis=1)
    declined = labels.copy()
    declined[distance > np.quantile(distance, 0.8)] = -1
    result = clustering_metrics(X, declined)
    # by hand: centres of the assigned customers, every -1 to the nearest one
    kept = declined != -1
    assigned_centres = np.array([X[declined == k].mean(axis=0) for k in range(3)])
    nearest = np.argmin(
        np.linalg.norm(X[:, None, :] - assigned_centres[None, :, :], axis=2), axis=1
    )
    placed = np.where(kept, declined, nearest)
    assert result["silhouette"] == pytest.approx(skm.silhouette_score(X, placed))
    assert result["davies_bouldin"] == pytest.approx(skm.davies_bouldin_score(X, placed))
    assert result["calinski_harabasz"] == pytest.approx(skm.calinski_harabasz_score(X, placed))
    assert result["unassigned_share"] == pytest.approx(0.2)
    # declining the hard customers no longer buys a better score than assigning everybody
    everybody = clustering_metrics(X, labels)
    dropped = clustering_metrics(X, declined, unassigned="drop")
    assert dropped["silhouette"] > everybody["silhouette"]
    assert result["silhouette"] < dropped["silhouette"]
    assert result["silhouette"] == pytest.approx(everybody["silhouette"], abs=0.05)
    # revenue shares are computed on every customer too
    revenue = np.ones(400)
    shares = clustering_metrics(X, declined, revenue=revenue)
    assert shares["top_segment_revenue_share"] == pytest.approx(
        np.bincount(placed)[pd.Series(revenue).groupby(placed).mean().idxmax()] / 400
    )
    # nobody assigned: no indices
    nobody = clustering_metrics(X, np.full(400, -1))
    assert nobody["n_segments"] == 0 and np.isnan(nobody["silhouette"])
    with pytest.raises(ValueError, match="unassigned must be"):
        clustering_metrics(X, labels, unassigned="ignore")


def test_clustering_metrics_subsample_the_silhouette_above_sample_size():
    X, labels = make_blobs(600, centers=4, cluster_std=2.0, random_state=5)
    full = clustering_metrics(X, labels)  # 600 <= 5,000: every customer
    assert full["silhouette"] == pytest.approx(skm.silhouette_score(X, labels))
    sampled = clustering_metrics(X, labels, sample_size=200, random_state=7)
    assert sampled["silhouette"] == pytest.approx(
        skm.silhouette_score(X, labels, sample_size=200, random_state=check_random_state(7))
    )
    assert sampled["silhouette"] != pytest.approx(full["silhouette"], abs=1e-6)
    again = clustering_metrics(X, labels, sample_size=200, random_state=7)
    assert again["silhouette"] == sampled["silhouette"]
    assert clustering_metrics(X, labels, sample_size=None)["silhouette"] == full["silhouette"]
    with pytest.raises(ValueError, match="sample_size"):
        clustering_metrics(X, labels, sample_size=1)


def test_segment_outcome_metrics_hand_computed():
    labels = np.array([0] * 10 + [1] * 10 + [2] * 1)  # segment 2 holds 1 of 21 (< 5 %)
    spend = np.r_[np.full(10, 10.0), np.full(5, 0.0), np.full(5, 40.0), [100.0]]
    churn = np.r_[np.zeros(8), np.ones(2), np.ones(6), np.zeros(4), [1]]
    result = segment_outcome_metrics(labels, spend, churn)
    grand = spend.mean()
    between = 10 * (10 - grand) ** 2 + 10 * (20 - grand) ** 2 + (100 - grand) ** 2
    assert result["eta_squared_holdout_spend"] == pytest.approx(
        between / ((spend - grand) ** 2).sum()
    )
    # the one-customer segment (churn rate 1) is ignored: 0.6 - 0.2
    assert result["churn_rate_range"] == pytest.approx(0.4)
    assert result["n_segments_used"] == 2
    # eta squared is the R^2 of a regression of spend on segment dummies
    dummies = np.eye(3)[labels]
    fitted = dummies @ np.linalg.lstsq(dummies, spend, rcond=None)[0]
    assert result["eta_squared_holdout_spend"] == pytest.approx(
        1 - ((spend - fitted) ** 2).sum() / ((spend - grand) ** 2).sum()
    )
    everything = segment_outcome_metrics(labels, spend, churn, min_share=0.0)
    assert everything["churn_rate_range"] == pytest.approx(0.8)
    assert everything["n_segments_used"] == 3
    no_churn = segment_outcome_metrics(labels, spend)
    assert np.isnan(no_churn["churn_rate_range"])
    one_segment = segment_outcome_metrics(np.zeros(21, int), spend, churn)
    assert one_segment["eta_squared_holdout_spend"] == pytest.approx(0.0)
    assert np.isnan(one_segment["churn_rate_range"])
    assert np.isnan(segment_outcome_metrics(labels, np.ones(21))["eta_squared_holdout_spend"])
    assert set(result) <= set(HIGHER_IS_BETTER)
    with pytest.raises(ValueError, match="unassigned customers"):
        segment_outcome_metrics(np.r_[labels[:-1], -1], spend)
    with pytest.raises(ValueError, match="length mismatch"):
        segment_outcome_metrics(labels, spend[:5])
    with pytest.raises(ValueError, match="binary labels"):
        segment_outcome_metrics(labels, spend, np.full(21, 2))


def test_bootstrap_metric_interval_resamples_rows_together():
    rng = np.random.default_rng(0)
    values = rng.normal(10.0, 2.0, 400)
    low, high = bootstrap_metric_interval(np.mean, values, n_resamples=500, random_state=1)
    standard_error = values.std(ddof=1) / np.sqrt(400)
    assert low < values.mean() < high
    assert high - low == pytest.approx(2 * 1.96 * standard_error, rel=0.15)
    # seeded: the same bounds again; by hand with default_rng
    assert bootstrap_metric_interval(np.mean, values, n_resamples=500, random_state=1) == (
        low,
        high,
    )
    draws = np.random.default_rng(1)
    means = [values[draws.integers(0, 400, size=400)].mean() for _ in range(500)]
    assert (low, high) == pytest.approx(tuple(np.quantile(means, [0.025, 0.975])))
    # all arrays are resampled with the same rows: a perfect forecast stays perfect
    y_true = np.column_stack([rng.integers(0, 4, 50), rng.gamma(2.0, 20.0, 50)])
    bounds = bootstrap_metric_interval(value_metrics, y_true, y_true.copy(), random_state=0)
    assert bounds["mae_spend"] == (0.0, 0.0)
    assert bounds["spearman_spend"] == pytest.approx((1.0, 1.0))
    assert set(bounds) == set(value_metrics(y_true, y_true))
    # DataFrames, and None passed through
    X, labels = make_blobs(60, centers=2, random_state=0)
    seg = bootstrap_metric_interval(
        lambda X_, labels_, revenue_: clustering_metrics(X_, labels_, revenue_)["n_segments"],
        pd.DataFrame(X),
        labels,
        None,
        n_resamples=20,
        random_state=0,
    )
    assert seg == (2.0, 2.0)
    # resamples where the metric is undefined (ValueError or NaN) are left out: with one
    # positive in 30 rows about 64 % of the resamples draw it, so the bounds exist ...
    y = np.r_[1, np.zeros(29, int)]
    proba = np.linspace(0, 1, 30)

    def auc(y_, p_):
        if y_.min() == y_.max():
            raise ValueError("one class only")
        return skm.roc_auc_score(y_, p_)

    some = bootstrap_metric_interval(auc, y, proba, random_state=0)
    assert 0.0 <= some[0] <= some[1] <= 1.0
    # ... while "at least 2 positives drawn" holds in about 26 %: most undefined -> NaN
    rare = bootstrap_metric_interval(
        lambda y_, p_: skm.roc_auc_score(y_, p_) if y_.sum() >= 2 else np.nan,
        y,
        proba,
        random_state=0,
    )
    assert np.isnan(rare[0]) and np.isnan(rare[1])
    with pytest.raises(ValueError, match="length mismatch"):
        bootstrap_metric_interval(np.mean, values, values[:10])
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_metric_interval(np.mean, values, confidence=95)
    with pytest.raises(TypeError, match="metric_fn"):
        bootstrap_metric_interval("mean", values)


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
        "eta_squared_holdout_spend", "churn_rate_range", "n_segments_used",
    }  # fmt: skip
    assert expected <= set(HIGHER_IS_BETTER)
    assert all(isinstance(value, bool) for value in HIGHER_IS_BETTER.values())


def test_bootstrap_stability_subsamples_large_inputs():
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_blobs

    from ecrm_methods.evaluation.metrics import bootstrap_stability

    X, _ = make_blobs(3000, centers=3, random_state=0)
    sizes = []

    class Recording(KMeans):
        def fit(self, X, y=None, sample_weight=None):
            sizes.append(len(X))
            return super().fit(X, y, sample_weight)

    value = bootstrap_stability(
        lambda: Recording(3, n_init=1, random_state=0), X, n_resamples=3, max_samples=500
    )
    assert sizes == [500] * 4  # the reference fit and 3 refits, all on 500 customers
    assert value > 0.9  # well-separated blobs are stable
    with pytest.raises(ValueError, match="max_samples"):
        bootstrap_stability(lambda: KMeans(3), X, max_samples=1)
