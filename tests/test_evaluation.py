"""Tests for ecrm_methods.evaluation: metrics, duplicates, splits and method comparison."""

import os
from pathlib import Path

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse, stats
from scipy.sparse.csgraph import connected_components
from sklearn import metrics as skm
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.datasets import make_blobs

from ecrm_methods import evaluation as ev

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def brute_force_groups(frame: pd.DataFrame, max_diff: int) -> np.ndarray:
    """O(n^2) reference: connected components of rows differing in <= max_diff columns."""
    codes = np.column_stack(
        [pd.factorize(frame.iloc[:, j], use_na_sentinel=True)[0] for j in range(frame.shape[1])]
    )
    n_different = (codes[:, None, :] != codes[None, :, :]).sum(axis=2)
    _, labels = connected_components(sparse.csr_matrix(n_different <= max_diff), directed=False)
    return labels


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return skm.adjusted_rand_score(a, b) == 1.0 and np.unique(a).size == np.unique(b).size


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


def ecommerce_churn_path() -> Path | None:
    data_home = os.environ.get("ECRM_DATA")
    if not data_home:
        return None
    path = Path(data_home) / "ecommerce-churn" / "E Commerce Dataset.xlsx"
    return path if path.exists() else None


# ---------------------------------------------------------------------------------------------
# duplicates
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def chain_frame() -> pd.DataFrame:
    # a ~ b (1 column), b ~ c (1 column), a and c differ in 2; e is NaN-equal to a; d unrelated
    return pd.DataFrame(
        {
            "CustomerID": [101, 102, 103, 104, 105],
            "tenure": [1.0, 1.0, 1.0, 9.0, 1.0],
            "city": ["x", "y", "y", "z", "x"],
            "orders": [3, 3, 5, 7, 3],
            "cashback": [np.nan, np.nan, np.nan, 2.5, np.nan],
        }
    )


def test_near_duplicate_chain_ends_in_one_group(chain_frame):
    groups = ev.near_duplicate_groups(chain_frame, max_diff=1, exclude=["CustomerID"])
    assert groups.tolist() == [0, 0, 0, 1, 0]


def test_exact_duplicates_treat_nan_as_equal(chain_frame):
    groups = ev.near_duplicate_groups(chain_frame, max_diff=0, exclude=["CustomerID"])
    assert groups[0] == groups[4]  # equal apart from the id, NaN == NaN
    assert np.unique(groups).size == 4


def test_id_column_is_not_ignored_unless_excluded(chain_frame):
    groups = ev.near_duplicate_groups(chain_frame, max_diff=0)
    assert np.unique(groups).size == 5


def test_duplicate_report_counts(chain_frame):
    report = ev.duplicate_report(chain_frame, exclude=["CustomerID"])
    assert report["n_rows"] == 5
    assert report["exact_duplicate_rows"] == 2  # rows 0 and 4
    assert report["near_duplicate_rows"] == 4  # all but the unrelated row
    assert report["n_groups_exact"] == 4
    assert report["n_groups_near"] == 2


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_rows=st.integers(2, 40),
    n_columns=st.integers(1, 6),
    max_diff=st.integers(0, 3),
)
def test_near_duplicate_groups_match_brute_force(seed, n_rows, n_columns, max_diff):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 3, size=(n_rows, n_columns)).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    frame = pd.DataFrame(values)
    groups = ev.near_duplicate_groups(frame, max_diff=max_diff)
    assert same_partition(groups, brute_force_groups(frame, max_diff))


def test_pigeonhole_fallback_matches_brute_force():
    # C(15, 5) = 3003 subsets is above the limit, so the block (pigeonhole) variant runs
    rng = np.random.default_rng(3)
    base = rng.integers(0, 4, size=(30, 15))
    noisy = base[rng.integers(0, 30, 90)].copy()
    mask = rng.random(noisy.shape) < 0.25
    noisy[mask] = rng.integers(0, 4, mask.sum())
    frame = pd.DataFrame(np.vstack([base, noisy]))
    groups = ev.near_duplicate_groups(frame, max_diff=5)
    assert same_partition(groups, brute_force_groups(frame, 5))
    assert ev.near_duplicate_groups(frame, max_diff=15).tolist() == [0] * len(frame)


def test_near_duplicate_groups_bad_input(chain_frame):
    with pytest.raises(ValueError, match="exclude names columns"):
        ev.near_duplicate_groups(chain_frame, exclude=["customer_id"])
    with pytest.raises(ValueError, match="max_diff"):
        ev.near_duplicate_groups(chain_frame, max_diff=-1)
    with pytest.raises(ValueError, match="2-dimensional"):
        ev.near_duplicate_groups(np.arange(5))


