"""Tests for ecrm_methods.evaluation.stats (summaries, leaderboards, method comparison) and
for the re-exports of the ecrm_methods.evaluation package."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ecrm_methods.evaluation.metrics import HIGHER_IS_BETTER
from ecrm_methods.evaluation.stats import (
    RESULT_COLUMNS,
    FamilyComparison,
    _holm,
    compare_families,
    compare_methods,
    corrected_resampled_t_interval,
    corrected_resampled_ttest,
    leaderboard_markdown,
    pairwise_corrected_ttests,
    summarize,
)

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
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def test_summarize_uses_the_corrected_resampled_t_interval():
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
    row = summarize(results).iloc[0]
    # J = 3 successful folds of k = 4 (the failed fold still counts as a fold): the variance
    # of the mean is (1/J + 1/(k-1)) s^2 = (1/3 + 1/3) * 1, not s^2 / J
    half = stats.t.ppf(0.975, 2) * np.sqrt(1 / 3 + 1 / 3)
    plain_half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert (row["mean"], row["std"], row["n"], row["n_failed"]) == (2.0, 1.0, 3, 1)
    assert row["interval"] == "corrected resampled t"
    assert row["ci_low"] == pytest.approx(2 - half)
    assert row["ci_high"] == pytest.approx(2 + half)
    assert row["ci_high"] - row["ci_low"] > 2 * plain_half * 1.4  # the plain interval is too narrow
    # k given explicitly
    given = summarize(results, n_folds=10).iloc[0]
    assert given["ci_high"] == pytest.approx(2 + stats.t.ppf(0.975, 2) * np.sqrt(1 / 3 + 1 / 9))
    assert list(summarize(results).columns) == [
        "problem", "dataset", "method", "family", "metric", "mean", "std", "n", "ci_low",
        "ci_high", "interval", "n_failed", "fit_seconds",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="n_folds"):
        summarize(results, n_folds=1)


def test_summarize_interval_does_not_shrink_with_more_seeds():
    # the same 5 fold scores repeated over more seeds: the plain t-interval would shrink like
    # 1 / sqrt(J); the corrected one keeps the 1 / (k - 1) term
    fold_scores = [0.70, 0.74, 0.78, 0.72, 0.76]

    def width(n_seeds):
        results = pd.DataFrame(
            [
                {
                    "problem": "p",
                    "dataset": "d",
                    "method": "m",
                    "seed": seed,
                    "fold": fold,
                    "metric": "roc_auc",
                    "value": value,
                }
                for seed in range(n_seeds)
                for fold, value in enumerate(fold_scores)
            ]  # fmt: skip
        )
        row = summarize(results).iloc[0]
        return row["ci_high"] - row["ci_low"]

    std = np.std(fold_scores * 20, ddof=1)
    assert width(20) == pytest.approx(
        2 * stats.t.ppf(0.975, 99) * np.sqrt((1 / 100 + 1 / 4) * std**2)
    )
    assert width(20) > 2 * stats.norm.ppf(0.975) * std * np.sqrt(1 / 4)  # never below this
    # 20 seeds instead of 1: the plain t-interval would shrink to about 0.15 of its width
    assert width(20) / width(1) > 0.4


def test_summarize_single_split_rows_use_bootstrap_bounds():
    cv_rows = [
        {"problem": "value", "dataset": "d", "split": "grouped", "method": "m", "seed": seed,
         "fold": fold, "metric": "mae_spend", "value": 1.0 + 0.1 * fold + 0.05 * seed,
         "boot_low": np.nan, "boot_high": np.nan}
        for seed in range(2) for fold in range(5)
    ]  # fmt: skip
    full_rows = [
        {"problem": "value", "dataset": "d", "split": "full", "method": "m", "seed": seed,
         "fold": 0, "metric": "mae_spend", "value": value, "boot_low": low, "boot_high": high}
        for seed, value, low, high in ((0, 1.0, 0.8, 1.3), (1, 1.2, 0.9, 1.5), (2, 1.1, 0.7, 1.4))
    ]  # fmt: skip
    results = pd.DataFrame(cv_rows + full_rows)
    summary = summarize(results).set_index("split")
    full = summary.loc["full"]
    assert full["interval"] == "bootstrap over rows"
    assert full["ci_low"] == pytest.approx(0.8)  # mean of the seeds' bounds
    assert full["ci_high"] == pytest.approx(1.4)
    assert full["mean"] == pytest.approx(1.1)
    assert summary.loc["grouped", "interval"] == "corrected resampled t"
    # a single split without bounds gets no interval (never a t-interval over seeds)
    no_bounds = summarize(results.drop(columns=["boot_low", "boot_high"])).set_index("split")
    assert no_bounds.loc["full", "interval"] == "none"
    assert np.isnan(no_bounds.loc["full", "ci_low"]) and np.isnan(no_bounds.loc["full", "ci_high"])
    # a failed seed's bounds are ignored; a row without a value never contributes bounds
    failed = results.copy()
    failed.loc[failed["split"].eq("full") & failed["seed"].eq(2), "value"] = np.nan
    row = summarize(failed).set_index("split").loc["full"]
    assert (row["ci_low"], row["ci_high"], row["n"], row["n_failed"]) == pytest.approx(
        (0.85, 1.4, 2, 1)
    )
    # one value and no fold structure: no interval
    single = summarize(results[results["split"].eq("full") & results["seed"].eq(0)].drop(
        columns=["boot_low", "boot_high"]))  # fmt: skip
    assert single["interval"].tolist() == ["none"]


# ---------------------------------------------------------------------------------------------
# corrected resampled t
# ---------------------------------------------------------------------------------------------


def test_corrected_resampled_t_interval_hand_computed():
    values = np.array([0.80, 0.82, 0.78, 0.81, 0.79, 0.83, 0.80, 0.77, 0.82, 0.78])
    low, high = corrected_resampled_t_interval(values, n_folds=5, n_repeats=2)
    half = stats.t.ppf(0.975, 9) * np.sqrt((1 / 10 + 1 / 4) * values.var(ddof=1))
    assert (low, high) == pytest.approx((values.mean() - half, values.mean() + half))
    low90, high90 = corrected_resampled_t_interval(values, 5, 2, 0.9)
    assert low < low90 < high90 < high
    ratio_low, _ = corrected_resampled_t_interval(values, 5, test_train_ratio=0.0)
    plain = stats.t.interval(0.95, 9, loc=values.mean(), scale=stats.sem(values))
    assert ratio_low == pytest.approx(plain[0])  # without the correction: the plain t-interval
    with pytest.raises(ValueError, match="n_repeats=3"):
        corrected_resampled_t_interval(values, 5, n_repeats=3)
    with pytest.raises(ValueError, match="n_folds"):
        corrected_resampled_t_interval(values, 1)
    with pytest.raises(ValueError, match="NaN"):
        corrected_resampled_t_interval([0.1, np.nan, 0.3], 3)
    with pytest.raises(ValueError, match="at least 2"):
        corrected_resampled_t_interval([0.1], 3)


def test_corrected_resampled_ttest_is_the_paired_t_with_the_corrected_variance():
    rng = np.random.default_rng(3)
    a = 0.8 + rng.normal(0, 0.02, 30)
    b = a - 0.01 + rng.normal(0, 0.01, 30)
    t, p, difference = corrected_resampled_ttest(a, b, n_folds=10, n_repeats=3)
    plain = stats.ttest_rel(a, b)
    # corrected t = plain t * sqrt((1/J) / (1/J + 1/(k-1)))
    assert t == pytest.approx(plain.statistic * np.sqrt((1 / 30) / (1 / 30 + 1 / 9)))
    assert p == pytest.approx(2 * stats.t.sf(abs(t), 29))
    assert p > plain.pvalue
    assert difference == pytest.approx(np.mean(a - b))
    # Series are paired by their (seed, fold) index, whatever the order; missing pairs drop
    index = pd.MultiIndex.from_product([range(3), range(10)], names=["seed", "fold"])
    series_a = pd.Series(a, index=index)
    series_b = pd.Series(b, index=index).iloc[::-1]
    assert corrected_resampled_ttest(series_a, series_b, 10) == pytest.approx((t, p, difference))
    series_b.iloc[0] = np.nan
    assert corrected_resampled_ttest(series_a, series_b, 10).mean_difference == pytest.approx(
        np.mean((a - b)[:-1])
    )
    # degenerate differences
    assert corrected_resampled_ttest([1, 2, 3], [1, 2, 3], 3) == (0.0, 1.0, 0.0)
    assert corrected_resampled_ttest([2, 3, 4], [1, 2, 3], 3) == (np.inf, 0.0, 1.0)
    with pytest.raises(ValueError, match="length mismatch"):
        corrected_resampled_ttest([1, 2, 3], [1, 2], 3)


def test_holm_adjustment_hand_computed():
    adjusted = _holm(np.array([0.01, 0.04, 0.03, 0.5]))
    # sorted 0.01, 0.03, 0.04, 0.5 -> 0.04, 0.09, max(0.09, 0.08), max(.., 0.5)
    assert adjusted == pytest.approx([0.04, 0.09, 0.09, 0.5])


def test_pairwise_corrected_ttests_pairs_by_seed_and_fold():
    results = synthetic_results()
    tests = pairwise_corrected_ttests(results, "roc_auc", "a")
    assert len(tests) == 6  # 4 methods
    good_weak = tests[(tests["method_a"] == "good") & (tests["method_b"] == "weak")].iloc[0]
    subset = results[(results["dataset"] == "a") & (results["metric"] == "roc_auc")]
    table = subset.pivot_table(index=["seed", "fold"], columns="method", values="value")
    expected = corrected_resampled_ttest(table["good"], table["weak"], 5, 3)
    assert (good_weak["t"], good_weak["p"], good_weak["mean_difference"]) == pytest.approx(
        tuple(expected)
    )
    assert good_weak["df"] == 14 and good_weak["n_pairs"] == 15
    assert tests["p"].is_monotonic_increasing
    assert (tests["p_holm"] >= tests["p"]).all()
    assert tests["p_holm"].to_numpy() == pytest.approx(_holm(tests["p"].to_numpy()))
    with_split = results.assign(split="grouped")
    pd.testing.assert_frame_equal(
        pairwise_corrected_ttests(with_split, "roc_auc", "a", "grouped"), tests
    )
    two_splits = pd.concat([with_split, results.assign(split="random")])
    with pytest.raises(ValueError, match="pass split="):
        pairwise_corrected_ttests(two_splits, "roc_auc", "a")
    with pytest.raises(ValueError, match="no folds to pair"):
        pairwise_corrected_ttests(results.assign(split="full"), "roc_auc", "a", "full")
    with pytest.raises(ValueError, match="no rows"):
        pairwise_corrected_ttests(results, "roc_auc", "zzz")


# ---------------------------------------------------------------------------------------------
# families across datasets
# ---------------------------------------------------------------------------------------------


def family_results(n_churn=4, n_value=4, with_sample=True) -> pd.DataFrame:
    """Family quality fixed; churn higher-is-better (roc_auc), value lower-is-better (mae)."""
    rng = np.random.default_rng(1)
    rows = []
    quality = {"neural": 2, "fuzzy": 1, "baseline": 0}
    datasets = [("churn", f"c{i}") for i in range(n_churn)]
    datasets += [("value", f"v{i}") for i in range(n_value)]
    if with_sample:
        datasets.append(("value", "cdnow-sample"))
    for problem, dataset in datasets:
        for family, level in quality.items():
            for variant in ("primary", "other"):
                method = f"{family}_{variant}_{problem}"
                # the non-primary variants score best everywhere: never picked by score
                level_used = level + (5 if variant == "other" else 0)
                for split in ("grouped", "random"):
                    for seed in range(2):
                        for fold in range(3):
                            noise = rng.normal(0, 0.001)
                            if problem == "churn":
                                metric, value = "roc_auc", 0.7 + 0.02 * level_used + noise
                            else:
                                metric, value = "mae_spend", 10 - level_used + noise
                            if split == "random":
                                value = 0.5 if problem == "churn" else 100.0
                            rows.append(
                                {"problem": problem, "dataset": dataset, "method": method,
                                 "family": family, "seed": seed, "fold": fold, "split": split,
                                 "metric": metric, "value": value}
                            )  # fmt: skip
    return pd.DataFrame(rows)


PRIMARY = {
    (problem, family): f"{family}_primary_{problem}"
    for problem in ("churn", "value")
    for family in ("neural", "fuzzy", "baseline")
}


def test_compare_families_ranks_within_blocks_of_datasets():
    results = family_results(n_churn=5, n_value=5)
    comparison = compare_families(
        results, {"churn": "roc_auc", "value": "mae_spend"}, None, PRIMARY
    )
    assert isinstance(comparison, FamilyComparison)
    # blocks: (problem, dataset) pairs, cdnow-sample not among them
    assert len(comparison.table) == 10
    assert "cdnow-sample" not in comparison.table.index.get_level_values("dataset")
    assert comparison.warning == ""
    # directions: neural is best in both problems although mae is lower-is-better
    assert (comparison.ranks["neural"] == 1).all() and (comparison.ranks["baseline"] == 3).all()
    rankdf = comparison.result.rankdf
    assert rankdf.index.tolist() == ["neural", "fuzzy", "baseline"]
    assert rankdf["meanrank"].tolist() == [1.0, 2.0, 3.0]
    assert comparison.result.omnibus == "friedman"
    assert comparison.result.pvalue < 0.001
    # block values are the means over seeds x folds of the primary method on the grouped split
    expected = results[
        (results["dataset"] == "c0")
        & (results["method"] == "fuzzy_primary_churn")
        & (results["split"] == "grouped")
    ]["value"].mean()
    assert comparison.table.loc[("churn", "c0"), "fuzzy"] == pytest.approx(expected)
    # explicit per-problem directions give the same ranks; a wrong direction flips them
    same = compare_families(
        results, {"churn": "roc_auc", "value": "mae_spend"},
        {"churn": True, "value": False}, PRIMARY,
    )  # fmt: skip
    pd.testing.assert_frame_equal(same.ranks, comparison.ranks)
    flipped = compare_families(results, {"churn": "roc_auc", "value": "mae_spend"}, True, PRIMARY)
    assert (flipped.ranks.loc["value", "neural"] == 3).all()
    # the random split is compared only when asked for
    random_split = compare_families(
        results, {"churn": "roc_auc", "value": "mae_spend"}, None, PRIMARY, split="random"
    )
    assert (random_split.table.loc["churn"] == 0.5).all().all()


def test_compare_families_warns_and_drops_with_few_blocks():
    results = family_results(n_churn=3, n_value=3)
    metrics = {"churn": "roc_auc", "value": "mae_spend"}
    comparison = compare_families(results, metrics, None, PRIMARY)
    assert len(comparison.table) == 6
    assert comparison.warning.startswith("with 6 blocks the Friedman test has little power")
    assert comparison.result is not None
    # including cdnow-sample would add a 7th, dependent block
    assert len(compare_families(results, metrics, None, PRIMARY, exclude_datasets=()).table) == 7
    few = compare_families(family_results(2, 2), metrics, None, PRIMARY)
    assert few.result is None and "no test is run" in few.warning
    # a block where a family has no value is dropped and reported
    missing = results[~((results["dataset"] == "c0") & (results["family"] == "fuzzy"))]
    dropped = compare_families(missing, metrics, None, PRIMARY)
    assert len(dropped.table) == 5 and dropped.dropped_blocks == [
        "churn/c0: no value for ['fuzzy']"
    ]
    with pytest.raises(ValueError, match="has no 'roc_auc' rows"):
        compare_families(results, metrics, None, {**PRIMARY, ("churn", "fuzzy"): "typo"})
    with pytest.raises(ValueError, match="belongs to the family"):
        compare_families(
            results, metrics, None, {**PRIMARY, ("churn", "fuzzy"): "neural_other_churn"}
        )
    with pytest.raises(ValueError, match="at least 2 families"):
        compare_families(results, "roc_auc", True, {("churn", "neural"): "neural_primary_churn"})
    with pytest.raises(TypeError, match="primary_methods"):
        compare_families(results, "roc_auc", True, {})


def test_leaderboard_orders_best_first_in_each_direction():
    text = leaderboard_markdown(synthetic_results(), HIGHER_IS_BETTER)
    section = text.split("\n## problem `churn` / dataset `a`")[1].split("\n## ")[0]
    auc_table = section.split("### roc_auc")[1]
    brier_table = section.split("### brier")[1].split("### ")[0]
    assert auc_table.index("| good |") < auc_table.index("| weak |")
    assert brier_table.index("| good |") < brier_table.index("| weak |")  # lower is better
    assert "lower is better" in brier_table.splitlines()[0]
    with pytest.raises(ValueError, match="lacks the columns"):
        leaderboard_markdown(synthetic_results().drop(columns="metric"), {})


def test_compare_methods_finds_the_best_method():
    results = synthetic_results()
    ranking = compare_methods(results, "roc_auc", higher_is_better=True)
    assert ranking.rankdf.index.tolist() == ["good", "mid", "poor", "weak"]
    assert ranking.rankdf["meanrank"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert ranking.pvalue < 0.01
    # location and interval are on the metric's own scale even though the ranking is flipped
    best = ranking.rankdf.iloc[0]
    location = best["mean"] if "mean" in ranking.rankdf else best["median"]
    assert best["ci_lower"] < location < best["ci_upper"]
    assert location == pytest.approx(0.85, abs=0.01)
    assert ranking.num_samples == 2 * 3 * 5
    lower = compare_methods(results, "brier", higher_is_better=False)
    assert lower.rankdf.index[0] == "good"
    forced = compare_methods(results, "roc_auc", force_mode="nonparametric")
    assert forced.omnibus == "friedman" and forced.posthoc == "nemenyi"
    # the diagrams of these results are tested in test_plotting.py
    with pytest.raises(ValueError, match="available metrics"):
        compare_methods(results, "accuracy")
    with pytest.raises(ValueError, match="at least 5"):
        compare_methods(results[(results["seed"] == 0) & (results["fold"] < 2)], "roc_auc")


# ---------------------------------------------------------------------------------------------
# the package
# ---------------------------------------------------------------------------------------------


def test_package_reexports_the_public_names_of_its_submodules():
    import ecrm_methods.evaluation as package
    from ecrm_methods.evaluation import metrics as metrics_module
    from ecrm_methods.evaluation import splits as splits_module
    from ecrm_methods.evaluation import stats as stats_module

    submodules = (metrics_module, splits_module, stats_module)
    names = [name for module in submodules for name in module.__all__]
    assert len(names) == len(set(names))  # each public name has one home
    assert sorted(package.__all__) == sorted(names)
    for module in submodules:
        for name in module.__all__:
            assert getattr(package, name) is getattr(module, name)
    # the benchmark still imports this private helper from the package
    assert package._format_number is stats_module._format_number
    # the critical-difference diagram lives in ecrm_methods.plotting now
    assert not hasattr(package, "plot_critical_difference")
