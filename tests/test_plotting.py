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


# --------------------------------------------------------------------------------------------
# Customer-value (BTYD) model plots on the CDNOW sample
# --------------------------------------------------------------------------------------------

CDNOW_CALIBRATION_END = "1997-09-30"


@pytest.fixture(scope="module")
def cdnow_sample_log():
    from ecrm_methods.datasets import load_cdnow

    return load_cdnow(sample=True)


@pytest.fixture(scope="module")
def btyd_models():
    """The published CDNOW fits (Fader, Hardie & Lee 2005) and our MBG/NBD MLE: no fitting."""
    from ecrm_methods.clv import BetaGeoMLE, ModifiedBetaGeoMLE, ParetoNBDMLE

    return {
        "BG/NBD": BetaGeoMLE.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}),
        "Pareto/NBD": ParetoNBDMLE.from_params(
            {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
        ),
        "MBG/NBD": ModifiedBetaGeoMLE.from_params(
            {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
        ),
    }


def test_tracking_plot_actual_against_expected(cdnow_sample_log, btyd_models):
    from ecrm_methods.plotting import plot_tracking

    model = btyd_models["BG/NBD"]
    ax = plot_tracking(model, cdnow_sample_log, calibration_end=CDNOW_CALIBRATION_END)
    actual, expected = ax.lines[0], ax.lines[1]
    assert actual.get_label() == "actual" and "BG/NBD" in expected.get_label()
    assert ax.get_xlabel() == "date" and ax.get_ylabel() == "repeat transactions per week"
    # 78 weeks from 1997-01-01 to 1998-06-30; repeat purchases = customer-days after the first
    days = cdnow_sample_log[["customer_id", "date"]].drop_duplicates()
    repeats = len(days) - days["customer_id"].nunique()
    assert len(actual.get_xdata()) == 78
    assert actual.get_ydata().sum() == repeats
    # the model tracks the actual total to within 10 % (Fader, Hardie & Lee's figure 2)
    assert expected.get_ydata().sum() == pytest.approx(repeats, rel=0.1)
    assert any(line.get_xdata()[0] == pd.Timestamp(CDNOW_CALIBRATION_END) for line in ax.lines[2:])
    cumulative = plot_tracking(
        btyd_models["Pareto/NBD"],
        cdnow_sample_log,
        calibration_end=CDNOW_CALIBRATION_END,
        cumulative=True,
    )
    assert np.all(np.diff(cumulative.lines[0].get_ydata()) >= 0)
    assert np.all(np.diff(cumulative.lines[1].get_ydata()) >= 0)
    assert cumulative.get_ylabel() == "cumulative repeat transactions"
    # from first purchase dates only: the expectation, the same curve
    first = cdnow_sample_log.groupby("customer_id")["date"].min()
    only_model = plot_tracking(
        model, first_purchases=first, calibration_end=CDNOW_CALIBRATION_END, end="1998-06-30"
    )
    assert len(only_model.lines) == 2  # the model and the calibration line
    np.testing.assert_allclose(only_model.lines[0].get_ydata(), expected.get_ydata())
    plt.close("all")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"calibration_end": "1997-09-30"}, ValueError, "either `transactions`"),
        ({"calibration_end": "not a date", "use_log": True}, ValueError, "not a date"),
        ({"calibration_end": "1990-01-01", "use_log": True}, ValueError, "no customer made a"),
        (
            {"calibration_end": "1997-09-30", "use_log": True, "datetime_col": "when"},
            KeyError,
            r"columns \['when'\] not in transactions",
        ),
        (
            {"calibration_end": "1997-09-30", "use_log": True, "time_unit": "fortnight"},
            ValueError,
            "time_unit='fortnight' is not a positive time unit",
        ),
        (
            {"calibration_end": "1997-09-30", "first_purchases": ["1997-01-01"]},
            ValueError,
            "`end` is required",
        ),
    ],
)
def test_tracking_plot_bad_input(cdnow_sample_log, btyd_models, arguments, error, message):
    from ecrm_methods.plotting import plot_tracking

    arguments = dict(arguments)
    log = cdnow_sample_log if arguments.pop("use_log", False) else None
    with pytest.raises(error, match=message):
        plot_tracking(btyd_models["BG/NBD"], log, **arguments)
    with pytest.raises(TypeError, match="BetaGeoMLE, ParetoNBDMLE or ModifiedBetaGeoMLE"):
        plot_tracking({"r": 1}, cdnow_sample_log, calibration_end="1997-09-30")
    plt.close("all")


