"""CLV models: BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma against the published CDNOW fits,
numerical integration, simulation and PyMC-Marketing; CLV, bootstrap intervals, forecasters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import check_param_validation

from ecrm_methods.clv import (
    BetaGeoMLE,
    BGNBDGammaGammaForecaster,
    MBGNBDGammaGammaForecaster,
    ModifiedBetaGeoMLE,
    ParetoNBDGammaGammaForecaster,
    ParetoNBDMLE,
    bgnbd_expected_purchases,
    bgnbd_expected_purchases_new_customer,
    bgnbd_log_likelihood,
    bgnbd_probability_alive,
    bootstrap_parameters,
    customer_lifetime_value,
    fit_bgnbd_mle,
    fit_gamma_gamma_mle,
    fit_mbgnbd_mle,
    fit_pareto_nbd_mle,
    gamma_gamma_expected_spend,
    mbgnbd_expected_purchases,
    mbgnbd_expected_purchases_new_customer,
    mbgnbd_log_likelihood,
    mbgnbd_probability_alive,
    pareto_nbd_expected_purchases,
    pareto_nbd_expected_purchases_new_customer,
    pareto_nbd_log_likelihood,
    pareto_nbd_probability_alive,
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


# --------------------------------------------------------------------------------------------
# Pareto/NBD and MBG/NBD, the common model API, CLV and bootstrap intervals
# --------------------------------------------------------------------------------------------

# Fader, Hardie & Lee (2005), Marketing Science 24(2): Pareto/NBD on the same CDNOW summary.
PUBLISHED_PARETO_NBD = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
PUBLISHED_PARETO_NBD_LL = -9595.0
# MBG/NBD on the CDNOW summary: no published fit; this is our MLE, equal to PyMC-Marketing's
# ModifiedBetaGeoModel MAP with flat priors to 1e-5 (test_mbgnbd_mle_agrees_with_pymc_map).
MBGNBD_CDNOW = {"r": 0.5248, "alpha": 6.183, "a": 0.8914, "b": 1.614}

MODELS = {
    "bgnbd": (BetaGeoMLE, PUBLISHED_BGNBD),
    "pareto_nbd": (ParetoNBDMLE, PUBLISHED_PARETO_NBD),
    "mbgnbd": (ModifiedBetaGeoMLE, MBGNBD_CDNOW),
}


def cdnow_model(name):
    cls, params = MODELS[name]
    return cls.from_params(params)


def simulate_btyd(model: str, params: dict, n: int, holdout: float, seed: int):
    """Customers drawn from the model's own story, observed for T ~ U(27, 39) and a holdout.

    Returns frequency, recency, T, the holdout repeat purchases and whether each customer is
    alive at T. BG/NBD and MBG/NBD: Poisson purchasing at rate lambda ~ Gamma(r, alpha) and
    dropout with probability p ~ Beta(a, b) after every repeat purchase (MBG/NBD: also right
    after the first purchase), so the number of repeat purchases a customer lives to make is
    geometric. Pareto/NBD: Poisson purchasing until an exponential lifetime, mu ~ Gamma(s,
    beta). Given n purchases in (0, u], the k-th purchase time is u * Beta(k, n - k + 1).
    """
    rng = np.random.default_rng(seed)
    T = rng.uniform(27.0, 39.0, n)
    rate = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    if model == "pareto_nbd":
        lifetime = rng.exponential(1.0 / rng.gamma(params["s"], 1.0 / params["beta"], n))
        active = np.minimum(lifetime, T)
        frequency = rng.poisson(rate * active)
        later = np.clip(np.minimum(lifetime, T + holdout) - T, 0.0, None)
        holdout_purchases = rng.poisson(rate * later)
        alive = lifetime > T
        last = active * rng.beta(np.maximum(frequency, 1), 1.0)
    else:
        p = rng.beta(params["a"], params["b"], n)
        allowed = rng.geometric(p) - (1 if model == "mbgnbd" else 0)  # repeats before dropout
        arrivals = rng.poisson(rate * T)
        arrivals_after = arrivals + rng.poisson(rate * holdout)
        frequency = np.minimum(allowed, arrivals)
        holdout_purchases = np.minimum(allowed, arrivals_after) - frequency
        alive = allowed > arrivals
        last = T * rng.beta(np.maximum(frequency, 1), np.maximum(arrivals - frequency, 0) + 1.0)
    recency = np.where(frequency > 0, last, 0.0)
    return frequency.astype(float), recency, T, holdout_purchases.astype(float), alive


def test_pareto_nbd_mle_reproduces_published_cdnow_fit(cdnow_calibration):
    X = cdnow_calibration
    model = ParetoNBDMLE().fit(X["frequency"], X["recency"], X["T"])
    for name, published in PUBLISHED_PARETO_NBD.items():
        assert model.params_[name] == pytest.approx(published, rel=1e-3), name
        assert f"{model.params_[name]:.3g}" == f"{published:.3g}", name
    assert model.log_likelihood_ == pytest.approx(PUBLISHED_PARETO_NBD_LL, abs=0.5)
    assert model.log_likelihood(X["frequency"], X["recency"], X["T"]).sum() == pytest.approx(
        model.log_likelihood_
    )
    # a maximum: moving any parameter by 2 % lowers the likelihood
    for name in PUBLISHED_PARETO_NBD:
        for factor in (0.98, 1.02):
            moved = {**model.params_, name: model.params_[name] * factor}
            total = pareto_nbd_log_likelihood(moved, X["frequency"], X["recency"], X["T"]).sum()
            assert total < model.log_likelihood_, (name, factor)


def _pareto_nbd_likelihood_over_lifetime(params, x, t_x, T):
    """The note's integral over the death time tau, by quadrature (no hypergeometric function).

    L = Gamma(r + x) alpha^r beta^s / Gamma(r) [(alpha + T)^-(r + x) (beta + T)^-s
        + s * int_{t_x}^{T} (alpha + tau)^-(r + x) (beta + tau)^-(s + 1) dtau]
    """
    from scipy.integrate import quad
    from scipy.special import gammaln

    r, alpha, s, beta = (params[k] for k in ("r", "alpha", "s", "beta"))
    integral, _ = quad(
        lambda tau: (alpha + tau) ** -(r + x) * (beta + tau) ** -(s + 1),
        t_x,
        T,
        epsabs=0,  # the integrals are tiny for frequent buyers: a relative tolerance only
        epsrel=1e-12,
        limit=200,
    )
    constant = np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta))
    return constant * ((alpha + T) ** -(r + x) * (beta + T) ** -s + s * integral)


def _pareto_nbd_likelihood_over_rates(params, x, t_x, T):
    """Direct double integral of the individual likelihood over lambda ~ Gamma(r, alpha) and
    mu ~ Gamma(s, beta) (Schmittlein et al.'s definition of the model)."""
    from scipy.integrate import dblquad
    from scipy.special import gammaln

    r, alpha, s, beta = (params[k] for k in ("r", "alpha", "s", "beta"))

    def log_gamma_pdf(value, shape, rate):
        return (shape - 1) * np.log(value) - rate * value + shape * np.log(rate) - gammaln(shape)

    def integrand(mu, lam):
        individual = lam**x * mu / (lam + mu) * np.exp(-(lam + mu) * t_x) + lam ** (x + 1) / (
            lam + mu
        ) * np.exp(-(lam + mu) * T)
        return individual * np.exp(log_gamma_pdf(lam, r, alpha) + log_gamma_pdf(mu, s, beta))

    value, _ = dblquad(integrand, 0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-8)
    return value


@pytest.mark.parametrize(
    ("params", "over_rates"),
    [
        (PUBLISHED_PARETO_NBD, True),  # alpha < beta
        ({"r": 0.553, "alpha": 30.0, "s": 0.606, "beta": 2.0}, True),  # alpha >= beta
        ({"r": 1.7, "alpha": 4.0, "s": 2.5, "beta": 4.0}, False),  # alpha = beta, z = 0
        ({"r": 0.3, "alpha": 0.5, "s": 0.2, "beta": 400.0}, False),  # alpha << beta, z near 1
    ],
    ids=["cdnow", "alpha>beta", "alpha=beta", "alpha<<beta"],
)
def test_pareto_nbd_likelihood_matches_numerical_integration(params, over_rates):
    customers = [(0, 0.0, 38.4), (1, 1.7, 38.9), (2, 30.4, 38.9), (7, 35.0, 36.0), (25, 5.0, 39.0)]
    x, t_x, T = (np.array(column, dtype=float) for column in zip(*customers, strict=True))
    closed_form = np.exp(pareto_nbd_log_likelihood(params, x, t_x, T))
    by_lifetime = [_pareto_nbd_likelihood_over_lifetime(params, *c) for c in customers]
    np.testing.assert_allclose(closed_form, by_lifetime, rtol=1e-7)
    # the model's definition itself, for two customers (a double integral takes about a second)
    if over_rates:
        for i in (0, 2):
            assert closed_form[i] == pytest.approx(
                _pareto_nbd_likelihood_over_rates(params, *customers[i]), rel=1e-7
            )


def test_mbgnbd_mle_recovers_simulated_parameters():
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}
    x, t_x, T, _, _ = simulate_btyd("mbgnbd", truth, 6000, holdout=0.0, seed=1)
    model = ModifiedBetaGeoMLE().fit(x, t_x, T)
    # the truth passes a likelihood-ratio test against the MLE (chi2 with 4 df, 99.9 %: 18.47)
    at_truth = mbgnbd_log_likelihood(truth, x, t_x, T).sum()
    assert 0 <= 2 * (model.log_likelihood_ - at_truth) < 18.47
    for name, value in truth.items():
        assert model.params_[name] == pytest.approx(value, rel=0.35), name
    # a BG/NBD fit to MBG/NBD data is worse: it cannot let one-off buyers drop out
    assert BetaGeoMLE().fit(x, t_x, T).log_likelihood_ < model.log_likelihood_


