"""Tests of the explicit Online Retail cleaning steps and the tidy transaction frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecrm_methods import cleaning
from ecrm_methods import datasets as ds
from ecrm_methods.cleaning import (
    clean_transactions,
    drop_cancellations,
    drop_duplicate_rows,
    drop_missing_customer_id,
    drop_nonpositive_price,
    drop_nonpositive_quantity,
    retail_transactions,
    transaction_columns,
)

II_NAMES = {"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"}


def handmade() -> pd.DataFrame:
    """Eight lines: 3 good, 1 cancellation, 1 anonymous, 1 zero quantity, 1 zero price, 1 copy."""
    return pd.DataFrame(
        {
            "InvoiceNo": ["1001", "1001", "C1002", "1003", "1004", "1005", "1006", "1001"],
            "StockCode": ["A", "B", "A", "C", "D", "E", "F", "B"],
            "Description": ["a", "b", "a", "c", None, "e", "f", "b"],
            "Quantity": [2, 1, -2, 5, 0, 3, 4, 1],
            "InvoiceDate": pd.to_datetime(
                [
                    "2011-01-03 10:00",
                    "2011-01-03 10:00",
                    "2011-01-04 09:00",
                    "2011-01-05 12:00",
                    "2011-01-06 12:00",
                    "2011-01-07 12:00",
                    "2011-01-08 12:00",
                    "2011-01-03 10:00",
                ]
            ),
            "UnitPrice": [1.5, 4.0, 1.5, 2.0, 3.0, 0.0, 2.5, 4.0],
            "CustomerID": pd.array([10, 10, 10, pd.NA, 11, 12, 12, 10], dtype="Int64"),
            "Country": ["United Kingdom"] * 8,
        },
        index=[10, 11, 12, 13, 14, 15, 16, 17],
    )


@pytest.fixture(params=["Online Retail", "Online Retail II"])
def frame(request):
    df = handmade()
    return df if request.param == "Online Retail" else df.rename(columns=II_NAMES)


def test_schema_detection_for_both_column_schemas(frame):
    roles = transaction_columns(frame)
    assert set(roles) == {"invoice", "stock_code", "quantity", "date", "price", "customer_id"}
    assert all(column in frame.columns for column in roles.values())


@pytest.mark.parametrize(
    "step, removed_labels",
    [
        (drop_cancellations, [12]),
        (drop_missing_customer_id, [13]),
        (drop_nonpositive_quantity, [12, 14]),
        (drop_nonpositive_price, [15]),
        (drop_duplicate_rows, [17]),
    ],
)
def test_each_step_returns_kept_and_removed_rows(frame, step, removed_labels):
    kept, removed = step(frame)
    assert removed.index.tolist() == removed_labels
    assert len(kept) + len(removed) == len(frame)
    assert kept.index.tolist() == [i for i in frame.index if i not in removed_labels]
    assert list(kept.columns) == list(frame.columns)
    pd.testing.assert_frame_equal(kept, frame.loc[kept.index])


def test_cancellation_match_is_case_insensitive():
    df = handmade()
    df.loc[10, "InvoiceNo"] = "c1001"
    _, removed = drop_cancellations(df)
    assert removed.index.tolist() == [10, 12]


def test_missing_quantity_or_price_counts_as_not_positive():
    df = handmade()
    df["UnitPrice"] = df["UnitPrice"].astype("Float64")
    df.loc[16, "UnitPrice"] = pd.NA
    _, removed = drop_nonpositive_price(df)
    assert removed.index.tolist() == [15, 16]


def test_clean_transactions_reports_each_step(frame):
    clean, report = clean_transactions(frame)
    assert list(report.columns) == ["step", "rows_removed", "rows_left"]
    assert report["step"].tolist() == list(cleaning.DEFAULT_CLEANING_STEPS)
    # the cancellation goes first, so the quantity step finds only the zero quantity
    assert report["rows_removed"].tolist() == [1, 1, 1, 1, 1]
    assert report["rows_left"].tolist() == [7, 6, 5, 4, 3]
    assert report["rows_removed"].dtype == np.int64 and report["rows_left"].dtype == np.int64
    assert clean.index.tolist() == [10, 11, 16]


def test_step_order_changes_the_counts(frame):
    _, report = clean_transactions(frame, steps=["nonpositive_quantity", "cancellations"])
    assert report["rows_removed"].tolist() == [2, 0]
    _, report = clean_transactions(frame, steps="duplicates")
    assert report.to_dict("records") == [{"step": "duplicates", "rows_removed": 1, "rows_left": 7}]
    clean, report = clean_transactions(frame, steps=[])
    assert len(report) == 0 and len(clean) == len(frame)


def test_input_frame_is_not_modified(frame):
    before = frame.copy()
    clean_transactions(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_bad_input_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"unknown cleaning step.*'cancelations'.*cancellations"):
        clean_transactions(handmade(), steps=["cancelations"])
    with pytest.raises(ValueError, match=r"missing column\(s\) \['UnitPrice'\]"):
        drop_cancellations(handmade().drop(columns="UnitPrice"))
    with pytest.raises(TypeError, match="DataFrame"):
        clean_transactions(handmade().to_numpy())
    with pytest.raises(ValueError, match="Online Retail"):
        retail_transactions(pd.DataFrame({"a": [1]}))


def test_empty_frame_cleans_to_an_empty_frame():
    clean, report = clean_transactions(handmade().iloc[:0])
    assert len(clean) == 0 and report["rows_removed"].sum() == 0
    tidy = retail_transactions(clean)
    assert len(tidy) == 0 and list(tidy.columns) == ["customer_id", "invoice", "date", "amount"]


def test_retail_transactions_tidy_frame(frame):
    clean, _ = clean_transactions(frame)
    tidy = retail_transactions(clean)
    assert list(tidy.columns) == ["customer_id", "invoice", "date", "amount"]
    assert tidy.dtypes.astype(str).tolist()[0] == "int64"
    assert pd.api.types.is_string_dtype(tidy["invoice"])
    assert str(tidy["date"].dtype) == "datetime64[ns]" and tidy["amount"].dtype == np.float64
    assert tidy["customer_id"].tolist() == [10, 10, 12]
    assert tidy["invoice"].tolist() == ["1001", "1001", "1006"]
    assert tidy["amount"].tolist() == [3.0, 4.0, 10.0]
    assert tidy.index.tolist() == [0, 1, 2]


def test_retail_transactions_refuses_rows_without_customer(frame):
    with pytest.raises(
        ValueError, match=r"1 line\(s\) have no customer id.*drop_missing_customer_id"
    ):
        retail_transactions(frame)


lines = st.lists(
    st.tuples(
        st.sampled_from(["1", "2", "C3", "c4"]),
        st.integers(-3, 3),
        st.sampled_from([-1.0, 0.0, 0.5, 2.0]),
        st.one_of(st.none(), st.integers(1, 3)),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(lines)
def test_cleaned_lines_satisfy_every_rule_and_the_report_adds_up(rows):
    df = pd.DataFrame(
        {
            "Invoice": pd.array([r[0] for r in rows], dtype="str"),
            "StockCode": ["X"] * len(rows),
            "Description": ["x"] * len(rows),
            "Quantity": pd.array([r[1] for r in rows], dtype="int64"),
            "InvoiceDate": pd.Timestamp("2010-01-01"),
            "Price": pd.array([r[2] for r in rows], dtype="float64"),
            "Customer ID": pd.array([r[3] for r in rows], dtype="Int64"),
            "Country": ["UK"] * len(rows),
        }
    )
    clean, report = clean_transactions(df)
    assert report["rows_removed"].sum() + len(clean) == len(df)
    assert report["rows_left"].iloc[-1] == len(clean)
    assert not clean["Invoice"].str.upper().str.startswith("C").any()
    assert clean["Customer ID"].notna().all()
    assert (clean["Quantity"] > 0).all() and (clean["Price"] > 0).all()
    assert not clean.duplicated().any()
    tidy = retail_transactions(clean)
    assert (tidy["amount"] > 0).all() and len(tidy) == len(clean)


@pytest.mark.skipif(not ds.is_available("online-retail"), reason="online-retail not in data home")
def test_online_retail_cleaning_counts():
    raw = ds.load_online_retail()
    _, removed = drop_cancellations(raw)
    assert len(removed) == 9_288 and (removed["Quantity"] < 0).all()
    _, removed = drop_missing_customer_id(raw)
    assert len(removed) == 135_080
    clean, report = clean_transactions(raw)
    assert report["rows_removed"].tolist() == [9_288, 134_697, 0, 40, 5_192]
    assert report["rows_left"].iloc[-1] == len(clean) == 392_692
    assert clean["CustomerID"].nunique() == 4_338
    tidy = retail_transactions(clean)
    assert tidy["customer_id"].nunique() == 4_338
    assert round(tidy["amount"].sum(), 2) == round(
        (clean["Quantity"] * clean["UnitPrice"]).sum(), 2
    )


@pytest.mark.skipif(
    not ds.is_available("online-retail-ii"), reason="online-retail-ii not in data home"
)
def test_online_retail_ii_cleaning_counts():
    clean, report = clean_transactions(ds.load_online_retail_ii())
    assert report["rows_removed"].tolist() == [10_206, 107_560, 0, 31, 6_748]
    assert len(clean) == 400_916
