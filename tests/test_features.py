"""Tests for ecrm_methods.features: BTYD summaries, RFM scores/segments and value tiers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecrm_methods.datasets import is_available, load_cdnow
from ecrm_methods.features import (
    RFM_SEGMENT_GRID,
    pareto_curve,
    rfm_scores,
    rfm_segments,
    rfm_summary,
    rfm_table,
    rfm_train_test_split,
    top_share_of_revenue,
    value_tiers,
)

CALIBRATION_END = "1997-09-30"
HOLDOUT_END = "1998-06-30"

# Published BG/NBD input table for the CDNOW 1/10th sample (x, t_x, T in weeks; calibration
# 1997-01-01 .. 1997-09-30), rows copied from ``lifetimes/datasets/cdnow_customers.csv``
# (Davidson-Pilon, lifetimes, MIT licence; data from Fader, Hardie & Lee 2005,
# brucehardie.com/datasets). Columns: sample customer id, x, t_x, T. Customers 46, 61, 88, 148
# and 157 bought twice on one day: those rows only match when same-day purchases are merged.
PUBLISHED_CDNOW_ROWS = [
    (1, 2, 30.43, 38.86),
    (2, 1, 1.71, 38.86),
    (3, 0, 0.00, 38.86),
    (6, 7, 29.43, 38.86),
    (9, 2, 35.71, 38.86),
    (11, 5, 24.43, 38.86),
    (17, 10, 34.14, 38.86),
    (18, 1, 4.86, 38.86),
    (19, 3, 28.29, 38.71),
    (21, 2, 14.57, 38.71),
    (46, 12, 34.43, 38.57),
    (59, 1, 38.43, 38.43),
    (61, 4, 29.43, 38.43),
    (88, 10, 35.43, 38.29),
    (92, 6, 37.43, 38.29),
    (99, 4, 37.57, 38.29),
    (109, 1, 0.29, 38.14),
    (111, 1, 0.29, 38.14),
    (148, 13, 37.86, 38.00),
    (157, 29, 37.71, 38.00),
    (164, 10, 37.00, 37.86),
    (167, 13, 28.14, 37.86),
    (170, 1, 37.43, 37.86),
    (200, 2, 14.29, 37.57),
    (2260, 1, 9.00, 27.43),
    (2261, 4, 23.00, 27.43),
    (2262, 0, 0.00, 27.43),
    (2264, 2, 27.00, 27.43),
    (2280, 2, 20.71, 27.29),
    (2285, 6, 13.29, 27.29),
    (2294, 6, 21.14, 27.29),
    (2303, 7, 23.43, 27.14),
    (2305, 1, 24.43, 27.14),
    (2309, 1, 0.43, 27.14),
    (2312, 1, 25.86, 27.14),
    (2313, 5, 18.00, 27.14),
    (2332, 5, 13.00, 27.00),
    (2348, 7, 24.14, 27.00),
    (2354, 5, 24.29, 27.00),
    (2356, 4, 26.57, 27.00),
    (2357, 0, 0.00, 27.00),
]


# ---------------------------------------------------------------------------------------------
# CDNOW data: the package loader (CDNOW is embedded in the repository)
# ---------------------------------------------------------------------------------------------
def _read_cdnow(sample: bool) -> pd.DataFrame:
    if not is_available("cdnow"):
        pytest.skip("CDNOW is not available (see ecrm_methods.datasets)")
    return load_cdnow(sample=sample)


@pytest.fixture(scope="module")
def cdnow_sample() -> pd.DataFrame:
    return _read_cdnow(sample=True)


@pytest.fixture(scope="module")
def cdnow_master() -> pd.DataFrame:
    return _read_cdnow(sample=False)


@pytest.fixture(scope="module")
def cdnow_sample_calibration(cdnow_sample) -> pd.DataFrame:
    return rfm_summary(
        cdnow_sample,
        "sample_customer_id",
        "date",
        observation_period_end=CALIBRATION_END,
        freq="D",
        time_scaler=7,
    ).set_index("customer_id")


# ---------------------------------------------------------------------------------------------
# rfm_summary on CDNOW: the published tables
# ---------------------------------------------------------------------------------------------
def test_cdnow_sample_matches_published_bgnbd_table(cdnow_sample_calibration):
    summary = cdnow_sample_calibration
    assert len(summary) == 2357
    published = pd.DataFrame(PUBLISHED_CDNOW_ROWS, columns=["id", "x", "t_x", "T"]).set_index("id")
    ours = summary.loc[published.index]
    np.testing.assert_array_equal(ours["frequency"].to_numpy(), published["x"].to_numpy())
    np.testing.assert_allclose(ours["recency"].round(2), published["t_x"], atol=1e-9)
    np.testing.assert_allclose(ours["T"].round(2), published["T"], atol=1e-9)


def test_cdnow_sample_same_day_purchases_are_merged(cdnow_sample, cdnow_sample_calibration):
    calibration = cdnow_sample[cdnow_sample["date"] <= CALIBRATION_END]
    rows_per_customer = calibration.groupby("sample_customer_id").size()
    days_per_customer = calibration.groupby("sample_customer_id")["date"].nunique()
    frequency = cdnow_sample_calibration["frequency"]
    np.testing.assert_array_equal(frequency.to_numpy(), (days_per_customer - 1).to_numpy())
    # the merge matters: some customers have more purchase rows than purchase days
    assert (rows_per_customer > days_per_customer).sum() > 0
    assert frequency.loc[157] == 29


def test_cdnow_sample_reproduces_published_bgnbd_fit(cdnow_sample_calibration):
    """The whole 2,357-row table gives Fader, Hardie & Lee's (2005) BG/NBD estimates."""
    from scipy.optimize import minimize
    from scipy.special import gammaln

    x = cdnow_sample_calibration["frequency"].to_numpy()
    t_x = cdnow_sample_calibration["recency"].to_numpy()
    T = cdnow_sample_calibration["T"].to_numpy()

    def negative_log_likelihood(log_params):
        r, alpha, a, b = np.exp(log_params)
        common = (
            gammaln(r + x)
            - gammaln(r)
            + r * np.log(alpha)
            + gammaln(a + b)
            + gammaln(b + x)
            - gammaln(b)
            - gammaln(a + b + x)
        )
        first = -(r + x) * np.log(alpha + T)
        second = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
        return -np.sum(common + np.logaddexp(first, second))

    result = minimize(
        negative_log_likelihood,
        np.zeros(4),
        method="Nelder-Mead",
        options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 4000, "maxfev": 8000},
    )
    r, alpha, a, b = np.exp(result.x)
    np.testing.assert_allclose([r, alpha, a, b], [0.243, 4.414, 0.793, 2.426], atol=2e-3)