def test_ecommerce_churn_duplicate_facts():
    path = ecommerce_churn_path()
    if path is None:
        pytest.skip("E Commerce churn not in the data home (set ECRM_DATA)")
    frame = pd.read_excel(path, sheet_name="E Comm")
    report = ev.duplicate_report(frame, exclude=["CustomerID"])
    assert report["n_rows"] == 5630
    assert report["exact_duplicate_rows"] == 1112
    assert 0.86 <= report["near_duplicate_share"] <= 0.88
    groups = ev.near_duplicate_groups(frame, max_diff=1, exclude=["CustomerID"])
    assert report["n_groups_near"] < np.unique(groups).size < report["n_groups_exact"]


# ---------------------------------------------------------------------------------------------
# splits
# ---------------------------------------------------------------------------------------------


def test_make_splits_keeps_groups_together_and_stratifies():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(200), rng.integers(1, 5, 200))
    y = (rng.random(groups.size) < 0.2).astype(int)
    folds = ev.make_splits(y, groups=groups, n_folds=5, random_state=1)
    assert len(folds) == 5
    tested = np.concatenate([test for _, test in folds])
    assert np.sort(tested).tolist() == list(range(y.size))  # each row tested once
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert abs(y[test].mean() - y.mean()) < 0.06
    again = ev.make_splits(y, groups=groups, n_folds=5, random_state=1)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again, strict=True))


def test_make_splits_without_groups():
    y = np.array([0] * 80 + [1] * 20)
    folds = ev.make_splits(y, n_folds=5)
    assert [int(y[test].sum()) for _, test in folds] == [4] * 5  # exact stratification
    continuous = np.linspace(0, 1, 50)
    folds = ev.make_splits(continuous, n_folds=5)
    assert sorted(len(test) for _, test in folds) == [10] * 5
    groups = np.arange(30) // 3
    folds = ev.make_splits(None, groups=groups, n_folds=3)
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
    assert len(ev.make_splits(None, n_samples=12, n_folds=4)) == 4


def test_make_splits_bad_input():
    with pytest.raises(ValueError, match="length mismatch"):
        ev.make_splits(np.zeros(10), groups=np.arange(9))
    with pytest.raises(ValueError, match="distinct groups"):
        ev.make_splits(np.arange(10) % 2, groups=np.arange(10) // 5, n_folds=5)
    with pytest.raises(ValueError, match="n_folds"):
        ev.make_splits(np.arange(10) % 2, n_folds=1)
    with pytest.raises(ValueError, match="needs y, groups or n_samples"):
        ev.make_splits(None)


# ---------------------------------------------------------------------------------------------
# churn metrics
# ---------------------------------------------------------------------------------------------


def test_choose_threshold_hand_computed():
    # thresholds 0.8 / 0.4 / 0.35 / 0.1 give F1 0.667 / 0.5 / 0.8 / 0.667
    assert ev.choose_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.35)


def test_top_decile_lift_hand_computed():
    y = np.array([1, 1] + [0] * 13 + [1, 1] + [0] * 3)  # 4 churners in 20 -> rate 0.2
    proba = np.linspace(1, 0, 20)
    assert ev.top_decile_lift(y, proba) == pytest.approx(5.0)  # top 2 are both churners
    # ties: every score equal -> expected lift under random tie-breaking is 1
    assert ev.top_decile_lift(y, np.full(20, 0.5)) == pytest.approx(1.0)
    # the row order of tied scores does not matter
    proba_tied = np.r_[[0.9, 0.7, 0.7], np.full(17, 0.1)]
    y_tied = np.r_[[1, 1, 0], np.zeros(17, int)]
    lift = ev.top_decile_lift(y_tied, proba_tied)
    assert lift == pytest.approx((1 + 0.5) / 2 / 0.1)
    assert ev.top_decile_lift(y_tied[[0, 2, 1, *range(3, 20)]], proba_tied) == pytest.approx(lift)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_emp_matches_numerical_integration(seed):
    rng = np.random.default_rng(seed)
    y = rng.binomial(1, 0.2, 400)
    proba = np.clip(0.25 + 0.25 * y + rng.normal(0, 0.2, 400), 0, 1).round(2)  # with ties
    assert ev.expected_maximum_profit(y, proba) == pytest.approx(
        brute_force_emp(y, proba), rel=1e-6
    )
    settings_ = {"clv": 100.0, "incentive": 20.0, "contact_cost": 3.0, "alpha": 2.0, "beta": 3.0}
    assert ev.expected_maximum_profit(y, proba, **settings_) == pytest.approx(
        brute_force_emp(y, proba, **settings_), rel=1e-6
    )


