import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from ecrm_methods.evaluation.stats import RESULT_COLUMNS, compare_methods
from ecrm_methods.plotting import plot_critical_difference, plot_pareto, plot_weekly_activity


def test_pareto_curve_marks_the_top_share():
    # 10 customers: one brings 91 of 100 revenue units -> top 20 % (2 customers) bring 92 %
    values = np.r_[91.0, np.ones(9)]
    ax = plot_pareto(values)
    curve = ax.lines[0]
    x, y = curve.get_data()
    assert x[0] == 0 and y[0] == 0 and y[-1] == pytest.approx(1.0)
    assert np.all(np.diff(y) >= 0)
    horizontal = [line for line in ax.lines if np.allclose(line.get_ydata(), line.get_ydata()[0])]
    assert any(np.isclose(line.get_ydata()[0], 0.92) for line in horizontal)
    plt.close("all")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "non-empty"),
        ([1.0, -2.0], "non-negative"),
        ([1.0, np.nan], "NaN"),
        ([0.0, 0.0], "sum to zero"),
    ],
)
def test_pareto_bad_input(values, message):
    with pytest.raises(ValueError, match=message):
        plot_pareto(values)


def test_pareto_rejects_bad_fraction():
    with pytest.raises(ValueError, match="top_fraction"):
        plot_pareto([1.0, 2.0], top_fraction=1.5)


def test_weekly_activity_counts_transactions_per_week():
    dates = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-09", "2024-01-10", "2024-01-11"])
    ax = plot_weekly_activity(pd.DataFrame({"date": dates}), "date", split_date="2024-01-05")
    assert list(ax.lines[0].get_ydata()) == [2, 3]
    plt.close("all")


def test_weekly_activity_names_a_missing_column():
    with pytest.raises(KeyError, match="when"):
        plot_weekly_activity(pd.DataFrame({"date": []}), "when")


def synthetic_results(n_seeds=3, n_folds=5, gap=0.05) -> pd.DataFrame:
    """The results table of test_stats.py: four methods with clearly separated ROC-AUC."""
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


def test_critical_difference_diagram_for_every_autorank_outcome():
    results = synthetic_results()
    ranking = compare_methods(results, "roc_auc", higher_is_better=True)
    forced = compare_methods(results, "roc_auc", force_mode="nonparametric")
    assert forced.omnibus == "friedman" and forced.posthoc == "nemenyi"
    figure = plot_critical_difference(forced)
    assert isinstance(figure, matplotlib.figure.Figure)
    assert isinstance(plot_critical_difference(ranking), matplotlib.figure.Figure)
    two = results[results["method"].isin(["good", "mid"])]
    assert isinstance(
        plot_critical_difference(compare_methods(two, "roc_auc")), matplotlib.figure.Figure
    )
    plt.close("all")