def test_cdnow_weekly_periods_give_whole_weeks(cdnow_sample):
    weekly = rfm_summary(
        cdnow_sample,
        "sample_customer_id",
        "date",
        observation_period_end=CALIBRATION_END,
        freq="W",
    )
    assert len(weekly) == 2357
    for column in ("recency", "T"):
        np.testing.assert_array_equal(weekly[column], np.round(weekly[column]))
    # 1997-01-01 (Wednesday) to 1997-09-30 (Tuesday) spans 39 Monday-Sunday weeks
    assert weekly["T"].max() == 39


def test_cdnow_full_log_customers_and_holdout_sums(cdnow_master):
    summary = rfm_summary(cdnow_master, "customer_id", "date", "dollar_value", freq="W")
    assert len(summary) == 23570
    split = rfm_train_test_split(
        cdnow_master,
        "customer_id",
        "date",
        CALIBRATION_END,
        HOLDOUT_END,
        freq="D",
        monetary_value_col="dollar_value",
    )
    assert len(split) == 23570  # every CDNOW customer's first purchase is in Q1 1997
    holdout = cdnow_master[
        (cdnow_master["date"] > CALIBRATION_END) & (cdnow_master["date"] <= HOLDOUT_END)
    ]
    assert (
        split["test_frequency"].sum() == holdout[["customer_id", "date"]].drop_duplicates().shape[0]
    )
    assert split["test_spend"].sum() == pytest.approx(holdout["dollar_value"].sum(), rel=1e-12)
    np.testing.assert_array_equal(split["churned"], split["test_frequency"] == 0)
    assert split["test_T"].unique().tolist() == [273.0]
    calibration = cdnow_master[cdnow_master["date"] <= CALIBRATION_END]
    assert split["frequency"].sum() == (
        calibration[["customer_id", "date"]].drop_duplicates().shape[0] - 23570
    )


# ---------------------------------------------------------------------------------------------
# agreement with PyMC-Marketing (optional dependency)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pymc_utils():
    return pytest.importorskip("pymc_marketing.clv.utils")


def _small_log(seed: int = 0, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01")
    return pd.DataFrame(
        {
            "customer": rng.integers(0, 40, n),
            "when": start + pd.to_timedelta(rng.integers(0, 200 * 24, n), unit="h"),
            "spend": rng.gamma(2.0, 20.0, n).round(2),
        }
    )


@pytest.mark.parametrize("freq", ["D", "W", "M"])
@pytest.mark.parametrize("include_first_transaction", [False, True])
@pytest.mark.parametrize("monetary_value_col", [None, "spend"])
def test_rfm_summary_equals_pymc_marketing(
    pymc_utils, freq, include_first_transaction, monetary_value_col
):
    log = _small_log()
    end = "2024-06-15"
    expected = (
        pymc_utils.rfm_summary(
            log,
            "customer",
            "when",
            monetary_value_col,
            observation_period_end=end,
            time_unit=freq,
            include_first_transaction=include_first_transaction,
        )
        if freq != "M"
        else None
    )
    ours = rfm_summary(
        log,
        "customer",
        "when",
        monetary_value_col,
        observation_period_end=end,
        freq=freq,
        include_first_transaction=include_first_transaction,
    )
    if expected is None:  # PyMC-Marketing cannot divide by a month; check the period count
        in_window = log["when"].dt.to_period("M") <= pd.Period(end, "M")  # June counts whole
        months = log.loc[in_window].groupby("customer")["when"].agg(["min", "max"])
        span = (months["max"].dt.to_period("M") - months["min"].dt.to_period("M")).map(
            lambda offset: offset.n
        )
        if not include_first_transaction:
            np.testing.assert_array_equal(ours["recency"], span.to_numpy())
        return
    expected = expected.sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, expected, check_dtype=False)