def test_emp_matches_the_empulse_reference_example():
    # the docstring example of empulse.metrics.empc_score (empulse is not installed here)
    y = [0, 1, 0, 1, 0, 1, 0, 1]
    proba = [0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.8, 0.9]
    assert ev.expected_maximum_profit(y, proba) == pytest.approx(23.875593418348124, rel=1e-12)


def test_emp_perfect_and_useless_models():
    y = np.array([1] * 20 + [0] * 80)
    perfect = ev.expected_maximum_profit(y, y.astype(float))
    assert perfect == pytest.approx(brute_force_emp(y, y.astype(float)), rel=1e-6)
    # perfect targeting: contact exactly the churners when gamma*(1-delta) > phi
    assert perfect > ev.expected_maximum_profit(y, np.linspace(0, 1, 100))
    # an inverted ranking carries no usable information: its ROC hull is the diagonal, so it is
    # worth exactly as much as a constant score (contact nobody, or everybody when gamma is high)
    inverted = ev.expected_maximum_profit(y, 1 - y.astype(float))
    assert inverted == pytest.approx(ev.expected_maximum_profit(y, np.full(100, 0.5)), rel=1e-9)
    assert inverted == pytest.approx(brute_force_emp(y, 1 - y.astype(float)), rel=1e-6)
    assert 0 < inverted < perfect
    # with a tiny CLV no campaign pays: contacting nobody gives 0, so EMP is never negative
    assert ev.expected_maximum_profit(y, 1 - y.astype(float), clv=11.0) == pytest.approx(0.0)