def test_mbgnbd_mle_on_cdnow(cdnow_calibration):
    X = cdnow_calibration
    model = ModifiedBetaGeoMLE().fit(X["frequency"], X["recency"], X["T"])
    for name, value in MBGNBD_CDNOW.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-3), name
    assert model.log_likelihood_ == pytest.approx(-9582.14, abs=0.01)


@pytest.mark.parametrize("name", list(MODELS))
def test_conditional_expectations_match_simulation(name):
    """E[Y(t) | history], P(alive) and E[X(t)] agree with customers simulated from the model."""
    model = cdnow_model(name)
    x, t_x, T, holdout, alive = simulate_btyd(name, model.params_, 40000, holdout=39.0, seed=2)
    expected = model.expected_purchases(39.0, x, t_x, T)
    assert expected.sum() == pytest.approx(holdout.sum(), rel=0.04)
    repeaters = x > 0  # the conditioning matters most for them
    assert expected[repeaters].sum() == pytest.approx(holdout[repeaters].sum(), rel=0.05)
    p_alive = model.probability_alive(x, t_x, T)
    assert p_alive.mean() == pytest.approx(alive.mean(), abs=0.01)
    assert p_alive[repeaters].mean() == pytest.approx(alive[repeaters].mean(), abs=0.015)
    # a new customer's expected repeat purchases by age T: the mean frequency at T = 39
    x39, *_ = simulate_btyd(name, model.params_, 40000, holdout=0.0, seed=3)
    assert model.expected_purchases_new_customer(33.0) == pytest.approx(x39.mean(), rel=0.04)
    assert model.expected_purchases_new_customer(0.0) == 0.0