@pytest.mark.parametrize("freq", ["D", "W"])
def test_rfm_train_test_split_equals_pymc_marketing(pymc_utils, freq):
    log = _small_log(seed=1)
    expected = (
        pymc_utils.rfm_train_test_split(
            log,
            "customer",
            "when",
            "2024-04-01",
            "2024-07-01",
            time_unit=freq,
            monetary_value_col="spend",
        )
        .sort_values("customer_id")
        .reset_index(drop=True)
    )
    ours = rfm_train_test_split(
        log,
        "customer",
        "when",
        "2024-04-01",
        "2024-07-01",
        freq=freq,
        monetary_value_col="spend",
    )
    pd.testing.assert_frame_equal(ours[expected.columns], expected, check_dtype=False)


# ---------------------------------------------------------------------------------------------
# rfm_summary / rfm_train_test_split by hand
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def tiny_log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer": ["a", "a", "a", "a", "b", "c", "c"],
            "day": [
                "2024-01-01",
                "2024-01-01",
                "2024-01-05",
                "2024-01-20",
                "2024-01-03",
                "2024-01-08",
                "2024-01-16",
            ],
            "spend": [5.0, 5.0, 20.0, 30.0, 8.0, 4.0, 6.0],
        }
    )


def test_rfm_summary_by_hand(tiny_log):
    summary = rfm_summary(tiny_log, "customer", "day", "spend", observation_period_end="2024-01-10")
    assert summary["customer_id"].tolist() == ["a", "b", "c"]
    assert summary["frequency"].tolist() == [1.0, 0.0, 0.0]  # a: Jan 1 (merged) and Jan 5
    assert summary["recency"].tolist() == [4.0, 0.0, 0.0]
    assert summary["T"].tolist() == [9.0, 7.0, 2.0]
    assert summary["monetary_value"].tolist() == [20.0, 0.0, 0.0]  # repeats only


def test_rfm_summary_include_first_transaction(tiny_log):
    summary = rfm_summary(
        tiny_log, "customer", "day", "spend", include_first_transaction=True
    ).set_index("customer_id")
    assert "T" not in summary
    # a: purchase days Jan 1 (10 merged), Jan 5 (20), Jan 20 (30); end = Jan 20
    assert summary.loc["a", "frequency"] == 3
    assert summary.loc["a", "recency"] == 0
    assert summary.loc["a", "monetary_value"] == pytest.approx(20.0)
    assert summary.loc["b", "recency"] == 17


def test_rfm_summary_weeks_and_time_scaler(tiny_log):
    weekly = rfm_summary(tiny_log, "customer", "day", freq="W").set_index("customer_id")
    # Jan 1 2024 is a Monday: a buys in the weeks of Jan 1 (Jan 1 and 5) and Jan 15 (Jan 20)
    assert weekly.loc["a", "frequency"] == 1
    assert weekly.loc["a", "recency"] == 2
    scaled = rfm_summary(tiny_log, "customer", "day", time_scaler=7).set_index("customer_id")
    assert scaled.loc["a", "recency"] == pytest.approx(19 / 7)


def test_rfm_summary_integer_dates_with_format():
    log = pd.DataFrame({"id": [1, 1], "date": [19970101, 19970108]})
    summary = rfm_summary(log, "id", "date", datetime_format="%Y%m%d")
    assert summary["recency"].tolist() == [7.0]


def test_rfm_train_test_split_by_hand(tiny_log):
    split = rfm_train_test_split(
        tiny_log, "customer", "day", "2024-01-05", "2024-01-31", monetary_value_col="spend"
    ).set_index("customer_id")
    # c first buys in the holdout: not a calibration customer
    assert split.index.tolist() == ["a", "b"]
    assert split.loc["a", "frequency"] == 1
    assert split.loc["a", "test_frequency"] == 1
    assert split.loc["a", "test_spend"] == 30.0
    assert split.loc["a", "test_monetary_value"] == 30.0
    assert split.loc["b", "test_frequency"] == 0
    assert split["churned"].tolist() == [False, True]
    assert split["test_T"].tolist() == [26.0, 26.0]
    assert split["churned"].dtype == bool


def test_rfm_train_test_split_without_monetary_has_no_spend(tiny_log):
    split = rfm_train_test_split(tiny_log, "customer", "day", "2024-01-05")
    assert "test_spend" not in split and "monetary_value" not in split
    assert list(split.columns) == [
        "customer_id",
        "frequency",
        "recency",
        "T",
        "test_frequency",
        "test_T",
        "churned",
    ]


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
def test_empty_frame_is_rejected(tiny_log):
    with pytest.raises(ValueError, match="transactions is empty"):
        rfm_summary(tiny_log.iloc[:0], "customer", "day")
    with pytest.raises(ValueError, match="transactions is empty"):
        rfm_train_test_split(tiny_log.iloc[:0], "customer", "day", "2024-01-05")
    with pytest.raises(ValueError, match="transactions is empty"):
        rfm_table(tiny_log.iloc[:0], "customer", "day", "spend")


def test_not_a_frame_is_rejected():
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        rfm_summary([[1, "2024-01-01"]], "customer", "day")


def test_misspelled_column_suggests_close_match(tiny_log):
    with pytest.raises(ValueError, match=r"customer_id_col='custmer'.*Did you mean 'customer'"):
        rfm_summary(tiny_log, "custmer", "day")
    with pytest.raises(ValueError, match=r"monetary_value_col='spent'.*Did you mean 'spend'"):
        rfm_train_test_split(tiny_log, "customer", "day", "2024-01-05", monetary_value_col="spent")
    with pytest.raises(ValueError, match=r"datetime_col='timestamp' is not a column"):
        rfm_table(tiny_log, "customer", "timestamp", "spend")


