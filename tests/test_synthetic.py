"""Synthetic BG/NBD + Gamma-Gamma logs: shape, determinism, and the model recovered by refitting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chisquare

from ecrm_methods.clv import fit_bgnbd_mle, fit_gamma_gamma_mle
from ecrm_methods.features import rfm_summary
from ecrm_methods.synthetic import (
    BGNBD_PARAMETERS,
    CDNOW_PARAMETERS,
    bgnbd_expected_count_histogram,
    bgnbd_purchase_count_probability,
    bgnbd_standard_errors,
    fit_btyd_parameters,
    simulate_transactions,
    write_transactions_parquet,
)

HOURS_PER_WEEK = 24 * 7


def _weekly_summary(log: pd.DataFrame, freq: str = "s") -> pd.DataFrame:
    """BTYD summary in weeks. The log's times are to the second and second-long periods keep
    the model's counts exactly; coarser periods merge purchases made in the same period (hourly
    periods merge 0.1 % of the customers' counts, the heaviest buyers', which on a million
    customers moves alpha by half a standard error)."""
    per_week = {"h": HOURS_PER_WEEK, "s": HOURS_PER_WEEK * 3600, "D": 7}[freq]
    return rfm_summary(
        log,
        "customer_id",
        "date",
        "amount",
        observation_period_end=log.attrs["observation_period_end"],
        freq=freq,
        time_scaler=per_week,
    )


def test_log_is_tidy_and_usable_by_rfm_summary():
    log = simulate_transactions(2000, random_state=0)
    assert list(log.columns) == ["customer_id", "date", "amount"]
    assert log["customer_id"].dtype == np.int64
    assert log["date"].dtype == "datetime64[ns]"
    assert log["amount"].dtype == np.float64
    assert (log["amount"] > 0).all()
    assert log["customer_id"].nunique() == 2000
    assert log["customer_id"].is_monotonic_increasing
    start = pd.Timestamp(log.attrs["cohort_start"])
    end = pd.Timestamp(log.attrs["observation_period_end"])
    assert start == pd.Timestamp("1997-01-01")
    assert end == start + pd.Timedelta(weeks=78)
    assert log["date"].min() >= start
    assert log["date"].max() <= end
    first = log.groupby("customer_id")["date"].min()
    assert first.max() <= start + pd.Timedelta(weeks=12)  # acquired in the cohort window
    summary = _weekly_summary(log, freq="D")
    assert len(summary) == 2000
    assert (summary["recency"] <= summary["T"]).all()


def test_same_seed_same_log_and_the_global_rng_is_untouched():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it is untouched)
    first = simulate_transactions(500, random_state=42)
    second = simulate_transactions(500, random_state=42)
    other = simulate_transactions(500, random_state=43)
    pd.testing.assert_frame_equal(first, second)
    assert not first.equals(other)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    generator = np.random.default_rng(42)
    pd.testing.assert_frame_equal(simulate_transactions(500, random_state=generator), first)


def test_latent_draws_are_what_the_summary_counts():
    log, latent = simulate_transactions(5000, random_state=1, return_latent=True)
    summary = _weekly_summary(log, freq="s")
    np.testing.assert_array_equal(summary["customer_id"], latent["customer_id"])
    np.testing.assert_array_equal(summary["frequency"], latent["repeat_purchases"])
    # times are stored to the second: T agrees to one second (in weeks)
    np.testing.assert_allclose(summary["T"], latent["T"], atol=1.0 / (HOURS_PER_WEEK * 3600))
    assert (latent.loc[~latent["alive"], "repeat_purchases"] > 0).all()  # dropout follows a repeat


def test_other_time_units_and_windows():
    params = {**CDNOW_PARAMETERS, "r": 0.5, "alpha": 20.0}  # rates per day
    log = simulate_transactions(
        300,
        params,
        cohort_start="2020-03-01",
        cohort_length=30,
        observation_length=90,
        time_unit="D",
        first_customer_id=1000,
        random_state=2,
    )
    assert log["customer_id"].min() >= 1000
    assert pd.Timestamp(log.attrs["observation_period_end"]) == pd.Timestamp("2020-05-30")
    assert log["date"].max() <= pd.Timestamp("2020-05-30")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_customers": 0}, "n_customers"),
        ({"params": {"r": 1.0}}, "params lacks"),
        ({"params": {**CDNOW_PARAMETERS, "a": -1.0}}, "params\\['a'\\] must be > 0"),
        ({"cohort_length": 10, "observation_length": 5}, "observation_length=5"),
        ({"time_unit": "fortnight"}, "time_unit"),
        ({"cohort_start": "not a date"}, "cohort_start"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    arguments = {"n_customers": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        simulate_transactions(**arguments)


def test_purchase_count_probabilities_sum_to_one():
    t = np.array([0.0, 1.0, 39.0, 78.0, 500.0])
    total = sum(bgnbd_purchase_count_probability(CDNOW_PARAMETERS, t, x) for x in range(2000))
    np.testing.assert_allclose(total, 1.0, atol=1e-6)
    np.testing.assert_allclose(bgnbd_purchase_count_probability(CDNOW_PARAMETERS, 0.0, 0), 1.0)


def test_repeat_purchase_histogram_matches_the_model():
    """Chi-square of the simulated repeat-purchase histogram against the BG/NBD P(X(T) = x),
    at the true parameters (no degrees of freedom lost to fitting)."""
    summary = _weekly_summary(simulate_transactions(100_000, random_state=4))
    bins = 12  # 0..11 and 12+: every expected count is in the hundreds
    observed = np.bincount(np.minimum(summary["frequency"].astype(int), bins), minlength=bins + 1)
    expected = bgnbd_expected_count_histogram(CDNOW_PARAMETERS, summary["T"], bins)
    assert expected.min() > 100
    assert expected.sum() == pytest.approx(observed.sum())
    assert chisquare(observed, expected).pvalue > 0.001
    # the test has power: a model whose customers drop out half as fast is rejected
    wrong = {**CDNOW_PARAMETERS, "b": 2 * CDNOW_PARAMETERS["b"]}
    wrong_expected = bgnbd_expected_count_histogram(wrong, summary["T"], bins)
    assert chisquare(observed, wrong_expected).pvalue < 1e-6


def _refit(n_customers: int, seed: int):
    log = simulate_transactions(n_customers, random_state=seed)
    summary = _weekly_summary(log)
    fitted = fit_bgnbd_mle(summary["frequency"], summary["recency"], summary["T"])
    errors = bgnbd_standard_errors(fitted, summary["frequency"], summary["recency"], summary["T"])
    return summary, fitted, errors


def test_refit_recovers_the_parameters_within_three_standard_errors():
    _, fitted, errors = _refit(20_000, seed=5)
    assert fitted["converged"]
    for name in BGNBD_PARAMETERS:
        z = (fitted[name] - CDNOW_PARAMETERS[name]) / errors[name]
        assert abs(z) < 3, (name, fitted[name], errors[name])
    covariance = errors["covariance"]
    assert covariance.shape == (4, 4)
    np.testing.assert_allclose(covariance, covariance.T)


def test_standard_errors_refuse_a_point_that_is_not_a_maximum():
    summary = _weekly_summary(simulate_transactions(2000, random_state=6))
    far = {"r": 5.0, "alpha": 0.1, "a": 0.05, "b": 50.0}
    with pytest.raises(ValueError, match="not negative definite"):
        bgnbd_standard_errors(far, summary["frequency"], summary["recency"], summary["T"])


@pytest.mark.slow
def test_one_million_customers_refit_within_5_percent_and_3_se():
    """Summarised by the second (no purchase merged), the refit is within 5 % and 3 standard
    errors: with seed 7, r +1.4, alpha +2.6, a -0.7, b -0.4 standard errors. Hourly periods
    merge the heaviest buyers' purchases and push alpha to +3.1 standard errors."""
    log = simulate_transactions(1_000_000, random_state=7)
    summary = _weekly_summary(log)
    del log
    fitted = fit_bgnbd_mle(summary["frequency"], summary["recency"], summary["T"])
    errors = bgnbd_standard_errors(fitted, summary["frequency"], summary["recency"], summary["T"])
    for name in BGNBD_PARAMETERS:
        truth = CDNOW_PARAMETERS[name]
        assert fitted[name] == pytest.approx(truth, rel=0.05), name
        assert abs(fitted[name] - truth) < 3 * errors[name], (name, fitted[name], errors[name])
    spend = fit_gamma_gamma_mle(summary["frequency"], summary["monetary_value"])
    # the Gamma-Gamma mean spend p * gamma / (q - 1) is well identified even where p, q, gamma
    # trade off against each other
    mean_spend = spend["p"] * spend["gamma"] / (spend["q"] - 1)
    true_mean = CDNOW_PARAMETERS["p"] * CDNOW_PARAMETERS["gamma"] / (CDNOW_PARAMETERS["q"] - 1)
    assert mean_spend == pytest.approx(true_mean, rel=0.02)


def test_parameters_fitted_to_cdnow_drive_the_simulation():
    params = fit_btyd_parameters("cdnow-sample")
    for name in BGNBD_PARAMETERS:  # Fader, Hardie & Lee (2005) on the same customers
        assert params[name] == pytest.approx(CDNOW_PARAMETERS[name], rel=0.02)
    log = simulate_transactions(1000, params, random_state=8)
    assert log["customer_id"].nunique() == 1000


def test_parquet_writer_chunks_with_distinct_ids(tmp_path):
    path = tmp_path / "log.parquet"
    info = write_transactions_parquet(path, 2500, chunk_customers=1000, random_state=9)
    log = pd.read_parquet(path)
    assert info["n_rows"] == len(log)
    assert log["customer_id"].nunique() == 2500
    assert sorted(log["customer_id"].unique()) == list(range(1, 2501))
    assert log["date"].max() <= pd.Timestamp(info["attrs"]["observation_period_end"])
    again = write_transactions_parquet(
        tmp_path / "again.parquet", 2500, chunk_customers=1000, random_state=9
    )
    pd.testing.assert_frame_equal(pd.read_parquet(again["path"]), log)