@pytest.mark.parametrize("name", list(MODELS))
def test_expectations_grow_with_recency_and_frequency(name):
    model = cdnow_model(name)
    T = 39.0
    recency = np.linspace(1.0, T, 12)
    for frequency in (1, 4, 10):
        x = np.full(recency.size, frequency)
        for quantity in (
            model.probability_alive(x, recency, np.full(recency.size, T)),
            model.expected_purchases(39.0, x, recency, np.full(recency.size, T)),
        ):
            assert np.all(np.diff(quantity) > 0), (name, frequency)
    frequency = np.arange(1, 15)
    at_T = np.full(frequency.size, T)
    assert np.all(np.diff(model.probability_alive(frequency, at_T, at_T)) >= -1e-12)
    assert np.all(np.diff(model.expected_purchases(39.0, frequency, at_T, at_T)) > 0)
    # over the horizon: more purchases later, none in no time
    horizons = model.expected_purchases([0.0, 10.0, 39.0, 100.0], [3] * 4, [20.0] * 4, [T] * 4)
    assert horizons[0] == 0 and np.all(np.diff(horizons) > 0)


def test_probability_alive_without_repeat_purchases():
    # BG/NBD: no repeat purchase, no chance to drop out
    bgnbd = cdnow_model("bgnbd")
    assert np.all(bgnbd.probability_alive([0, 0, 0], [0.0, 0.0, 0.0], [1.0, 20.0, 78.0]) == 1.0)
    assert np.all(bgnbd_probability_alive(PUBLISHED_BGNBD, [0], [0.0], [39.0]) == 1.0)
    # MBG/NBD and Pareto/NBD: silent customers fade, the longer the silence the more
    for name in ("mbgnbd", "pareto_nbd"):
        p = cdnow_model(name).probability_alive([0, 0, 0], [0.0] * 3, [1.0, 20.0, 78.0])
        assert np.all(p < 1) and np.all(np.diff(p) < 0), name