def test_non_numeric_monetary_is_rejected(tiny_log):
    log = tiny_log.assign(spend=["5", "5", "20", "thirty", "8", "4", "6"])
    with pytest.raises(TypeError, match=r"'spend' must be numeric.*'thirty'"):
        rfm_summary(log, "customer", "day", "spend")
    with pytest.raises(TypeError, match="must be numeric"):
        rfm_table(log, "customer", "day", "spend")


def test_missing_values_are_rejected(tiny_log):
    with pytest.raises(ValueError, match="missing monetary values"):
        rfm_summary(
            tiny_log.assign(spend=np.r_[np.nan, tiny_log["spend"][1:]]), "customer", "day", "spend"
        )
    with pytest.raises(ValueError, match="missing customer ids"):
        rfm_summary(tiny_log.assign(customer=[None, *tiny_log["customer"][1:]]), "customer", "day")


def test_unparseable_date_is_named(tiny_log):
    log = tiny_log.assign(day=[*tiny_log["day"][:3], "2024-13-45", *tiny_log["day"][4:]])
    with pytest.raises(ValueError, match=r"unparseable dates.*'2024-13-45' at row 3"):
        rfm_summary(log, "customer", "day")
    with pytest.raises(ValueError, match="'2024-13-45'"):
        rfm_train_test_split(log, "customer", "day", "2024-01-05")


def test_numeric_dates_without_format_are_rejected():
    log = pd.DataFrame({"id": [1, 1], "date": [19970101, 19970108]})
    with pytest.raises(TypeError, match=r"datetime_format.*%Y%m%d"):
        rfm_summary(log, "id", "date")


def test_observation_end_before_first_purchase(tiny_log):
    with pytest.raises(ValueError, match=r"observation_period_end=2023-12-01 is before the first"):
        rfm_summary(tiny_log, "customer", "day", observation_period_end="2023-12-01")
    with pytest.raises(ValueError, match="before the first purchase"):
        rfm_table(tiny_log, "customer", "day", "spend", observation_period_end="2023-12-01")
    with pytest.raises(ValueError, match="train_period_end=2023-12-01 is before the first"):
        rfm_train_test_split(tiny_log, "customer", "day", "2023-12-01", "2024-02-01")
    with pytest.raises(ValueError, match="observation_period_end='not a date' is not a date"):
        rfm_summary(tiny_log, "customer", "day", observation_period_end="not a date")


def test_train_end_not_before_test_end(tiny_log):
    with pytest.raises(ValueError, match="train_period_end=.* must be before test_period_end"):
        rfm_train_test_split(tiny_log, "customer", "day", "2024-01-10", "2024-01-10")
    with pytest.raises(ValueError, match="must be before test_period_end"):
        rfm_train_test_split(tiny_log, "customer", "day", "2024-02-10")  # after the last purchase


def test_bad_freq_and_time_scaler(tiny_log):
    with pytest.raises(ValueError, match="freq='fortnight' is not a pandas period alias"):
        rfm_summary(tiny_log, "customer", "day", freq="fortnight")
    with pytest.raises(ValueError, match="time_scaler must be a positive number"):
        rfm_summary(tiny_log, "customer", "day", time_scaler=0)


# ---------------------------------------------------------------------------------------------
# properties on random small logs
# ---------------------------------------------------------------------------------------------
@st.composite
def transaction_logs(draw):
    n = draw(st.integers(1, 25))
    customers = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    offsets = draw(st.lists(st.integers(0, 60 * 24), min_size=n, max_size=n))
    spend = draw(st.lists(st.floats(0.0, 500.0, allow_nan=False), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "customer": customers,
            "when": pd.Timestamp("2024-03-01") + pd.to_timedelta(offsets, unit="h"),
            "spend": spend,
        }
    )


@settings(max_examples=40, deadline=None)
@given(log=transaction_logs(), freq=st.sampled_from(["D", "W", "h"]), seed=st.integers(0, 2**16))
def test_summary_properties(log, freq, seed):
    summary = rfm_summary(log, "customer", "when", "spend", freq=freq).set_index("customer_id")
    assert (summary["recency"] >= 0).all()
    assert (summary["recency"] <= summary["T"]).all()
    periods = log.assign(period=log["when"].dt.to_period(freq)).groupby("customer")["period"]
    assert (summary["frequency"] <= periods.nunique() - 1).all()
    assert (summary.loc[summary["frequency"] == 0, "monetary_value"] == 0).all()
    shuffled = log.sample(frac=1.0, random_state=seed)
    pd.testing.assert_frame_equal(
        rfm_summary(shuffled, "customer", "when", "spend", freq=freq).set_index("customer_id"),
        summary,
    )


