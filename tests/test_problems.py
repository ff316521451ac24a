"""Problems: the problem registry, the (problem, dataset) builders and the preprocessing step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer

from ecrm_methods import problems
from ecrm_methods.datasets import is_available
from ecrm_methods.problems import (
    PROBLEMS,
    ProblemData,
    available_pairs,
    load_problem,
)


def needs(*names):
    missing = [name for name in names if not is_available(name)]
    return pytest.mark.skipif(bool(missing), reason=f"dataset(s) {missing} not in the data home")


# -- registries --------------------------------------------------------------------------------


def test_unknown_problem_and_dataset_list_the_valid_names():
    with pytest.raises(ValueError, match=r"unknown problem 'chrun'.*'churn'"):
        load_problem("chrun", "cdnow")
    with pytest.raises(ValueError, match=r"unknown dataset 'cdnow-sample'.*'ecommerce-churn'"):
        load_problem("churn", "cdnow-sample")
    with pytest.raises(ValueError, match="valid problems"):
        available_pairs("retention")


def test_every_problem_has_a_builder_for_each_dataset():
    for problem, spec in PROBLEMS.items():
        for dataset in spec.datasets:
            assert (problem, dataset) in problems._BUILDERS
            assert problems.required_datasets(problem, dataset)


def test_available_pairs_on_the_embedded_data():
    pairs = available_pairs()
    # CDNOW ships with the package: these pairs exist on every machine
    for pair in [
        ("value", "cdnow-sample"),
        ("value", "cdnow"),
        ("churn", "cdnow"),
        ("segmentation", "cdnow"),
    ]:
        assert pair in pairs


# -- builders --------------------------------------------------------------------------------


def test_value_cdnow_sample_is_the_published_calibration_table():
    data = load_problem("value", "cdnow-sample")
    assert data is load_problem("value", "cdnow-sample")  # cached per process
    assert data.X.shape == (2357, 4)
    assert list(data.X.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert list(data.y.columns) == ["test_frequency", "test_spend"]
    assert data.holdout_length == pytest.approx(39.0)
    assert data.windows.time_unit == "weeks"
    # FHL (2005): 1,411 of 2,357 customers make no repeat purchase in the 39 weeks
    assert int((data.X["frequency"] == 0).sum()) == 1411
    assert (data.X["recency"] <= data.X["T"]).all()
    assert data.X["T"].max() <= 39.0
    assert len(data.checksum) == 64
    assert set(data.duplicates) >= {"exact_duplicate_rows", "near_duplicate_rows"}


def test_churn_cdnow_labels_are_no_purchase_in_the_holdout():
    value = load_problem("value", "cdnow")
    churn = load_problem("churn", "cdnow")
    assert len(churn.X) == len(value.X) == 23570
    np.testing.assert_array_equal(churn.y.to_numpy(), (value.y["test_frequency"] == 0).astype(int))
    assert "weeks_since_last_purchase" in churn.X.columns
    assert set(churn.y.unique()) == {0, 1}


def test_segmentation_cdnow_is_standardized_log_rfm():
    data = load_problem("segmentation", "cdnow")
    assert list(data.X.columns) == ["recency_days", "frequency", "monetary"]
    np.testing.assert_allclose(data.X.mean(), 0.0, atol=1e-9)
    np.testing.assert_allclose(data.X.std(ddof=0), 1.0, atol=1e-9)
    assert data.y is None
    assert len(data.revenue) == len(data.X)
    assert (data.revenue > 0).all()


@needs("ecommerce-churn")
def test_ecommerce_churn_has_near_duplicate_groups():
    data = load_problem("churn", "ecommerce-churn")
    assert data.X.shape == (5630, 18)
    assert "CustomerID" not in data.X and "Churn" not in data.X
    assert int(data.y.sum()) == 948
    assert data.duplicates["exact_duplicate_rows"] == 1112
    assert data.groups is not None and len(data.groups) == 5630
    assert len(np.unique(data.groups)) < 5630 * 0.7
    satisfaction = load_problem("satisfaction", "ecommerce-churn")
    assert "SatisfactionScore" not in satisfaction.X
    assert {"Churn", "Complain"} <= set(satisfaction.X.columns)
    assert set(satisfaction.y.unique()) == {1, 2, 3, 4, 5}


@needs("clothing-reviews")
def test_clothing_reviews_never_use_recommended_ind():
    data = load_problem("satisfaction", "clothing-reviews")
    assert not any("recommend" in column.lower() for column in data.X.columns)
    assert data.text_features == ["review"]
    assert data.y.value_counts().sort_index().tolist() == [842, 1565, 2871, 5077, 13131]


@needs("telco-churn")
def test_telco_total_charges_are_numeric():
    data = load_problem("churn", "telco-churn")
    assert pd.api.types.is_numeric_dtype(data.X["TotalCharges"])
    assert int(data.y.sum()) == 1869
    assert "customerID" not in data.X


@needs("customer-personality")
def test_customer_personality_segmentation_reports_duplicates():
    data = load_problem("segmentation", "customer-personality")
    assert data.duplicates["exact_duplicate_rows"] > 0
    assert data.groups is not None and len(data.groups) == len(data.X)
    assert {"spend_wines", "share_web", "recency_days"} <= set(data.X.columns)


# -- preprocessing ---------------------------------------------------------------------------


def _toy_data() -> ProblemData:
    X = pd.DataFrame(
        {
            "age": [20.0, np.nan, 40.0, 50.0],
            "channel": ["web", "store", None, "web"],
            "review": ["great fit", "too small", "great colour", "poor fit"],
        }
    )
    return ProblemData(
        "satisfaction",
        "toy",
        X,
        pd.Series([5, 1, 4, 2]),
        numeric_features=["age"],
        categorical_features=["channel"],
        text_features=["review"],
    )


def test_make_preprocessor_is_fresh_unfitted_and_handles_every_role():
    data = _toy_data()
    first, second = data.make_preprocessor(), data.make_preprocessor()
    assert isinstance(first, ColumnTransformer) and first is not second
    assert not hasattr(first, "transformers_")
    out = first.fit_transform(data.X)
    out = out.toarray() if hasattr(out, "toarray") else out
    assert out.shape[0] == 4 and np.isfinite(out).all()
    names = list(first.get_feature_names_out())
    assert "numeric__age" in names
    assert any(name.startswith("categorical__channel_") for name in names)
    assert any(name.startswith("text_review__") for name in names)
    dense = data.make_preprocessor(sparse_output=False, text_svd_components=1).fit_transform(data.X)
    assert isinstance(dense, np.ndarray)


def test_make_preprocessor_needs_columns():
    empty = ProblemData("churn", "toy", pd.DataFrame({"a": [1]}), pd.Series([0]))
    with pytest.raises(ValueError, match="no numeric, categorical or text columns"):
        empty.make_preprocessor()


# -- value: the training window of supervised models -----------------------------------------


def _cdnow_log_with_new_holdout(sample: bool) -> pd.DataFrame:
    """The CDNOW log with every holdout purchase changed: value, day, some dropped, some added."""
    from ecrm_methods.datasets import CDNOW_CALIBRATION_END, load_cdnow

    log = load_cdnow(sample=sample).copy()
    holdout = log["date"] > pd.Timestamp(CDNOW_CALIBRATION_END)
    log.loc[holdout, "dollar_value"] = log.loc[holdout, "dollar_value"] * 3.0 + 1.0
    log.loc[holdout, "date"] = log.loc[holdout, "date"] + pd.Timedelta(days=1)
    extra = log[~holdout].drop_duplicates("customer_id").head(50).copy()
    extra["date"] = pd.Timestamp("1998-01-15")
    return pd.concat([log[~holdout | (log["customer_id"] % 2 == 0)], extra], ignore_index=True)


def test_value_training_window_on_cdnow_sample_is_as_documented():
    data = load_problem("value", "cdnow-sample")
    window = data.training_window
    assert isinstance(window, problems.TrainingWindow)
    assert data.windows.calibration_start == "1997-01-01"
    # midpoint of 1997-01-01 .. 1997-09-30 (272 days): 136 days after the start
    assert window.training_cut == "1997-05-17"
    assert window.target_end == data.windows.calibration_end == "1997-09-30"
    assert window.time_unit == "weeks"
    assert window.length == pytest.approx(136 / 7)
    assert window.length < data.holdout_length
    # every CDNOW first purchase is in weeks 1-12 of 1997, before the cut: all customers
    np.testing.assert_array_equal(window.rows, np.arange(2357))
    assert list(window.X.columns) == list(data.X.columns)
    assert list(window.y.columns) == ["test_frequency", "test_spend"]
    assert len(window.X) == len(window.y) == len(window.rows)
    assert window.X["T"].max() <= window.length + 1e-9
    # repeat purchase days before the cut + those in the target window = the calibration's
    np.testing.assert_allclose(
        window.X["frequency"] + window.y["test_frequency"],
        data.X["frequency"].to_numpy()[window.rows],
    )
    repeat_spend = data.X["frequency"] * data.X["monetary_value"]
    np.testing.assert_allclose(
        window.X["frequency"] * window.X["monetary_value"] + window.y["test_spend"],
        repeat_spend.to_numpy()[window.rows],
    )
    lines = data.describe_windows().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "calibration",
        "holdout",
        "training cut",
        "training target window",
    ]
    assert "1997-05-17" in lines[2] and "2357 of 2357" in lines[2]


def test_training_window_targets_stop_at_the_calibration_end():
    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 1, 2, 2, 3, 3, 4],
            "date": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-10",
                    "2024-01-20",
                    "2024-01-31",  # on the calibration end: in the target window
                    "2024-02-05",  # holdout
                    "2024-01-25",  # customer 2 starts after the cut
                    "2024-01-28",
                    "2024-01-05",
                    "2024-03-01",  # holdout only
                    "2024-02-10",  # customer 4 starts in the holdout
                ]
            ),
            "amount": [10.0, 20.0, 30.0, 40.0, 1000.0, 5.0, 6.0, 7.0, 500.0, 9.0],
        }
    )
    data = problems._value_from_transactions(
        "toy", log, "amount", "2024-01-31", "2024-03-31", "hand-made log"
    )
    np.testing.assert_array_equal(data.customer_id, [1, 2, 3])
    window = data.training_window
    assert window.training_cut == "2024-01-16"  # 1 Jan + 30 days // 2
    assert window.length == pytest.approx(15 / 7)
    np.testing.assert_array_equal(window.rows, [0, 2])  # customers 1 and 3
    np.testing.assert_allclose(window.X["frequency"], [1.0, 0.0])
    np.testing.assert_allclose(window.X["recency"], [9 / 7, 0.0])
    np.testing.assert_allclose(window.X["T"], [15 / 7, 11 / 7])
    np.testing.assert_allclose(window.y["test_frequency"], [2.0, 0.0])
    np.testing.assert_allclose(window.y["test_spend"], [70.0, 0.0])  # never 1000 or 500
    np.testing.assert_allclose(data.y["test_spend"], [1000.0, 0.0, 500.0])


def test_training_window_does_not_change_with_the_holdout(monkeypatch):
    from ecrm_methods import datasets

    original = problems._build_value_cdnow(sample=True)
    changed_log = _cdnow_log_with_new_holdout(sample=True)
    monkeypatch.setattr(datasets, "load_cdnow", lambda sample=False: changed_log)
    changed = problems._build_value_cdnow(sample=True)
    assert not changed.y.equals(original.y)  # the holdout did change
    pd.testing.assert_frame_equal(changed.X, original.X)
    before, after = original.training_window, changed.training_window
    assert (after.training_cut, after.target_end, after.length) == (
        before.training_cut,
        before.target_end,
        before.length,
    )
    np.testing.assert_array_equal(after.rows, before.rows)
    pd.testing.assert_frame_equal(after.X, before.X)
    pd.testing.assert_frame_equal(after.y, before.y)


def test_value_training_window_on_the_full_cdnow_log():
    data = load_problem("value", "cdnow")
    assert data.training_window.training_cut == "1997-05-17"
    assert len(data.training_window.rows) == len(data.X) == 23570


def test_describe_windows_without_a_time_axis_is_empty():
    assert _toy_data().describe_windows() == ""


# -- segmentation: calibration features, holdout yardsticks ----------------------------------


def test_segmentation_cdnow_holdout_is_each_customers_future():
    from ecrm_methods.datasets import CDNOW_CALIBRATION_END, CDNOW_HOLDOUT_END, load_cdnow

    data = load_problem("segmentation", "cdnow")
    assert data.windows.calibration_end == CDNOW_CALIBRATION_END
    assert data.windows.holdout_end == CDNOW_HOLDOUT_END
    assert data.windows.time_unit == "days"
    assert data.windows.holdout_length == 273.0
    assert len(data.holdout_spend) == len(data.holdout_churn) == len(data.X)
    log = load_cdnow()
    after = log[log["date"] > pd.Timestamp(CDNOW_CALIBRATION_END)]
    buyers = after["customer_id"].unique()
    position = {customer: i for i, customer in enumerate(data.customer_id)}
    for customer in [*buyers[:5], *np.setdiff1d(data.customer_id, buyers)[:3]]:
        i = position[customer]
        expected = after.loc[after["customer_id"] == customer, "dollar_value"].sum()
        assert data.holdout_spend[i] == pytest.approx(expected)
        assert data.holdout_churn[i] == int(customer not in buyers)
    # the same windows as the churn problem: the same churn labels
    churn = load_problem("churn", "cdnow")
    labels = pd.Series(churn.y.to_numpy(), index=churn.customer_id)
    np.testing.assert_array_equal(labels.loc[data.customer_id].to_numpy(), data.holdout_churn)


def test_segmentation_features_use_calibration_purchases_only(monkeypatch):
    from ecrm_methods import datasets

    original_log = datasets.load_cdnow(sample=True)
    monkeypatch.setattr(datasets, "load_cdnow", lambda sample=False: original_log)
    original = problems._build_segmentation_cdnow()
    changed_log = _cdnow_log_with_new_holdout(sample=True)
    monkeypatch.setattr(datasets, "load_cdnow", lambda sample=False: changed_log)
    changed = problems._build_segmentation_cdnow()
    assert not np.array_equal(changed.holdout_spend, original.holdout_spend)
    pd.testing.assert_frame_equal(changed.X, original.X)
    pd.testing.assert_frame_equal(changed.profile, original.profile)
    np.testing.assert_array_equal(changed.revenue, original.revenue)
    np.testing.assert_array_equal(changed.customer_id, original.customer_id)
    # recency is measured at the calibration end, not at the last purchase of the log
    assert original.profile["recency_days"].min() >= 0
    assert original.profile["recency_days"].max() <= 272


@needs("online-retail")
def test_segmentation_online_retail_has_the_churn_windows():
    data = load_problem("segmentation", "online-retail")
    churn = load_problem("churn", "online-retail")
    assert data.windows.calibration_end == churn.windows.calibration_end
    assert data.windows.holdout_end == churn.windows.holdout_end
    labels = pd.Series(churn.y.to_numpy(), index=churn.customer_id)
    np.testing.assert_array_equal(labels.loc[data.customer_id].to_numpy(), data.holdout_churn)
    assert (data.holdout_spend[data.holdout_churn == 1] == 0).all()


@needs("customer-personality")
def test_customer_personality_has_no_holdout():
    data = load_problem("segmentation", "customer-personality")
    assert data.holdout_spend is None and data.holdout_churn is None and data.windows is None
    assert "stability and internal indices only" in data.description


# -- satisfaction groups ---------------------------------------------------------------------


def test_satisfaction_groups_come_from_the_features_only(monkeypatch):
    from ecrm_methods import datasets

    raw = pd.DataFrame(
        {
            "CustomerID": [1, 2, 3, 4, 5],
            "Churn": [0, 0, 1, 1, 0],
            "Tenure": [1.0, 1.0, 30.0, 30.0, 60.0],
            "CityTier": [1, 1, 3, 3, 2],
            "Gender": ["Male", "Male", "Female", "Female", "Male"],
            "Complain": [0, 1, 1, 1, 0],
            "CashbackAmount": [100.0, 250.0, 300.0, 300.0, 50.0],
            "SatisfactionScore": [1, 5, 2, 4, 3],
        }
    )
    monkeypatch.setattr(datasets, "load_ecommerce_churn", lambda: raw)
    data = problems._build_satisfaction_ecommerce()
    assert "SatisfactionScore" not in data.X
    # rows 2 and 3: identical features, different scores
    assert data.groups[2] == data.groups[3]
    # rows 0 and 1 differ in two features (within the limit) and in the score
    assert data.groups[0] == data.groups[1]
    assert len(np.unique(data.groups)) == 3


def test_builder_version_was_bumped_for_the_new_protocol():
    # version 1 built value problems without a training window and segmentation on the whole
    # log: results cached under it must not be reused
    assert problems.BUILDER_VERSION != "1"