@pytest.mark.parametrize("name", list(MODELS))
def test_frequent_buyer_gone_quiet_is_worth_less_than_a_recent_one(name):
    """Fader, Hardie & Lee's iso-value curves: recency can outweigh frequency."""
    model = cdnow_model(name)
    customers = pd.DataFrame(
        {
            "frequency": [10, 3, 3],
            "recency": [8.0, 38.0, 8.0],
            "T": [39.0, 39.0, 39.0],
            "monetary_value": [40.0, 40.0, 40.0],
        },
        index=["frequent, quiet since week 8", "recent", "infrequent, quiet"],
    )
    value = customer_lifetime_value(
        model,
        customers,
        future_t=12,
        discount_rate=0.01,
        time_unit="W",
        gamma_gamma_params=PUBLISHED_GAMMA_GAMMA,
    )
    assert list(value.index) == list(customers.index) and value.name == "clv"
    assert value["frequent, quiet since week 8"] < value["recent"]
    assert value["infrequent, quiet"] < value["recent"]


def test_customer_lifetime_value_by_hand():
    model = cdnow_model("bgnbd")
    data = pd.DataFrame(
        {"frequency": [0, 2], "recency": [0.0, 30.43], "T": [38.86, 38.86], "future_spend": 50.0}
    )
    x, t_x, T = data["frequency"], data["recency"], data["T"]
    one_month = customer_lifetime_value(model, data, future_t=1, discount_rate=0.1, time_unit="W")
    by_hand = model.expected_purchases(4.345, x, t_x, T) * 50.0 / 1.1
    np.testing.assert_allclose(one_month, by_hand)
    # undiscounted: the monthly increments add up to the 12-month expectation
    year = customer_lifetime_value(model, data, future_t=12, time_unit="W")
    np.testing.assert_allclose(year, model.expected_purchases(12 * 4.345, x, t_x, T) * 50.0)
    discounted = customer_lifetime_value(model, data, 12, discount_rate=0.02, time_unit="W")
    assert np.all(discounted < year)
    # days: the same horizon in 30-day months on a model fitted in days
    daily = BetaGeoMLE.from_params({**PUBLISHED_BGNBD, "alpha": PUBLISHED_BGNBD["alpha"] * 7})
    in_days = data.assign(recency=data["recency"] * 7, T=data["T"] * 7)
    np.testing.assert_allclose(
        customer_lifetime_value(daily, in_days, 1, time_unit="D"),
        daily.expected_purchases(30.0, x, t_x * 7, T * 7) * 50.0,
    )
    # Gamma-Gamma spend: the population mean for customers without repeat purchases
    spend = data.drop(columns="future_spend").assign(monetary_value=[0.0, 30.0])
    with_gg = customer_lifetime_value(
        model, spend, 1, time_unit="W", gamma_gamma_params=PUBLISHED_GAMMA_GAMMA
    )
    expected_spend = gamma_gamma_expected_spend(PUBLISHED_GAMMA_GAMMA, [0, 2], [0.0, 30.0])
    np.testing.assert_allclose(with_gg, model.expected_purchases(4.345, x, t_x, T) * expected_spend)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_unit": "fortnight"}, "`time_unit` must be one of"),
        ({"future_t": 0}, r"`future_t` \(months\) must be an integer >= 1, got 0"),
        ({"future_t": 2.5}, "`future_t`"),
        ({"discount_rate": -0.1}, r"`discount_rate` \(per month\).*got -0.1"),
        ({"data": pd.DataFrame({"frequency": [1], "recency": [2.0], "T": [5.0]})}, "future_spend"),
        (
            {
                "data": pd.DataFrame(
                    {"frequency": [0], "recency": [3.0], "T": [5.0], "future_spend": 1}
                )
            },
            r"frequency=0 and recency=3.0",
        ),
        ({"gamma_gamma_params": {"p": 6.25, "q": 0.9, "gamma": 15.4}}, "q=0.9 <= 1"),
    ],
)
def test_customer_lifetime_value_rejects_bad_input(change, message):
    arguments = {
        "transaction_model": cdnow_model("pareto_nbd"),
        "data": pd.DataFrame(
            {"frequency": [1], "recency": [2.0], "T": [5.0], "future_spend": [10.0]}
        ),
        "future_t": 12,
        "discount_rate": 0.01,
        "time_unit": "W",
    }
    arguments.update(change)
    if "gamma_gamma_params" in change:
        arguments["data"] = arguments["data"].assign(monetary_value=5.0)
    with pytest.raises(ValueError, match=message):
        customer_lifetime_value(**arguments)
    with pytest.raises(TypeError, match="BetaGeoMLE, ParetoNBDMLE or ModifiedBetaGeoMLE"):
        customer_lifetime_value(PUBLISHED_BGNBD, arguments["data"], time_unit="W")