@settings(max_examples=30, deadline=None)
@given(log=transaction_logs(), split_hour=st.integers(1, 60 * 24 - 1))
def test_split_properties(log, split_hour):
    train_end = pd.Timestamp("2024-03-01") + pd.Timedelta(hours=split_hour)
    test_end = pd.Timestamp("2024-05-01")
    if (log["when"] > train_end).all():
        return
    split = rfm_train_test_split(
        log, "customer", "when", train_end, test_end, monetary_value_col="spend"
    )
    first_purchase = log.groupby("customer")["when"].min()
    assert set(split["customer_id"]) == set(first_purchase[first_purchase <= train_end].index)
    holdout = log[(log["when"] > train_end) & log["customer"].isin(split["customer_id"])]
    assert split["test_spend"].sum() == pytest.approx(holdout["spend"].sum(), abs=1e-6)
    assert (
        split["test_frequency"].sum()
        == holdout.assign(d=holdout["when"].dt.normalize())[["customer", "d"]]
        .drop_duplicates()
        .shape[0]
    )
    np.testing.assert_array_equal(split["churned"], split["test_frequency"] == 0)


# ---------------------------------------------------------------------------------------------
# marketing RFM table, scores and segments
# ---------------------------------------------------------------------------------------------
def test_rfm_table_by_hand(tiny_log):
    table = rfm_table(tiny_log, "customer", "day", "spend", observation_period_end="2024-01-31")
    assert table.index.name == "customer_id"
    assert table.loc["a"].tolist() == [11, 3, 60.0]  # last Jan 20; days Jan 1, 5, 20; total 60
    assert table.loc["b"].tolist() == [28, 1, 8.0]
    assert table["recency_days"].dtype == np.int64 and table["frequency"].dtype == np.int64
    by_invoice = rfm_table(
        tiny_log.assign(invoice=[1, 2, 3, 4, 5, 6, 7]),
        "customer",
        "day",
        "spend",
        invoice_col="invoice",
    )
    assert by_invoice.loc["a", "frequency"] == 4  # two invoices on Jan 1 count twice
    truncated = rfm_table(tiny_log, "customer", "day", "spend", observation_period_end="2024-01-05")
    assert truncated.index.tolist() == ["a", "b"] and truncated.loc["a", "monetary"] == 30.0


def _random_rfm(n: int = 100, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "recency_days": rng.permutation(n),
            "frequency": rng.permutation(n) + 1,
            "monetary": rng.permutation(n) * 10.0,
        },
        index=pd.Index(np.arange(1000, 1000 + n), name="customer_id"),
    )


def test_rfm_scores_are_quintiles_with_recency_reversed():
    rfm = _random_rfm()
    scores = rfm_scores(rfm)
    for column in ("r_score", "f_score", "m_score"):
        assert scores[column].value_counts().sort_index().tolist() == [20] * 5
    most_recent = rfm["recency_days"].idxmin()
    oldest = rfm["recency_days"].idxmax()
    assert scores.loc[most_recent, "r_score"] == 5 and scores.loc[oldest, "r_score"] == 1
    assert scores.loc[rfm["monetary"].idxmax(), "m_score"] == 5
    row = scores.iloc[0]
    assert row["rfm_score"] == f"{row['r_score']}{row['f_score']}{row['m_score']}"
    # recency 0..19 (the 20 most recent) score 5
    assert (scores.loc[rfm["recency_days"] < 20, "r_score"] == 5).all()


def test_rfm_scores_survive_heavy_ties_and_row_order():
    rfm = _random_rfm()
    rfm["frequency"] = np.where(np.arange(100) < 70, 1, rfm["frequency"])
    scores = rfm_scores(rfm)
    assert scores["f_score"].value_counts().sort_index().tolist() == [20] * 5
    shuffled = rfm_scores(rfm.sample(frac=1.0, random_state=3)).loc[rfm.index]
    pd.testing.assert_frame_equal(shuffled, scores)
    together = rfm_scores(rfm, ties="together")
    assert (together.loc[rfm["frequency"] == 1, "f_score"] == 1).all()
    assert together["f_score"].max() == 5


def test_rfm_scores_bad_input():
    rfm = _random_rfm()
    with pytest.raises(ValueError, match="n_bins must be an integer from 2 to 9"):
        rfm_scores(rfm, n_bins=10)
    with pytest.raises(
        ValueError, match=r"monetary_col='monetry' is not a column of rfm.*'monetary_value'"
    ):
        rfm_scores(rfm.rename(columns={"monetary": "monetary_value"}), monetary_col="monetry")
    with pytest.raises(TypeError, match="'monetary' must be numeric"):
        rfm_scores(rfm.assign(monetary="x"))
    with pytest.raises(ValueError, match="rfm is empty"):
        rfm_scores(rfm.iloc[:0])


def test_segment_grid_covers_each_cell_once():
    cells = [cell for group in RFM_SEGMENT_GRID.values() for cell in group]
    assert sorted(cells) == sorted(f"{r}{f}" for r in range(1, 6) for f in range(1, 6))
    assert len(RFM_SEGMENT_GRID) == 11


@pytest.mark.parametrize(
    ("r", "f", "segment"),
    [
        (5, 5, "Champions"),
        (4, 5, "Loyal Customers"),
        (5, 2, "Potential Loyalist"),
        (5, 1, "New Customers"),
        (4, 1, "Promising"),
        (3, 3, "Need Attention"),
        (3, 1, "About To Sleep"),
        (2, 4, "At Risk"),
        (1, 5, "Can't Lose Them"),
        (2, 2, "Hibernating"),
        (1, 1, "Lost"),
    ],
)
def test_rfm_segments_named_cells(r, f, segment):
    scores = pd.DataFrame({"r_score": [r], "f_score": [f]}, index=["x"])
    assert rfm_segments(scores).loc["x"] == segment


