"""The campaign response problem: features, splits, metrics and plots.

ProfLogit has its own file (``tests/test_response_proflogit.py``), and so do the benchmark's
response pairs (``tests/test_response_benchmark.py``). Tests marked ``data`` need the mirrored
datasets and skip when they are absent; the others run on small frames built here.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ecrm_methods.datasets import is_available
from ecrm_methods.evaluation import (
    campaign_profit,
    captured_response_at,
    choose_campaign_depth,
    cumulative_gains,
    expected_maximum_profit,
    lift_at,
    max_profit,
    profit_curve,
    response_metrics,
    top_decile_lift,
)
from ecrm_methods.problems import (
    PROBLEMS,
    CampaignEconomics,
    customer_personality_response_features,
    load_problem,
    online_shoppers_response_features,
    temporal_split_by_month,
    with_campaign,
)

matplotlib.use("Agg")


def needs(*names):
    missing = [name for name in names if not is_available(name)]
    return pytest.mark.skipif(bool(missing), reason=f"dataset(s) {missing} not in the data home")


# --------------------------------------------------------------------------------------------
# Small raw tables with the published columns
# --------------------------------------------------------------------------------------------


def customer_personality_rows() -> pd.DataFrame:
    """Three customers; the first is row 0 of the published file (ID 5524)."""
    rows = {
        "ID": [5524, 1, 2],
        "Year_Birth": [1957, 1990, 1893],
        "Education": ["Graduation", "PhD", "Master"],
        "Marital_Status": ["Single", "Alone", "YOLO"],
        "Income": [58138.0, np.nan, 30000.0],
        "Kidhome": [0, 1, 0],
        "Teenhome": [0, 0, 1],
        "Dt_Customer": pd.to_datetime(["2012-09-04", "2014-06-29", "2013-01-01"]),
        "Recency": [58, 10, 99],
        "MntWines": [635, 0, 5],
        "MntFruits": [88, 0, 1],
        "MntMeatProducts": [546, 0, 6],
        "MntFishProducts": [172, 0, 2],
        "MntSweetProducts": [88, 0, 1],
        "MntGoldProds": [88, 0, 3],
        "NumDealsPurchases": [3, 0, 1],
        "NumWebPurchases": [8, 0, 1],
        "NumCatalogPurchases": [10, 0, 0],
        "NumStorePurchases": [4, 0, 2],
        "NumWebVisitsMonth": [7, 1, 5],
        "AcceptedCmp3": [0, 0, 1],
        "AcceptedCmp4": [0, 0, 0],
        "AcceptedCmp5": [0, 0, 1],
        "AcceptedCmp1": [0, 0, 0],
        "AcceptedCmp2": [0, 0, 0],
        "Complain": [0, 0, 0],
        "Z_CostContact": [3, 3, 3],
        "Z_Revenue": [11, 11, 11],
        "Response": [1, 0, 0],
    }
    return pd.DataFrame(rows)


def online_shoppers_rows() -> pd.DataFrame:
    months = ["Feb", "Mar", "June", "Oct", "Nov", "Dec"]
    n = len(months)
    return pd.DataFrame(
        {
            "Administrative": [0.0, 2, np.nan, 1, 0, 3],
            "Administrative_Duration": [-1.0, 20, np.nan, 5, 0, 30],
            "Informational": [0.0, 0, np.nan, 1, 0, 0],
            "Informational_Duration": [-1.0, 0, np.nan, 3, 0, 0],
            "ProductRelated": [1.0, 10, np.nan, 4, 2, 30],
            "ProductRelated_Duration": [-1.0, 300, np.nan, 60, 10, 900],
            "BounceRates": [0.2, 0.01, np.nan, 0.0, 0.1, 0.0],
            "ExitRates": [0.2, 0.02, np.nan, 0.05, 0.1, 0.01],
            "PageValues": [0.0, 10.0, 0.0, 0.0, 0.0, 40.0],
            "SpecialDay": [0.0] * n,
            "Month": months,
            "OperatingSystems": [1, 2, 2, 3, 1, 2],
            "Browser": [1, 1, 2, 2, 1, 1],
            "Region": [1, 3, 1, 1, 9, 2],
            "TrafficType": [3, 2, 1, 1, 4, 2],
            "VisitorType": ["Returning_Visitor"] * (n - 1) + ["New_Visitor"],
            "Weekend": [False, True, False, False, True, False],
            "Revenue": [False, True, False, False, False, True],
        }
    )


# --------------------------------------------------------------------------------------------
# The problem and its feature construction
# --------------------------------------------------------------------------------------------


def test_response_is_the_fifth_problem_with_two_datasets():
    assert list(PROBLEMS) == ["segmentation", "churn", "value", "satisfaction", "response"]
    assert PROBLEMS["response"].datasets == ("customer-personality", "online-shoppers")
    assert PROBLEMS["response"].task == "binary"


def test_customer_personality_ages_and_tenures_by_hand():
    X, groups, reference = customer_personality_response_features(customer_personality_rows())
    # the latest enrolment in the table is the reference date
    assert reference == pd.Timestamp("2014-06-29")
    first = X.iloc[0]
    assert first["age"] == 2014 - 1957 == 57
    # 2012-09-04 -> 2013-09-04 is 365 days, then 26 + 31 + 30 + 31 + 31 + 28 + 31 + 30 + 31 + 29
    assert first["tenure_days"] == 365 + 298 == 663
    assert first["total_spend"] == 635 + 88 + 546 + 172 + 88 + 88 == 1617
    assert first["spend_per_purchase"] == pytest.approx(1617 / (8 + 10 + 4))
    assert X.loc[1, "tenure_days"] == 0  # enrolled on the reference date
    assert np.isnan(X.loc[1, "spend_per_purchase"])  # no purchase: no average
    assert np.isnan(X.loc[2, "age"])  # born 1893: a recording error, not a 121-year-old
    assert X.loc[1, "Marital_Status"] == "Single" and pd.isna(X.loc[2, "Marital_Status"])
    assert X.loc[2, "earlier_acceptances"] == 2
    assert list(groups) == ["demographics", "behaviour", "value", "earlier_campaigns"]
    assert [c for cols in groups.values() for c in cols] == list(X.columns)
    for excluded in ("ID", "Z_CostContact", "Z_Revenue", "Year_Birth", "Dt_Customer", "Response"):
        assert excluded not in X.columns


def test_ages_and_tenures_never_depend_on_todays_date(monkeypatch):
    raw = customer_personality_rows()
    before, _, _ = customer_personality_response_features(raw)

    def no_today(*args, **kwargs):
        raise AssertionError("the response features read today's date")

    # a builder that asked for today's date would fail here
    monkeypatch.setattr(pd.Timestamp, "now", classmethod(no_today))
    monkeypatch.setattr(pd.Timestamp, "today", classmethod(no_today))
    frozen, _, _ = customer_personality_response_features(raw)
    pd.testing.assert_frame_equal(before, frozen)
    # the same customers ten years later (every date and birth year moved together) have the
    # same ages and tenures: only the data's own reference date counts
    later = raw.assign(
        Year_Birth=raw["Year_Birth"] + 10,
        Dt_Customer=raw["Dt_Customer"] + pd.Timedelta(days=3653),  # 2014-06-29 -> 2024-06-29
    )
    shifted, _, reference = customer_personality_response_features(later)
    assert reference == pd.Timestamp("2024-06-29")
    pd.testing.assert_frame_equal(before, shifted)


def test_customer_personality_bad_input_names_what_is_wrong():
    raw = customer_personality_rows()
    with pytest.raises(ValueError, match=r"columns \['Income'\] are missing"):
        customer_personality_response_features(raw.drop(columns="Income"))
    with pytest.raises(ValueError, match="Dt_Customer holds no valid date"):
        customer_personality_response_features(raw.assign(Dt_Customer="not a date"))
    with pytest.raises(TypeError, match="pandas DataFrame"):
        customer_personality_response_features(raw.to_numpy())


def test_online_shoppers_quirks_are_handled():
    X, groups, month = online_shoppers_response_features(online_shoppers_rows())
    assert month.tolist() == [2, 3, 6, 10, 11, 12]  # "June" is spelled out in the file
    assert X["Month"].tolist() == ["Feb", "Mar", "Jun", "Oct", "Nov", "Dec"]
    # -1 durations are not durations; a missing row stays missing (imputed inside the folds)
    assert X.loc[0, ["Administrative_Duration", "ProductRelated_Duration"]].isna().all()
    assert X.loc[2, "Administrative"] != X.loc[2, "Administrative"]
    assert len(X) == 6  # no row dropped, none resampled
    assert X.loc[4, "Region"] == "Region_9"  # codes are categories
    assert set(groups) == {"behaviour", "visit_context"}
    with pytest.raises(ValueError, match=r"\['Juin'\], which are not month names"):
        online_shoppers_response_features(
            online_shoppers_rows().replace({"Month": {"Oct": "Juin"}})
        )


def test_temporal_split_trains_on_the_months_before_november():
    split = temporal_split_by_month(pd.Series([2, 3, 11, 5, 12, 10]))
    assert split.train.tolist() == [0, 1, 3, 5] and split.test.tolist() == [2, 4]
    assert split.train_periods == ("Feb", "Mar", "May", "Oct")
    assert split.test_periods == ("Nov", "Dec")
    with pytest.raises(ValueError, match=r"months \[12\] come after the first test month 11"):
        temporal_split_by_month(pd.Series([2, 11, 12]), test_months=(11,))
    with pytest.raises(ValueError, match="both sides need rows"):
        temporal_split_by_month(pd.Series([11, 12]))


def test_campaign_economics_are_validated():
    assert CampaignEconomics(3, 11).breakeven_rate == pytest.approx(3 / 11)
    with pytest.raises(ValueError, match="must exceed contact_cost"):
        CampaignEconomics(5, 4)
    with pytest.raises(ValueError, match="contact_cost must be a positive"):
        CampaignEconomics(0, 4)
    with pytest.raises(TypeError, match="response_revenue must be a number"):
        CampaignEconomics(1, "11")


@pytest.mark.data
@needs("customer-personality")
def test_customer_personality_pair():
    data = load_problem("response", "customer-personality")
    assert data.X.shape == (2240, 28) and int(data.y.sum()) == 334
    assert data.reference_date == "2014-06-29"
    assert (data.campaign.contact_cost, data.campaign.response_revenue) == (3.0, 11.0)
    assert data.X["Income"].isna().sum() == 24  # kept missing, imputed inside the folds
    assert data.X["age"].isna().sum() == 3 and data.X["age"].max() <= 100
    # customers recorded twice under two IDs share a near-duplicate group
    assert data.groups is not None and len(np.unique(data.groups)) < len(data.X)
    first = data.X.iloc[0]
    assert (first["age"], first["tenure_days"], first["total_spend"]) == (57, 663, 1617)
    assert set(data.feature_groups) == {"demographics", "behaviour", "value", "earlier_campaigns"}
    cheaper = with_campaign(data, 1.0, 11.0)
    assert cheaper.campaign.contact_cost == 1.0 and data.campaign.contact_cost == 3.0
    assert cheaper.X is data.X
    with pytest.raises(ValueError, match="needs a response problem"):
        with_campaign(load_problem("value", "cdnow-sample"), 1.0, 2.0)


@pytest.mark.data
@needs("online-shoppers")
def test_online_shoppers_pair_and_its_temporal_split():
    data = load_problem("response", "online-shoppers")
    assert data.X.shape[0] == 12330 and int(data.y.sum()) == 1908
    split = data.temporal_split
    assert split.train_periods == ("Feb", "Mar", "May", "Jun", "Jul", "Aug", "Sep", "Oct")
    assert split.test_periods == ("Nov", "Dec")
    assert (split.train.size, split.test.size) == (7605, 4725)
    assert not set(split.train) & set(split.test)
    month = data.extra["month"]
    assert month[split.train].max() == 10 and set(month[split.test]) == {11, 12}
    assert data.X["Administrative"].isna().sum() == 14
    assert (data.X[["Administrative_Duration", "ProductRelated_Duration"]] < 0).sum().sum() == 0
    assert "Revenue" not in data.X.columns


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def test_profit_curve_by_hand_with_a_tie():
    # ranked: 0.9 (responds), a tie at 0.8 of one responder and one not, 0.3 (no), 0.1 (yes)
    y = [0, 1, 1, 0, 1]
    s = [0.8, 0.9, 0.8, 0.3, 0.1]
    curve = profit_curve(y, s, contact_cost=3, response_revenue=11)
    # k=1: 11 - 3; k=2: half the tied responder, 1.5 * 11 - 6; k=3: 22 - 9; k=4: 22 - 12;
    # k=5: 33 - 15
    assert curve["profit"].tolist() == [0.0, 8.0, 10.5, 13.0, 10.0, 18.0]
    assert curve["responders"].tolist() == [0.0, 1.0, 1.5, 2.0, 2.0, 3.0]
    assert curve["depth"].tolist() == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert curve["profit_per_customer"].iloc[-1] == pytest.approx(18 / 5)
    assert max_profit(y, s, 3, 11) == (pytest.approx(18 / 5), 1.0)
    # deterministic and independent of the row order
    order = [4, 2, 0, 3, 1]
    permuted = profit_curve(np.take(y, order), np.take(s, order), 3, 11)
    pd.testing.assert_frame_equal(curve, permuted)


def test_max_profit_depth_and_the_deployed_campaign():
    y, s = [1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]
    assert max_profit(y, s, 3, 11) == (3.25, 0.75)  # profits 0, 8, 5, 13, 10
    assert choose_campaign_depth(y, s, 3, 11) == 0.75
    # a depth chosen elsewhere: 0.25 of 4 customers contacts the first (11 - 3) / 4
    assert campaign_profit(y, s, 3, 11, depth=0.25) == 2.0
    # 0.375 of 4 = 1.5 customers: the first and half of the second
    assert campaign_profit(y, s, 3, 11, depth=0.375) == pytest.approx((8 - 1.5) / 4)
    assert campaign_profit(y, s, 3, 11, depth=0.0) == 0.0
    # nobody is worth contacting when every score is the same and the rate is below 3 / 11
    assert max_profit([1, 0, 0, 0, 0], [0.5] * 5, 3, 11) == (0.0, 0.0)


def test_lift_and_gains_by_hand():
    y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    s = np.arange(10, 0, -1)
    assert lift_at(y, s, 0.1) == pytest.approx(5.0)  # 1 of 1 against a rate of 0.2
    assert captured_response_at(y, s, 0.1) == pytest.approx(0.5)
    assert lift_at(y, s, 0.2) == pytest.approx(5.0)
    assert captured_response_at(y, s, 0.2) == pytest.approx(1.0)
    gains = cumulative_gains(y, s)
    assert gains["captured_response"].tolist()[:4] == [0.0, 0.5, 1.0, 1.0]
    assert gains["lift"].iloc[3] == pytest.approx(1 / 0.3)
    assert np.isnan(gains["lift"].iloc[0])
    # one score for everybody: the top 10 % is a random tenth
    assert lift_at(y, [0.5] * 10, 0.1) == pytest.approx(1.0)
    assert captured_response_at(y, [0.5] * 10, 0.3) == pytest.approx(0.3)
    # on probabilities the top-10 % lift is the churn problem's top-decile lift
    rng = np.random.default_rng(0)
    truth = (rng.random(200) < 0.3).astype(int)
    proba = np.round(rng.random(200), 1)
    assert lift_at(truth, proba, 0.1) == pytest.approx(top_decile_lift(truth, proba))


def test_response_metrics_on_a_held_out_set():
    y, s = [1, 0, 1, 0, 0, 0, 0, 1, 0, 0], np.linspace(1, 0, 10)
    metrics = response_metrics(y, s, 3, 11, deployed_depth=0.2)
    assert set(metrics) == {
        "roc_auc",
        "pr_auc",
        "lift_at_10",
        "lift_at_20",
        "captured_response_at_10",
        "captured_response_at_20",
        "max_profit",
        "max_profit_depth",
        "deployed_profit",
        "deployed_depth",
    }
    assert metrics["deployed_profit"] == pytest.approx((11 - 6) / 10)
    assert metrics["max_profit"] >= metrics["deployed_profit"]  # MP is the held-out optimum
    assert metrics["lift_at_10"] == pytest.approx(1 / 0.3)


def test_response_metrics_bad_input_names_what_is_wrong():
    y, s = [1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]
    with pytest.raises(ValueError, match="y_true has 4 rows and scores has 3"):
        profit_curve(y, s[:3], 3, 11)
    with pytest.raises(ValueError, match=r"scores contains 1 NaN .*first at row 2"):
        profit_curve(y, [0.9, 0.8, np.nan, 0.1], 3, 11)
    with pytest.raises(ValueError, match="contact_cost must be a positive"):
        profit_curve(y, s, -3, 11)
    with pytest.raises(TypeError, match="response_revenue must be a number"):
        max_profit(y, s, 3, None)
    with pytest.raises(ValueError, match=r"binary labels 0/1.*got values \['0', '1', '2'\]"):
        profit_curve([0, 1, 2, 1], s, 3, 11)
    with pytest.raises(ValueError, match=r"fraction must be a share .* got 10"):
        lift_at(y, s, 10)
    with pytest.raises(ValueError, match="depth must be a share"):
        campaign_profit(y, s, 3, 11, depth=1.5)
    with pytest.raises(ValueError, match="no responder"):
        lift_at([0, 0, 0, 0], s, 0.5)
    with pytest.raises(ValueError, match="needs both classes"):
        response_metrics([0, 0, 0, 0], s, 3, 11, 0.5)
    with pytest.raises(TypeError, match="must be numeric scores"):
        profit_curve(y, ["a", "b", "c", "d"], 3, 11)


def test_profit_metrics_match_empulse():
    metrics = pytest.importorskip("empulse.metrics")
    rng = np.random.default_rng(7)
    for n in (40, 2000):
        y = (rng.random(n) < 0.2).astype(int)
        s = np.round(0.6 * rng.random(n) + 0.4 * y, 2)  # ties on purpose
        # MP of a campaign: a responder is worth revenue - cost, a wasted contact costs cost
        ours = max_profit(y, s, contact_cost=3, response_revenue=11)[0]
        assert ours == pytest.approx(metrics.max_profit_score(y, s, tp_cost=-8, fp_cost=3))
        # the churn problem's EMP (Verbraken et al. 2013) at its default campaign
        assert expected_maximum_profit(y, s) == pytest.approx(metrics.empc_score(y, s), rel=1e-9)


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------


def test_profit_gains_and_lift_plots_return_axes():
    import matplotlib.pyplot as plt

    from ecrm_methods.plotting import plot_cumulative_gains, plot_lift_curve, plot_profit_curve

    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.2).astype(int)
    scores = {"model": rng.random(300) + 0.4 * y, "random": rng.random(300)}
    ax = plot_profit_curve(y, scores, 3, 11, deployed_depth=0.2)
    assert len(ax.get_legend().get_texts()) == 3 and ax.get_xlim() == (0, 1)
    best = profit_curve(y, scores["model"], 3, 11)["profit"].max()
    assert any(np.isclose(line.get_ydata(), best).any() for line in ax.get_lines())
    ax = plot_cumulative_gains(y, scores["model"], label="model")
    assert ax.get_lines()[0].get_ydata()[-1] == pytest.approx(1.0)
    ax = plot_lift_curve(y, scores)
    assert ax.get_ylabel() == "lift"
    with pytest.raises(ValueError, match="empty mapping"):
        plot_profit_curve(y, {}, 3, 11)
    plt.close("all")