FUNCTIONS = {
    "bgnbd": (bgnbd_log_likelihood, bgnbd_expected_purchases, bgnbd_probability_alive),
    "pareto_nbd": (
        pareto_nbd_log_likelihood,
        pareto_nbd_expected_purchases,
        pareto_nbd_probability_alive,
    ),
    "mbgnbd": (mbgnbd_log_likelihood, mbgnbd_expected_purchases, mbgnbd_probability_alive),
}


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([1, 2], [5.0, 40.0], [10.0, 30.0], r"`recency` exceeds `T`.*position 1.*recency=40.0"),
        ([0, 2], [3.0, 4.0], [10.0, 30.0], r"frequency=0 and recency=3.0"),
        ([-1, 2], [0.0, 4.0], [10.0, 30.0], r"`frequency` contains negative values \(min -1.0"),
        ([1, 2], [-2.0, 4.0], [10.0, 30.0], r"`recency` contains negative values \(min -2.0"),
        ([1, 2], [1.0, 4.0], [np.nan, 30.0], r"`T` contains NaN"),
        ([1, 2], [1.0], [10.0, 30.0], "same length"),
        ([], [], [], "`frequency` is empty"),
    ],
)
def test_models_reject_bad_summaries(name, frequency, recency, T, message):
    cls, params = MODELS[name]
    log_likelihood, expected, alive = FUNCTIONS[name]
    with pytest.raises(ValueError, match=message):
        cls().fit(frequency, recency, T)
    with pytest.raises(ValueError, match=message):
        log_likelihood(params, frequency, recency, T)
    with pytest.raises(ValueError, match=message):
        expected(params, 39.0, frequency, recency, T)
    with pytest.raises(ValueError, match=message):
        alive(params, frequency, recency, T)


@pytest.mark.parametrize("name", list(MODELS))
def test_model_api_errors(name):
    cls, params = MODELS[name]
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match=f"This {cls.__name__} has no parameters yet"):
        cls().probability_alive([1], [1.0], [2.0])
    with pytest.raises(ValueError, match=r"parameters \['alpha'\] missing"):
        cls.from_params({k: v for k, v in params.items() if k != "alpha"})
    with pytest.raises(ValueError, match="must be positive and finite"):
        cls.from_params({**params, "r": -1.0})
    with pytest.raises(ValueError, match="`t` .* must be finite and >= 0"):
        cls.from_params(params).expected_purchases(-1.0, [1], [1.0], [2.0])
    assert repr(cls.from_params(params)).startswith(f"{cls.__name__}(r=")