def test_rfm_segments_on_scores_and_bad_input():
    scores = rfm_scores(_random_rfm())
    segments = rfm_segments(scores)
    assert segments.index.equals(scores.index) and segments.notna().all()
    with pytest.raises(ValueError, match=r"cells \['61'\] are not in segment_grid"):
        rfm_segments(pd.DataFrame({"r_score": [6], "f_score": [1]}))
    with pytest.raises(ValueError, match="r_score='r_score' is not a column"):
        rfm_segments(pd.DataFrame({"f_score": [1]}))
    with pytest.raises(ValueError, match="is in both"):
        rfm_segments(scores, {"A": ["11"], "B": ["11"]})


# ---------------------------------------------------------------------------------------------
# 80/20 rule and value tiers
# ---------------------------------------------------------------------------------------------
def test_top_share_and_pareto_curve():
    values = np.array([50.0, 30.0, 5.0, 5.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0])
    assert top_share_of_revenue(values) == pytest.approx(0.8)
    assert top_share_of_revenue(values, 0.5) == pytest.approx(0.92)
    curve = pareto_curve(values)
    assert len(curve) == 11
    assert curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]
    assert curve.loc[2, "revenue_share"] == pytest.approx(top_share_of_revenue(values))
    assert (np.diff(curve["revenue_share"]) >= 0).all()
    assert top_share_of_revenue(np.ones(15), 0.2) == pytest.approx(3 / 15)  # ceil(0.2*15) = 3


def test_cdnow_top_20_percent_share(cdnow_master):
    revenue = cdnow_master.groupby("customer_id")["dollar_value"].sum()
    share = top_share_of_revenue(revenue)
    k = math.ceil(0.2 * len(revenue))
    assert share == pytest.approx(revenue.nlargest(k).sum() / revenue.sum())
    assert 0.6 < share < 0.8


def test_value_share_bad_input():
    with pytest.raises(ValueError, match="negative entries"):
        top_share_of_revenue([1.0, -2.0])
    with pytest.raises(ValueError, match="non-empty 1-D"):
        pareto_curve([])
    with pytest.raises(ValueError, match=r"top_fraction must be in \(0, 1\)"):
        top_share_of_revenue([1.0, 2.0], 1.5)
    with pytest.raises(TypeError, match="must be numeric"):
        top_share_of_revenue(["a", "b"])
    with pytest.raises(ValueError, match="NaN"):
        value_tiers([1.0, np.nan])
    with pytest.raises(ValueError, match="sum to zero"):
        top_share_of_revenue([0.0, 0.0])


def test_value_tiers_golden():
    values = pd.Series(np.arange(10.0), index=list("abcdefghij"))
    tiers = value_tiers(values)
    assert tiers.index.equals(values.index)
    assert tiers[tiers == "golden"].index.tolist() == ["i", "j"]
    assert (tiers == "regular").sum() == 8


def test_value_tiers_three_tiers():
    current = np.array([100.0, 90.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 0.5])
    predicted = np.array([100.0, 1.0, 95.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 50.0])
    tiers = value_tiers(current, predicted)
    assert tiers.tolist()[:3] == ["mature", "mature", "growth"]
    # the top 20 % of predictions are customers 0 and 2; customer 9 (50) is not among them
    assert (tiers.iloc[3:] == "exploration").all()
    assert value_tiers(current, predicted, top_fraction=0.3).iloc[9] == "growth"
    assert list(tiers.cat.categories) == ["mature", "growth", "exploration"]
    with pytest.raises(
        ValueError, match="predicted_value has 2 customers but current_value has 10"
    ):
        value_tiers(current, [1.0, 2.0])


# ---------------------------------------------------------------------------------------------
# engines: pandas (reference), the sort-based numpy engine, parquet paths and Dask frames
# ---------------------------------------------------------------------------------------------
ENGINE_RTOL = 1e-12


