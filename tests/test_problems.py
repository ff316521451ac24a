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