def test_function_and_object_api_agree(cdnow_calibration):
    X = cdnow_calibration.iloc[:200]
    x, t_x, T = X["frequency"], X["recency"], X["T"]
    model = BetaGeoMLE.from_params(PUBLISHED_BGNBD)
    np.testing.assert_array_equal(
        model.expected_purchases(39, x, t_x, T),
        bgnbd_expected_purchases(PUBLISHED_BGNBD, 39, x, t_x, T),
    )
    np.testing.assert_array_equal(
        model.expected_purchases_new_customer([1.0, 39.0]),
        bgnbd_expected_purchases_new_customer(PUBLISHED_BGNBD, [1.0, 39.0]),
    )
    pareto = ParetoNBDMLE.from_params(PUBLISHED_PARETO_NBD)
    np.testing.assert_array_equal(
        pareto.expected_purchases_new_customer(39.0),
        pareto_nbd_expected_purchases_new_customer(PUBLISHED_PARETO_NBD, 39.0),
    )
    mbg = ModifiedBetaGeoMLE.from_params(MBGNBD_CDNOW)
    np.testing.assert_array_equal(
        mbg.expected_purchases_new_customer(39.0),
        mbgnbd_expected_purchases_new_customer(MBGNBD_CDNOW, 39.0),
    )
    fitted = fit_pareto_nbd_mle(x, t_x, T, initial=PUBLISHED_PARETO_NBD, polish=False)
    assert set(fitted) == {"r", "alpha", "s", "beta", "log_likelihood", "converged"}
    assert fit_mbgnbd_mle(x, t_x, T, polish=False)["converged"]


@pytest.mark.parametrize("name", list(MODELS))
def test_bootstrap_intervals_are_seeded_and_cover_the_estimate(name, cdnow_calibration, capsys):
    X = cdnow_calibration
    x, t_x, T = X["frequency"], X["recency"], X["T"]
    cls, params = MODELS[name]
    model = cls.from_params(params)  # the CDNOW MLE (to 3-4 digits): no refit needed here
    intervals = model.bootstrap(x, t_x, T, n_bootstrap=8, random_state=0, verbose=0)
    assert capsys.readouterr().err == ""  # verbose=0: no progress bar
    assert list(intervals.index) == list(cls._parameter_names)
    assert list(intervals.columns) == ["estimate", "std_error", "lower", "upper"]
    assert np.all(intervals["lower"] < intervals["upper"])
    assert np.all(intervals["std_error"] > 0)
    # the estimates sit inside the percentile intervals, and the intervals are not degenerate
    assert np.all(intervals["lower"] <= intervals["estimate"] * 1.05)
    assert np.all(intervals["estimate"] <= intervals["upper"] * 1.05)
    assert model.bootstrap_draws_.shape == (8, len(cls._parameter_names) + 2)
    again = bootstrap_parameters(model, x, t_x, T, n_bootstrap=3, random_state=0, verbose=0)
    first_three = model.bootstrap_draws_.iloc[:3][list(cls._parameter_names)]
    assert first_three.quantile(0.025).to_numpy() == pytest.approx(again["lower"].to_numpy())


def test_bootstrap_rejects_bad_settings(cdnow_calibration):
    X = cdnow_calibration.iloc[:50]
    model = cdnow_model("bgnbd")
    with pytest.raises(ValueError, match="`n_bootstrap` must be an integer >= 2, got 1"):
        model.bootstrap(X["frequency"], X["recency"], X["T"], n_bootstrap=1)
    with pytest.raises(ValueError, match=r"`confidence` must be in \(0, 1\), got 95"):
        model.bootstrap(X["frequency"], X["recency"], X["T"], confidence=95)
    with pytest.raises(TypeError, match="`model` must be a BetaGeoMLE"):
        bootstrap_parameters(PUBLISHED_BGNBD, X["frequency"], X["recency"], X["T"])


FORECASTERS = {
    "pareto_nbd": (ParetoNBDGammaGammaForecaster, "pareto_nbd_params_", PUBLISHED_PARETO_NBD),
    "mbgnbd": (MBGNBDGammaGammaForecaster, "mbgnbd_params_", MBGNBD_CDNOW),
}


