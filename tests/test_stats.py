"""Tests for ecrm_methods.evaluation.stats (summaries, leaderboards, method comparison) and
for the re-exports of the ecrm_methods.evaluation package."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ecrm_methods.evaluation.metrics import HIGHER_IS_BETTER
from ecrm_methods.evaluation.stats import (
    RESULT_COLUMNS,
    compare_methods,
    leaderboard_markdown,
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
    row = summarize(results).iloc[0]
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert (row["mean"], row["std"], row["n"], row["n_failed"]) == (2.0, 1.0, 3, 1)
    assert row["ci_low"] == pytest.approx(2 - half)
    assert row["ci_high"] == pytest.approx(2 + half)


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
