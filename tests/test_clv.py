"""CLV models: BG/NBD and Gamma-Gamma MLE against the published CDNOW fits, and the forecaster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import check_param_validation

from ecrm_methods.clv import (
    BGNBDGammaGammaForecaster,
    bgnbd_expected_purchases,
    bgnbd_log_likelihood,
    fit_bgnbd_mle,
    fit_gamma_gamma_mle,
    gamma_gamma_expected_spend,
)
from ecrm_methods.problems import load_problem

# Fader, Hardie & Lee (2005), Marketing Science 24(2): CDNOW sample, 39-week calibration.
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_BGNBD_LL = -9582.4
# Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42(4): Gamma-Gamma on the same customers.
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def cdnow_calibration() -> pd.DataFrame:
    """The CDNOW sample's 39-week calibration summary (weeks), as the value problem builds it."""
    return load_problem("value", "cdnow-sample").X


def test_bgnbd_mle_reproduces_published_cdnow_fit(cdnow_calibration):
    X = cdnow_calibration
    assert len(X) == 2357
    fitted = fit_bgnbd_mle(X["frequency"], X["recency"], X["T"])
    for name, published in PUBLISHED_BGNBD.items():
        assert fitted[name] == pytest.approx(published, rel=0.02), name
    assert fitted["log_likelihood"] == pytest.approx(PUBLISHED_BGNBD_LL, abs=0.5)
    total = bgnbd_log_likelihood(fitted, X["frequency"], X["recency"], X["T"]).sum()
    assert total == pytest.approx(fitted["log_likelihood"])


def test_bgnbd_mle_is_a_maximum(cdnow_calibration):
    X = cdnow_calibration
    fitted = fit_bgnbd_mle(X["frequency"], X["recency"], X["T"])
    best = fitted["log_likelihood"]
    for name in PUBLISHED_BGNBD:
        for factor in (0.9, 1.1):
            moved = {**fitted, name: fitted[name] * factor}
            assert bgnbd_log_likelihood(moved, X["frequency"], X["recency"], X["T"]).sum() < best


def test_gamma_gamma_mle_close_to_published_cdnow_fit(cdnow_calibration):
    X = cdnow_calibration
    fitted = fit_gamma_gamma_mle(X["frequency"], X["monetary_value"])
    assert fitted["n_customers"] == 946  # customers with a repeat purchase in calibration
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert fitted[name] == pytest.approx(published, rel=0.01), name


def test_bgnbd_conditional_expectation_matches_published_example():
    # FHL (2005): x = 2, t_x = 30.43, T = 38.86 weeks -> 1.226 purchases in the next 39 weeks.
    expected = bgnbd_expected_purchases(PUBLISHED_BGNBD, 39, [2], [30.43], [38.86])
    assert expected[0] == pytest.approx(1.226, abs=0.002)


def test_bgnbd_expectation_grows_with_horizon_and_is_zero_at_zero():
    params = PUBLISHED_BGNBD
    x, t_x, T = np.array([0, 1, 5]), np.array([0.0, 10.0, 30.0]), np.array([20.0, 30.0, 35.0])
    at_zero = bgnbd_expected_purchases(params, 0.0, x, t_x, T)
    assert np.allclose(at_zero, 0.0)
    short = bgnbd_expected_purchases(params, 10, x, t_x, T)
    long = bgnbd_expected_purchases(params, 50, x, t_x, T)
    assert np.all(long > short) and np.all(short > 0)
    # a customer silent for long is less likely to be alive: fewer expected purchases
    recent = bgnbd_expected_purchases(params, 39, [5], [34.0], [35.0])
    silent = bgnbd_expected_purchases(params, 39, [5], [5.0], [35.0])
    assert recent[0] > silent[0]


def test_gamma_gamma_expected_spend_by_hand():
    params = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    spend = gamma_gamma_expected_spend(params, [0, 3], [0.0, 40.0])
    population_mean = 6.25 * 15.44 / (3.74 - 1)
    assert spend[0] == pytest.approx(population_mean)
    assert spend[1] == pytest.approx(6.25 * (15.44 + 3 * 40.0) / (6.25 * 3 + 3.74 - 1))


def test_bgnbd_inputs_are_validated():
    with pytest.raises(ValueError, match="recency"):
        fit_bgnbd_mle([1, 2], [5.0, 40.0], [10.0, 30.0])
    with pytest.raises(ValueError, match="negative"):
        fit_bgnbd_mle([-1, 2], [0.0, 4.0], [10.0, 30.0])
    with pytest.raises(ValueError, match="same length"):
        fit_bgnbd_mle([1, 2], [1.0], [10.0, 30.0])
    with pytest.raises(ValueError, match="NaN"):
        fit_gamma_gamma_mle([1, np.nan], [3.0, 4.0])


def test_bgnbd_forecaster_predicts_holdout_on_cdnow(cdnow_calibration):
    data = load_problem("value", "cdnow-sample")
    model = BGNBDGammaGammaForecaster(holdout_length=data.holdout_length)
    prediction = model.fit(data.X, data.y).predict(data.X)
    assert prediction.shape == (len(data.X), 2)
    assert np.all(prediction >= 0)
    assert model.bgnbd_params_["r"] == pytest.approx(PUBLISHED_BGNBD["r"], rel=0.02)
    # the aggregate 39-week holdout forecast is within 15 % of the observed repeat purchases
    observed = data.y["test_frequency"].sum()
    assert abs(prediction[:, 0].sum() - observed) / observed < 0.15
    # spend forecasts rank customers better than chance
    rank_correlation = pd.Series(prediction[:, 1]).corr(
        data.y["test_spend"].reset_index(drop=True), method="spearman"
    )
    assert rank_correlation > 0.3


@pytest.mark.slow
def test_pymc_map_backend_agrees_with_mle(cdnow_calibration):
    pytest.importorskip("pymc_marketing")
    data = load_problem("value", "cdnow-sample")
    mle = BGNBDGammaGammaForecaster(holdout_length=39).fit(data.X)
    pymc = BGNBDGammaGammaForecaster(holdout_length=39, backend="pymc").fit(data.X)
    for name in PUBLISHED_BGNBD:
        assert pymc.bgnbd_params_[name] == pytest.approx(mle.bgnbd_params_[name], rel=0.01)
    for name in PUBLISHED_GAMMA_GAMMA:
        assert pymc.gamma_gamma_params_[name] == pytest.approx(
            mle.gamma_gamma_params_[name], rel=0.01
        )


def test_bgnbd_forecaster_rejects_bad_input():
    X = pd.DataFrame(
        {
            "frequency": [0.0, 2.0],
            "recency": [0.0, 10.0],
            "T": [20.0, 20.0],
            "monetary_value": [0.0, 30.0],
        }
    )
    with pytest.raises(
        ValueError, match="'backend' parameter of BGNBDGammaGammaForecaster must be a str among"
    ):
        BGNBDGammaGammaForecaster(holdout_length=5, backend="lifetimes").fit(X)
    with pytest.raises(ValueError, match="needs `holdout_length`.*got None"):
        BGNBDGammaGammaForecaster().fit(X)
    for bad in (0, -3.5, np.nan):
        with pytest.raises(
            InvalidParameterError, match=r"'holdout_length' parameter .* range \(0.0, inf\)"
        ):
            BGNBDGammaGammaForecaster(holdout_length=bad).fit(X)


def test_bgnbd_forecaster_parameter_constraints_cover_every_parameter():
    """scikit-learn's own check: a constraint per parameter, and its message on bad values."""
    check_param_validation("BGNBDGammaGammaForecaster", BGNBDGammaGammaForecaster(holdout_length=5))