@pytest.mark.parametrize("name", list(FORECASTERS))
def test_new_forecasters_predict_holdout_on_cdnow(name):
    cls, attribute, params = FORECASTERS[name]
    data = load_problem("value", "cdnow-sample")
    model = cls(holdout_length=data.holdout_length).fit(data.X, data.y)
    prediction = model.predict(data.X)
    assert prediction.shape == (len(data.X), 2) and np.all(prediction >= 0)
    for key, value in params.items():
        assert getattr(model, attribute)[key] == pytest.approx(value, rel=2e-3), key
    assert model.purchase_model_.params_["r"] == getattr(model, attribute)["r"]
    observed = data.y["test_frequency"].sum()
    assert abs(prediction[:, 0].sum() - observed) / observed < 0.2
    rank_correlation = pd.Series(prediction[:, 1]).corr(
        data.y["test_spend"].reset_index(drop=True), method="spearman"
    )
    assert rank_correlation > 0.3


@pytest.mark.parametrize("name", list(FORECASTERS))
def test_new_forecasters_reject_bad_input(name):
    cls = FORECASTERS[name][0]
    X = pd.DataFrame(
        {"frequency": [0.0, 2.0], "recency": [0.0, 10.0], "T": [20.0, 20.0], "monetary_value": 1}
    )
    with pytest.raises(ValueError, match="needs `holdout_length`.*got None"):
        cls().fit(X)
    with pytest.raises(InvalidParameterError, match=r"'holdout_length' parameter"):
        cls(holdout_length=-1).fit(X)
    with pytest.raises(ValueError, match=r"columns \['T'\] not found in X"):
        cls(holdout_length=5).fit(X.drop(columns="T"))
    with pytest.raises(ValueError, match="`recency` exceeds `T`"):
        cls(holdout_length=5).fit(X.assign(recency=[0.0, 30.0]))
    check_param_validation(cls.__name__, cls(holdout_length=5))


@pytest.mark.slow
def test_mbgnbd_mle_agrees_with_pymc_map(cdnow_calibration):
    """PyMC-Marketing's ModifiedBetaGeoModel, MAP with flat priors (= MLE), on CDNOW."""
    pytest.importorskip("pymc_marketing")
    import warnings

    from pymc_extras.prior import Prior
    from pymc_marketing.clv import ModifiedBetaGeoModel
    from pymc_marketing.clv.utils import customer_lifetime_value as pymc_clv

    X = cdnow_calibration
    rft = pd.DataFrame(
        {
            "customer_id": np.arange(len(X)),
            "frequency": X["frequency"].to_numpy(),
            "recency": X["recency"].to_numpy(),
            "T": X["T"].to_numpy(),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pymc = ModifiedBetaGeoModel(model_config={k: Prior("HalfFlat") for k in MBGNBD_CDNOW})
        pymc.fit(data=rft, method="map", progressbar=False)
        found = {k: float(pymc.fit_result[k].values.ravel()[0]) for k in MBGNBD_CDNOW}
        ours = ModifiedBetaGeoMLE().fit(X["frequency"], X["recency"], X["T"])
        for name in MBGNBD_CDNOW:
            assert ours.params_[name] == pytest.approx(found[name], rel=1e-3), name
        at_map = ModifiedBetaGeoMLE.from_params(found)
        assert at_map.log_likelihood(X["frequency"], X["recency"], X["T"]).sum() == (
            pytest.approx(ours.log_likelihood_, abs=1e-3)
        )
        # the predictions at the same parameters agree to rounding
        x, t_x, T = X["frequency"], X["recency"], X["T"]
        np.testing.assert_allclose(
            at_map.expected_purchases(39.0, x, t_x, T),
            pymc.expected_purchases(future_t=39).values.ravel(),
            rtol=1e-9,
        )
        np.testing.assert_allclose(
            at_map.probability_alive(x, t_x, T),
            pymc.expected_probability_alive().values.ravel(),
            rtol=1e-9,
        )
        spend = rft.assign(future_spend=np.linspace(10.0, 50.0, len(rft)))
        np.testing.assert_allclose(
            customer_lifetime_value(at_map, spend, 12, discount_rate=0.01, time_unit="W"),
            pymc_clv(pymc, spend, future_t=12, discount_rate=0.01, time_unit="W").values.ravel(),
            rtol=1e-8,
        )