def test_classification_metrics_match_sklearn():
    rng = np.random.default_rng(5)
    y = rng.binomial(1, 0.3, 200)
    proba = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, 200), 0, 1)
    result = ev.classification_metrics(y, proba, threshold=0.5)
    assert set(result) == {"roc_auc", "pr_auc", "f1", "top_decile_lift", "emp", "brier"}
    assert result["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba))
    assert result["pr_auc"] == pytest.approx(skm.average_precision_score(y, proba))
    assert result["f1"] == pytest.approx(skm.f1_score(y, proba >= 0.5))
    assert result["brier"] == pytest.approx(skm.brier_score_loss(y, proba))
    assert result["emp"] == pytest.approx(ev.expected_maximum_profit(y, proba))
    assert result["top_decile_lift"] > 1.5
    assert set(result) <= set(ev.HIGHER_IS_BETTER)


def test_classification_bad_input():
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="length mismatch"):
        ev.classification_metrics(y, [0.1, 0.2, 0.3], 0.5)
    with pytest.raises(ValueError, match="needs both classes"):
        ev.classification_metrics([1, 1, 1], [0.1, 0.2, 0.3], 0.5)
    with pytest.raises(ValueError, match="NaN"):
        ev.classification_metrics(y, [0.1, np.nan, 0.3, 0.4], 0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ev.top_decile_lift(y, [-2.0, 1.0, 3.0, 0.0])
    with pytest.raises(ValueError, match="binary labels"):
        ev.expected_maximum_profit([0, 1, 2, 1], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match="incentive"):
        ev.expected_maximum_profit(y, [0.1, 0.2, 0.3, 0.4], clv=5, incentive=10)
    with pytest.raises(ValueError, match="threshold"):
        ev.classification_metrics(y, [0.1, 0.2, 0.3, 0.4], threshold=np.nan)
    with pytest.raises(ValueError, match="no positive rows"):
        ev.choose_threshold([0, 0], [0.1, 0.2])


# ---------------------------------------------------------------------------------------------
# ordinal and value metrics
# ---------------------------------------------------------------------------------------------


def test_ordinal_metrics_hand_computed_and_sklearn():
    perfect = ev.ordinal_metrics([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    assert perfect["qwk"] == pytest.approx(1.0)
    assert perfect["macro_f1"] == pytest.approx(1.0)
    assert perfect["mae"] == 0.0
    assert np.isnan(perfect["roc_auc_low"])
    y_true = np.array([1, 2, 5, 4, 5, 3, 1, 5])
    y_pred = np.array([2, 2, 4, 4, 5, 5, 1, 3])
    proba_low = np.array([0.7, 0.6, 0.1, 0.2, 0.1, 0.3, 0.9, 0.4])
    result = ev.ordinal_metrics(y_true, y_pred, proba_low=proba_low)
    assert result["qwk"] == pytest.approx(
        skm.cohen_kappa_score(y_true, y_pred, weights="quadratic")
    )
    assert result["macro_f1"] == pytest.approx(skm.f1_score(y_true, y_pred, average="macro"))
    assert result["mae"] == pytest.approx(6 / 8)
    assert result["roc_auc_low"] == pytest.approx(1.0)  # the three low ratings score highest
    assert set(result) <= set(ev.HIGHER_IS_BETTER)
    with pytest.raises(ValueError, match="length mismatch"):
        ev.ordinal_metrics([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="no low ratings"):
        ev.ordinal_metrics([4, 5], [4, 5], proba_low=[0.1, 0.2])


def test_value_metrics_hand_computed():
    y_true = np.array([[1, 10.0], [0, 0.0], [2, 30.0], [1, 60.0], [0, 0.0]])
    y_pred = np.array([[1, 20.0], [1, 5.0], [1, 50.0], [1, 40.0], [0, 0.0]])
    result = ev.value_metrics(y_true, y_pred)
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
    as_frame = ev.value_metrics(
        pd.DataFrame(y_true, columns=["f", "s"]), pd.DataFrame(y_pred, columns=["f", "s"])
    )
    assert as_frame == result
    assert set(result) <= set(ev.HIGHER_IS_BETTER)
    with pytest.raises(ValueError, match="2 columns"):
        ev.value_metrics(y_true[:, 0], y_pred)
    with pytest.raises(ValueError, match="length mismatch"):
        ev.value_metrics(y_true, y_pred[:3])
    with pytest.raises(ValueError, match="NaN"):
        ev.value_metrics(y_true, np.where(y_pred == 5.0, np.nan, y_pred))


# ---------------------------------------------------------------------------------------------
# segmentation
# ---------------------------------------------------------------------------------------------


def test_clustering_metrics_against_sklearn_and_revenue():
    X, labels = make_blobs(300, centers=3, random_state=0)
    revenue = np.where(labels == 2, 100.0, 10.0)
    result = ev.clustering_metrics(X, labels, revenue=revenue)
    assert result["silhouette"] == pytest.approx(skm.silhouette_score(X, labels))
    assert result["davies_bouldin"] == pytest.approx(skm.davies_bouldin_score(X, labels))
    assert result["calinski_harabasz"] == pytest.approx(skm.calinski_harabasz_score(X, labels))
    assert result["n_segments"] == 3
    assert result["top_segment_revenue_share"] == pytest.approx(100 * 100 / (100 * 100 + 200 * 10))
    assert result["unassigned_share"] == 0.0
    assert set(result) <= set(ev.HIGHER_IS_BETTER)
    noisy = labels.copy()
    noisy[:30] = -1
    with_noise = ev.clustering_metrics(X, noisy)
    assert with_noise["unassigned_share"] == pytest.approx(0.1)
    assert with_noise["silhouette"] == pytest.approx(skm.silhouette_score(X[30:], labels[30:]))
    assert np.isnan(with_noise["top_segment_revenue_share"])
    one_segment = ev.clustering_metrics(X, np.zeros(300, int))
    assert np.isnan(one_segment["silhouette"]) and one_segment["n_segments"] == 1
    with pytest.raises(ValueError, match="length mismatch"):
        ev.clustering_metrics(X, labels[:10])


def test_bootstrap_stability_separates_stable_from_arbitrary_clusterings():
    X, _ = make_blobs(300, centers=3, cluster_std=0.5, random_state=1)

    def kmeans():
        return KMeans(3, n_init=3, random_state=0)

    stable = ev.bootstrap_stability(kmeans, X, n_resamples=5, random_state=0)
    assert stable > 0.95
    assert stable == ev.bootstrap_stability(kmeans, X, n_resamples=5, random_state=0)
    # no predict: compared on the resampled rows
    assert ev.bootstrap_stability(AgglomerativeClustering(3), X, n_resamples=5) > 0.95
    uniform = np.random.default_rng(0).random((300, 2))
    arbitrary = ev.bootstrap_stability(
        lambda: KMeans(12, n_init=1, random_state=None), uniform, n_resamples=5
    )
    assert arbitrary < stable
    with pytest.raises(TypeError, match="estimator_factory"):
        ev.bootstrap_stability("kmeans", X)


# ---------------------------------------------------------------------------------------------
# summaries and statistics
# ---------------------------------------------------------------------------------------------


def synthetic_results(n_seeds=3, n_folds=5, gap=0.05) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    quality = {"good": 0.8 + gap, "mid": 0.8, "poor": 0.8 - gap, "weak": 0.8 - 2 * gap}
    for dataset in ("a", "b"):
        for seed in range(n_seeds):
            for fold in range(n_folds):
                for method, base in quality.items():
                    auc = base + rng.normal(0, 0.01)
                    for metric, value in (("roc_auc", auc), ("brier", 1 - auc)):
                        rows.append(
                            {
                                "problem": "churn",
                                "dataset": dataset,
                                "method": method,
                                "family": "baseline",
                                "seed": seed,
                                "fold": fold,
                                "metric": metric,
                                "value": value,
                                "fit_seconds": 0.1,
                            }
                        )
    return pd.DataFrame(rows, columns=list(ev.RESULT_COLUMNS))


def test_summarize_t_interval_hand_computed():
    results = pd.DataFrame(
        {
            "problem": "churn",
            "dataset": "d",
            "method": "m",
            "family": "baseline",
            "seed": 0,
            "fold": [0, 1, 2, 3],
            "metric": "roc_auc",
            "value": [1.0, 2.0, 3.0, np.nan],
            "fit_seconds": 1.0,
        }
    )
    row = ev.summarize(results).iloc[0]
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert (row["mean"], row["std"], row["n"], row["n_failed"]) == (2.0, 1.0, 3, 1)
    assert row["ci_low"] == pytest.approx(2 - half)
    assert row["ci_high"] == pytest.approx(2 + half)


def test_leaderboard_orders_best_first_in_each_direction():
    text = ev.leaderboard_markdown(synthetic_results(), ev.HIGHER_IS_BETTER)
    section = text.split("\n## problem `churn` / dataset `a`")[1].split("\n## ")[0]
    auc_table = section.split("### roc_auc")[1]
    brier_table = section.split("### brier")[1].split("### ")[0]
    assert auc_table.index("| good |") < auc_table.index("| weak |")
    assert brier_table.index("| good |") < brier_table.index("| weak |")  # lower is better
    assert "lower is better" in brier_table.splitlines()[0]
    with pytest.raises(ValueError, match="lacks the columns"):
        ev.leaderboard_markdown(synthetic_results().drop(columns="metric"), {})


def test_compare_methods_finds_the_best_method_and_plots():
    results = synthetic_results()
    ranking = ev.compare_methods(results, "roc_auc", higher_is_better=True)
    assert ranking.rankdf.index.tolist() == ["good", "mid", "poor", "weak"]
    assert ranking.rankdf["meanrank"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert ranking.pvalue < 0.01
    # location and interval are on the metric's own scale even though the ranking is flipped
    best = ranking.rankdf.iloc[0]
    location = best["mean"] if "mean" in ranking.rankdf else best["median"]
    assert best["ci_lower"] < location < best["ci_upper"]
    assert location == pytest.approx(0.85, abs=0.01)
    assert ranking.num_samples == 2 * 3 * 5
    lower = ev.compare_methods(results, "brier", higher_is_better=False)
    assert lower.rankdf.index[0] == "good"
    forced = ev.compare_methods(results, "roc_auc", force_mode="nonparametric")
    assert forced.omnibus == "friedman" and forced.posthoc == "nemenyi"
    figure = ev.plot_critical_difference(forced)
    assert isinstance(figure, matplotlib.figure.Figure)
    assert isinstance(ev.plot_critical_difference(ranking), matplotlib.figure.Figure)
    two = results[results["method"].isin(["good", "mid"])]
    assert isinstance(
        ev.plot_critical_difference(ev.compare_methods(two, "roc_auc")), matplotlib.figure.Figure
    )
    with pytest.raises(ValueError, match="available metrics"):
        ev.compare_methods(results, "accuracy")
    with pytest.raises(ValueError, match="at least 5"):
        ev.compare_methods(results[(results["seed"] == 0) & (results["fold"] < 2)], "roc_auc")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_higher_is_better_covers_every_metric_key():
    expected = {
        "roc_auc", "pr_auc", "f1", "top_decile_lift", "emp", "brier", "qwk", "macro_f1", "mae",
        "roc_auc_low", "mae_purchases", "rmse_purchases", "mae_spend", "rmse_spend",
        "spearman_spend", "top20_revenue_capture", "top20_revenue_capture_ratio",
        "aggregate_error_purchases", "silhouette", "davies_bouldin", "calinski_harabasz",
        "n_segments", "top_segment_revenue_share", "unassigned_share", "bootstrap_stability",
    }  # fmt: skip
    assert expected <= set(ev.HIGHER_IS_BETTER)
    assert all(isinstance(value, bool) for value in ev.HIGHER_IS_BETTER.values())