def test_calibration_vs_holdout_plot(btyd_models):
    from ecrm_methods.plotting import plot_calibration_vs_holdout
    from ecrm_methods.problems import load_problem

    data = load_problem("value", "cdnow-sample")
    ax = plot_calibration_vs_holdout(
        data.X, data.y["test_frequency"], btyd_models, data.holdout_length
    )
    assert [line.get_label() for line in ax.lines] == ["actual", *btyd_models]
    assert [tick.get_text() for tick in ax.get_xticklabels()][-1] == "7+"
    assert ax.get_xlabel() and ax.get_ylabel()
    group = np.minimum(data.X["frequency"].to_numpy(), 7)
    actual = pd.Series(data.y["test_frequency"].to_numpy()).groupby(group).mean()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), actual.to_numpy())
    for line in ax.lines[1:]:  # every model is close to the actual group means
        np.testing.assert_allclose(line.get_ydata(), actual.to_numpy(), atol=0.6)
    # a single model and a fitted forecaster work too
    from ecrm_methods.clv import MBGNBDGammaGammaForecaster

    forecaster = MBGNBDGammaGammaForecaster(holdout_length=39.0)
    forecaster.purchase_model_ = btyd_models["MBG/NBD"]  # as fit() sets it, without fitting
    single = plot_calibration_vs_holdout(data.X, data.y["test_frequency"], forecaster, 39.0)
    assert [line.get_label() for line in single.lines] == ["actual", "ModifiedBetaGeoMLE"]
    with pytest.raises(ValueError, match="has 3 values for 2357 customers"):
        plot_calibration_vs_holdout(data.X, [0, 1, 2], btyd_models, 39.0)
    with pytest.raises(KeyError, match=r"columns \['T'\] not in summary"):
        plot_calibration_vs_holdout(data.X.drop(columns="T"), data.y["test_frequency"], {}, 39.0)
    with pytest.raises(ValueError, match="`models` is empty"):
        plot_calibration_vs_holdout(data.X, data.y["test_frequency"], {}, 39.0)
    with pytest.raises(ValueError, match="`holdout_length` must be a positive number"):
        plot_calibration_vs_holdout(data.X, data.y["test_frequency"], btyd_models, 0)
    with pytest.raises(ValueError, match=">= 0"):
        plot_calibration_vs_holdout(data.X, -data.y["test_frequency"], btyd_models, 39.0)
    plt.close("all")


def test_frequency_recency_matrix(btyd_models):
    from ecrm_methods.plotting import plot_frequency_recency_matrix

    ax = plot_frequency_recency_matrix(btyd_models["BG/NBD"], 39.0, max_frequency=10)
    matrix = ax.images[0].get_array()
    assert matrix.shape == (11, 40)
    assert matrix.mask[0, 1:].all() and not matrix.mask[0, 0]  # frequency 0, recency > 0
    assert matrix[0, 0] == 1.0  # BG/NBD: no repeat purchase, alive
    assert np.all(np.diff(matrix[5], axis=0) > 0)  # more recent, more alive
    assert ax.get_xlabel().startswith("recency") and ax.get_ylabel().startswith("frequency")
    assert len(ax.figure.axes) == 2  # the heatmap and its colorbar
    expected = plot_frequency_recency_matrix(
        btyd_models["Pareto/NBD"], 39.0, quantity="expected_purchases", t=39.0
    )
    values = expected.images[0].get_array()
    assert values[10, -1] > values[1, -1] > 0 and "expected purchases" in expected.get_title()
    with pytest.raises(ValueError, match="quantity='clv'"):
        plot_frequency_recency_matrix(btyd_models["BG/NBD"], 39.0, quantity="clv")
    with pytest.raises(ValueError, match=r"`T` \(customer age\) must be a positive number"):
        plot_frequency_recency_matrix(btyd_models["BG/NBD"], -1.0)
    with pytest.raises(ValueError, match="`max_frequency` must be an integer >= 1"):
        plot_frequency_recency_matrix(btyd_models["BG/NBD"], 39.0, max_frequency=0)
    plt.close("all")


def test_probability_alive_history(cdnow_sample_log, btyd_models):
    from ecrm_methods.plotting import plot_probability_alive_history

    # customer 4: purchases on 1997-01-01, 01-18, 08-02 and 12-12
    dates = cdnow_sample_log.loc[cdnow_sample_log["customer_id"] == 4, "date"]
    ax = plot_probability_alive_history(btyd_models["BG/NBD"], dates, end="1998-06-30")
    line = ax.lines[0]
    alive = line.get_ydata()
    assert len(alive) == (pd.Timestamp("1998-06-30") - pd.Timestamp("1997-01-01")).days + 1
    assert alive[0] == 1.0 and np.all((alive > 0) & (alive <= 1))
    x = pd.to_datetime(line.get_xdata())
    day_before = alive[x == pd.Timestamp("1997-08-01")][0]
    purchase_day = alive[x == pd.Timestamp("1997-08-02")][0]
    assert purchase_day > day_before  # P(alive) jumps at a purchase
    assert np.all(np.diff(alive[(x > "1997-08-02") & (x < "1997-12-12")]) < 0)  # then decays
    assert ax.get_ylabel() == "P(alive)" and ax.get_xlabel() == "date"
    assert sum(line.get_label() == "purchase" for line in ax.lines) == 1
    assert len(ax.lines) == 1 + 4  # the curve and one marker per purchase day
    with pytest.raises(ValueError, match="is before the first purchase 1997-01-01"):
        plot_probability_alive_history(btyd_models["BG/NBD"], dates, end="1996-12-01")
    with pytest.raises(ValueError, match="`purchase_dates` is empty"):
        plot_probability_alive_history(btyd_models["BG/NBD"], [], end="1998-06-30")
    with pytest.raises(ValueError, match="missing date at position 1"):
        plot_probability_alive_history(
            btyd_models["BG/NBD"], ["1997-01-01", None], end="1998-06-30"
        )
    plt.close("all")