def _assert_same_table(reference: pd.DataFrame, other: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(reference, other, check_exact=False, rtol=ENGINE_RTOL, atol=0.0)


def _every_engine(tmp_path, log, function, *args, **kwargs) -> None:
    """The pandas table, and the same table from the numpy engine and from a parquet file."""
    reference = function(log, *args, engine="pandas", **kwargs)
    _assert_same_table(reference, function(log, *args, engine="numpy", **kwargs))
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    _assert_same_table(reference, function(path, *args, **kwargs))
    _assert_same_table(reference, function(str(path), *args, engine="pandas", **kwargs))
    return reference


def _retail_log(loader: str, **kwargs) -> pd.DataFrame:
    """Cleaned Online Retail transactions, as ``ecrm_methods.problems`` builds them."""
    from ecrm_methods import datasets as ds
    from ecrm_methods.cleaning import clean_transactions, retail_transactions

    name = {"load_online_retail": "online-retail", "load_online_retail_ii": "online-retail-ii"}
    if not is_available(name[loader]):
        pytest.skip(f"{name[loader]} is not in the data home (set ECRM_DATA)")
    cleaned, _ = clean_transactions(getattr(ds, loader)(**kwargs))
    return retail_transactions(cleaned)[["customer_id", "date", "amount"]]


REAL_LOGS = {
    "cdnow-sample": (lambda: load_cdnow(sample=True), "dollar_value", "1997-09-30"),
    "cdnow": (lambda: load_cdnow(sample=False), "dollar_value", "1997-09-30"),
    "online-retail": (lambda: _retail_log("load_online_retail"), "amount", "2011-06-30"),
    "online-retail-ii": (
        lambda: _retail_log("load_online_retail_ii", include_2010_2011=True),
        "amount",
        "2010-11-30",
    ),
}


@pytest.mark.data
@pytest.mark.parametrize("dataset", list(REAL_LOGS))
def test_every_engine_gives_the_same_table_on_real_data(dataset, tmp_path):
    load, amount, cutoff = REAL_LOGS[dataset]
    log = load()
    common = {"time_scaler": 7, "monetary_value_col": amount}
    summary = _every_engine(tmp_path, log, rfm_summary, "customer_id", "date", **common)
    assert len(summary) == log["customer_id"].nunique()
    _every_engine(
        tmp_path,
        log,
        rfm_summary,
        "customer_id",
        "date",
        include_first_transaction=True,
        freq="W",
    )
    split = _every_engine(
        tmp_path, log, rfm_train_test_split, "customer_id", "date", cutoff, **common
    )
    assert split["test_spend"].sum() > 0
    _every_engine(tmp_path, log, rfm_train_test_split, "customer_id", "date", cutoff, freq="M")


@pytest.fixture
def edge_case_log() -> pd.DataFrame:
    """Same-day purchases, a single purchase, purchases at and just after the cut-off, a
    refund, a customer before 1970, and customers only in the holdout."""
    rows = [
        ("same-day", "2021-03-01 09:00", 10.0),
        ("same-day", "2021-03-01 17:30", 5.0),
        ("same-day", "2021-03-04 12:00", 7.5),
        ("same-day", "2021-03-04 12:00", 2.5),
        ("single", "2021-02-14 08:00", 42.0),
        ("at-cutoff", "2021-02-01 10:00", 3.0),
        ("at-cutoff", "2021-03-31 00:00", 4.0),  # exactly at the cut-off timestamp
        ("at-cutoff", "2021-03-31 23:59", 6.0),  # same day as the cut-off, later
        ("at-cutoff", "2021-04-01 00:00", 8.0),  # first instant after the cut-off day
        ("refund", "2021-01-05", 100.0),
        ("refund", "2021-01-20", -30.0),
        ("refund", "2021-05-02", 1e6),
        ("refund", "2021-05-03", 1e-6),
        ("old", "1969-12-31 23:00", 1.0),
        ("old", "1970-01-01 01:00", 2.0),
        ("holdout-only", "2021-04-15", 9.0),
        ("single", "2021-06-30 23:59:59", 1.0),
    ]
    return pd.DataFrame(rows, columns=["customer", "when", "spend"]).assign(
        when=lambda frame: pd.to_datetime(frame["when"], format="ISO8601")
    )


@pytest.mark.parametrize("freq", ["D", "W", "M", "h"])
@pytest.mark.parametrize("include_first", [False, True])
def test_every_engine_gives_the_same_table_on_edge_cases(
    edge_case_log, tmp_path, freq, include_first
):
    options = {"freq": freq, "include_first_transaction": include_first}
    for end in (None, "2021-03-31", "2021-03-31 00:00"):
        _every_engine(
            tmp_path,
            edge_case_log,
            rfm_summary,
            "customer",
            "when",
            "spend",
            observation_period_end=end,
            **options,
        )
        _every_engine(
            tmp_path,
            edge_case_log,
            rfm_summary,
            "customer",
            "when",
            observation_period_end=end,
            **options,
        )
    split = _every_engine(
        tmp_path,
        edge_case_log,
        rfm_train_test_split,
        "customer",
        "when",
        "2021-03-31",
        monetary_value_col="spend",
        **options,
    )
    assert "holdout-only" not in set(split["customer_id"])
    _every_engine(
        tmp_path,
        edge_case_log,
        rfm_train_test_split,
        "customer",
        "when",
        "2021-03-31",
        "2021-05-02",
        **options,
    )


def test_every_engine_gives_the_same_table_on_integer_ids_and_synthetic_logs(tmp_path):
    from ecrm_methods.synthetic import simulate_transactions

    log = simulate_transactions(20_000, random_state=11)
    end = log.attrs["observation_period_end"]
    for ids in (log["customer_id"], log["customer_id"].astype(np.int32) * 1000 - 7):
        frame = log.assign(customer_id=ids)
        for freq in ("D", "h"):
            _every_engine(
                tmp_path,
                frame,
                rfm_summary,
                "customer_id",
                "date",
                "amount",
                observation_period_end=end,
                freq=freq,
                time_scaler=7,
            )
        _every_engine(
            tmp_path,
            frame,
            rfm_train_test_split,
            "customer_id",
            "date",
            "1997-09-30",
            end,
            monetary_value_col="amount",
            time_scaler=7,
        )


@pytest.mark.parametrize(
    "ids",
    [
        np.array([-2_000_000_000, 2_000_000_000, 7, -2_000_000_000], dtype=np.int32),
        np.array([2**64 - 5, 2**64 - 1, 2**63, 2**64 - 5], dtype=np.uint64),
        np.array([1.5, -3.0, 2.0, 1.5]),
    ],
)
def test_numpy_engine_on_extreme_customer_ids(ids, tmp_path):
    log = pd.DataFrame(
        {
            "customer_id": ids,
            "date": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-09"]),
            "spend": [1.0, 2.0, 3.0, 4.0],
        }
    )
    summary = _every_engine(tmp_path, log, rfm_summary, "customer_id", "date", "spend")
    assert summary["customer_id"].dtype == ids.dtype
    assert len(summary) == 3


@pytest.mark.parametrize("freq", ["D", "W", "M", "h", "min", "s", "ms", "Q", "2D"])
def test_fast_period_ordinals_are_pandas_ordinals(freq):
    from ecrm_methods.features import _fast_period_ordinals

    rng = np.random.default_rng(0)
    nanoseconds = rng.integers(-(2**61), 2**61, 20_000)
    dates = nanoseconds.view("datetime64[ns]")
    if freq in ("Q", "2D"):  # the fallback: pandas itself
        dates = dates[:2000]
    expected = pd.PeriodIndex(pd.DatetimeIndex(dates), freq=freq).asi8
    np.testing.assert_array_equal(_fast_period_ordinals(dates, freq), expected)
    micro = dates.astype("datetime64[us]")
    np.testing.assert_array_equal(_fast_period_ordinals(micro, freq), expected)


def test_auto_engine_switches_at_the_threshold(tiny_log, monkeypatch):
    import ecrm_methods.features as features

    calls = []
    for name in ("_summarise", "_summarise_numpy"):
        original = getattr(features, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(features, name, spy)
    rfm_summary(tiny_log, "customer", "day", "spend")
    monkeypatch.setattr(features, "AUTO_ENGINE_MIN_ROWS", len(tiny_log))
    rfm_summary(tiny_log, "customer", "day", "spend")
    rfm_summary(tiny_log, "customer", "day", "spend", engine="pandas")
    assert calls == ["_summarise", "_summarise_numpy", "_summarise"]


def test_bad_engine_is_named(tiny_log):
    with pytest.raises(ValueError, match="engine='duckdb' is not one of"):
        rfm_summary(tiny_log, "customer", "day", engine="duckdb")
    with pytest.raises(ValueError, match="engine='fast' is not one of"):
        rfm_train_test_split(tiny_log, "customer", "day", "2024-01-10", engine="fast")


def test_parquet_input_is_read_in_batches_and_checked(tiny_log, tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    import ecrm_methods.features as features

    monkeypatch.setattr(features, "PARQUET_BATCH_ROWS", 2)
    log = tiny_log.assign(day=pd.to_datetime(tiny_log["day"]))
    path = tmp_path / "log.parquet"
    pq.write_table(pa.Table.from_pandas(log), path, row_group_size=3)
    _assert_same_table(
        rfm_summary(log, "customer", "day", "spend", engine="pandas"),
        rfm_summary(path, "customer", "day", "spend"),
    )
    # a date column stored as text goes through the pandas parser and its format
    text = tmp_path / "text.parquet"
    tiny_log.assign(day=tiny_log["day"].str.replace("-", "")).to_parquet(text)
    _assert_same_table(
        rfm_summary(log, "customer", "day", "spend", engine="pandas"),
        rfm_summary(text, "customer", "day", "spend", datetime_format="%Y%m%d"),
    )
    with pytest.raises(ValueError, match="Did you mean 'spend'"):
        rfm_summary(path, "customer", "day", "spendd")
    with pytest.raises(FileNotFoundError, match="no such parquet file"):
        rfm_summary(tmp_path / "missing.parquet", "customer", "day")
    missing = tmp_path / "missing_ids.parquet"
    log.assign(customer=log["customer"].where(log.index != 4)).to_parquet(missing)
    with pytest.raises(ValueError, match="missing customer ids \\(first at row 4\\)"):
        rfm_summary(missing, "customer", "day")
    with pytest.raises(ValueError, match="before the first purchase"):
        rfm_summary(path, "customer", "day", observation_period_end="2023-12-31")
    with pytest.raises(ValueError, match="must be before test_period_end"):
        rfm_train_test_split(path, "customer", "day", "2024-02-01")
    with pytest.raises(ValueError, match="calibration period is empty"):
        rfm_train_test_split(path, "customer", "day", "2023-12-01")


def test_dask_frame_on_a_local_cluster_gives_the_pandas_table(tmp_path):
    distributed = pytest.importorskip("distributed")
    dd = pytest.importorskip("dask.dataframe")
    from ecrm_methods.synthetic import simulate_transactions

    log = simulate_transactions(5000, random_state=12)
    end = log.attrs["observation_period_end"]
    expected = rfm_summary(
        log, "customer_id", "date", "amount", observation_period_end=end, engine="pandas"
    )
    path = tmp_path / "log.parquet"
    log.to_parquet(path, row_group_size=4000)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        for frame in (dd.from_pandas(log, npartitions=4), dd.read_parquet(path)):
            _assert_same_table(
                expected,
                rfm_summary(frame, "customer_id", "date", "amount", observation_period_end=end),
            )
        cdnow = load_cdnow(sample=True)
        _assert_same_table(
            rfm_summary(cdnow, "customer_id", "date", freq="W", engine="pandas"),
            rfm_summary(dd.from_pandas(cdnow, npartitions=3), "customer_id", "date", freq="W"),
        )
    with pytest.raises(TypeError, match="rfm_train_test_split takes a pandas DataFrame"):
        rfm_train_test_split(dd.from_pandas(log, npartitions=2), "customer_id", "date", end)
