"""Explicit, documented cleaning steps for the Online Retail transaction logs.

The loaders in :mod:`ecrm_methods.datasets` return the data exactly as published.
Every cleaning decision lives here instead, as a small function that returns both
the rows it kept and the rows it removed, so that a notebook can show what each
step threw away. :func:`clean_transactions` chains the steps and returns a report
with one row per step.

All functions work on both column schemas:

================  ===============  ==================
role              Online Retail    Online Retail II
================  ===============  ==================
invoice           ``InvoiceNo``    ``Invoice``
stock code        ``StockCode``    ``StockCode``
quantity          ``Quantity``     ``Quantity``
invoice date      ``InvoiceDate``  ``InvoiceDate``
unit price        ``UnitPrice``    ``Price``
customer id       ``CustomerID``   ``Customer ID``
================  ===============  ==================

Removed rows keep their original index labels so they can be traced back to the
loaded frame; kept rows keep theirs too (nothing is re-indexed).

On the full Online Retail log (541,909 rows) the default
:func:`clean_transactions` sequence removes 9,288 cancellation lines, then 134,697
lines without a customer id, then nothing for non-positive quantity (once
cancellations and anonymous lines are gone none are left), then 40 lines with a
zero unit price, then 5,192 exact duplicate lines, leaving 392,692 rows. On the
Online Retail II 2009-2010 sheet (525,461 rows) the same sequence removes 10,206,
107,560, 0, 31 and 6,748 lines, leaving 400,916.

References
----------
Chen, D., Sain, S. L. and Guo, K. (2012). Data mining for the online retail
industry: A case study of RFM model-based customer segmentation using data mining.
Journal of Database Marketing & Customer Strategy Management, 19(3), 197-208.
https://doi.org/10.1057/dbm.2012.17
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

__all__ = [
    "CLEANING_STEPS",
    "DEFAULT_CLEANING_STEPS",
    "clean_transactions",
    "drop_cancellations",
    "drop_duplicate_rows",
    "drop_missing_customer_id",
    "drop_nonpositive_price",
    "drop_nonpositive_quantity",
    "retail_transactions",
    "transaction_columns",
]

_SCHEMAS: dict[str, dict[str, str]] = {
    "Online Retail": {
        "invoice": "InvoiceNo",
        "stock_code": "StockCode",
        "quantity": "Quantity",
        "date": "InvoiceDate",
        "price": "UnitPrice",
        "customer_id": "CustomerID",
    },
    "Online Retail II": {
        "invoice": "Invoice",
        "stock_code": "StockCode",
        "quantity": "Quantity",
        "date": "InvoiceDate",
        "price": "Price",
        "customer_id": "Customer ID",
    },
}


def transaction_columns(df: pd.DataFrame) -> dict[str, str]:
    """Map the roles ``invoice, stock_code, quantity, date, price, customer_id`` to columns.

    Parameters
    ----------
    df : pandas.DataFrame
        A frame in the Online Retail (``InvoiceNo, UnitPrice, CustomerID``) or the
        Online Retail II (``Invoice, Price, Customer ID``) column schema.

    Returns
    -------
    dict of str to str
        Role name to column name.

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    ValueError
        If ``df`` matches neither schema; the message lists the missing columns.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"df must be a pandas DataFrame of Online Retail transactions, got {type(df).__name__}"
        )
    best_name, best_missing = None, None
    for schema_name, roles in _SCHEMAS.items():
        missing = [column for column in roles.values() if column not in df.columns]
        if not missing:
            return dict(roles)
        if best_missing is None or len(missing) < len(best_missing):
            best_name, best_missing = schema_name, missing
    raise ValueError(
        f"df does not have the Online Retail columns: closest schema is {best_name!r}, "
        f"missing column(s) {best_missing}; found {list(df.columns)}. Pass the frame from "
        "load_online_retail() or load_online_retail_ii() (or rename your columns to one "
        "of those schemas)."
    )


def _split(df: pd.DataFrame, remove: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    remove = remove.fillna(False).astype(bool)
    return df.loc[~remove], df.loc[remove]


def _is_positive(values: pd.Series) -> pd.Series:
    # missing values (NaN or pd.NA in nullable columns) are not positive
    return (values > 0).fillna(False).astype(bool)


def drop_cancellations(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove cancellation lines: invoices whose number starts with ``"C"``.

    The UCI documentation says an invoice code starting with the letter ``c``
    marks a cancellation; those lines carry negative quantities. The match is
    case-insensitive.

    Parameters
    ----------
    df : pandas.DataFrame
        Online Retail or Online Retail II transactions.

    Returns
    -------
    kept : pandas.DataFrame
        The lines that are not cancellations.
    removed : pandas.DataFrame
        The cancellation lines (``len(removed)`` is the number removed).

    References
    ----------
    Chen, Sain & Guo (2012), see the module docstring.
    """
    invoice = transaction_columns(df)["invoice"]
    is_cancellation = df[invoice].astype("string").str.upper().str.startswith("C")
    return _split(df, is_cancellation)


def drop_missing_customer_id(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove lines without a customer id (guest checkouts, manual adjustments).

    Parameters
    ----------
    df : pandas.DataFrame
        Online Retail or Online Retail II transactions.

    Returns
    -------
    kept, removed : pandas.DataFrame
        Lines with and without a customer id.
    """
    customer_id = transaction_columns(df)["customer_id"]
    return _split(df, df[customer_id].isna())


def drop_nonpositive_quantity(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove lines whose quantity is zero or negative (returns, stock write-offs).

    Parameters
    ----------
    df : pandas.DataFrame
        Online Retail or Online Retail II transactions.

    Returns
    -------
    kept, removed : pandas.DataFrame
        Lines with quantity > 0, and the others (missing quantities are removed too).
    """
    quantity = transaction_columns(df)["quantity"]
    return _split(df, ~_is_positive(df[quantity]))


def drop_nonpositive_price(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove lines whose unit price is zero or negative (free samples, bad-debt adjustments).

    Parameters
    ----------
    df : pandas.DataFrame
        Online Retail or Online Retail II transactions.

    Returns
    -------
    kept, removed : pandas.DataFrame
        Lines with unit price > 0, and the others (missing prices are removed too).
    """
    price = transaction_columns(df)["price"]
    return _split(df, ~_is_positive(df[price]))


def drop_duplicate_rows(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove exact duplicate lines, keeping the first occurrence.

    A line is a duplicate when every column equals an earlier line's (same invoice,
    product, quantity, time, price, customer and country).

    Parameters
    ----------
    df : pandas.DataFrame
        Online Retail or Online Retail II transactions.

    Returns
    -------
    kept, removed : pandas.DataFrame
        First occurrences, and the repeated copies.
    """
    transaction_columns(df)
    return _split(df, df.duplicated(keep="first"))


CLEANING_STEPS: dict[str, Callable[[pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]]] = {
    "cancellations": drop_cancellations,
    "missing_customer_id": drop_missing_customer_id,
    "nonpositive_quantity": drop_nonpositive_quantity,
    "nonpositive_price": drop_nonpositive_price,
    "duplicates": drop_duplicate_rows,
}
"""Step name -> cleaning function; the names :func:`clean_transactions` accepts."""

DEFAULT_CLEANING_STEPS: tuple[str, ...] = tuple(CLEANING_STEPS)
"""The usual RFM preparation, in this order."""


def clean_transactions(
    df: pd.DataFrame, steps: Sequence[str] = DEFAULT_CLEANING_STEPS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply named cleaning steps in order and report what each removed.

    Parameters
    ----------
    df : pandas.DataFrame
        Online Retail or Online Retail II transactions (either column schema).
    steps : sequence of str, default all of :data:`CLEANING_STEPS` in order
        Any of ``"cancellations"``, ``"missing_customer_id"``,
        ``"nonpositive_quantity"``, ``"nonpositive_price"``, ``"duplicates"``.
        The order matters for the counts (each step sees what the previous left).

    Returns
    -------
    clean_df : pandas.DataFrame
        The remaining lines, original index labels kept.
    report_df : pandas.DataFrame
        One row per step with columns ``step`` (str), ``rows_removed`` (int64) and
        ``rows_left`` (int64).

    Raises
    ------
    ValueError
        For an unknown step name (the message lists the valid ones), or a frame in
        neither Online Retail schema.

    Examples
    --------
    >>> from ecrm_methods.datasets import load_online_retail
    >>> clean, report = clean_transactions(load_online_retail())  # doctest: +SKIP
    """
    transaction_columns(df)
    if isinstance(steps, str):
        steps = [steps]
    unknown = [step for step in steps if step not in CLEANING_STEPS]
    if unknown:
        raise ValueError(
            f"unknown cleaning step(s) {unknown} in steps; valid steps are {list(CLEANING_STEPS)}"
        )
    rows = []
    for step in steps:
        df, removed = CLEANING_STEPS[step](df)
        rows.append({"step": step, "rows_removed": len(removed), "rows_left": len(df)})
    report = pd.DataFrame(rows, columns=["step", "rows_removed", "rows_left"])
    report = report.astype({"rows_removed": "int64", "rows_left": "int64"})
    return df, report


def retail_transactions(df: pd.DataFrame) -> pd.DataFrame:
    """Tidy per-line frame of Online Retail transactions for feature building.

    Parameters
    ----------
    df : pandas.DataFrame
        Online Retail or Online Retail II transactions (either column schema),
        usually the output of :func:`clean_transactions`. Every line must have a
        customer id.

    Returns
    -------
    pandas.DataFrame
        One row per line, index ``0..n-1``, columns

        - ``customer_id`` int64
        - ``invoice`` str
        - ``date`` datetime64[ns] (the invoice timestamp)
        - ``amount`` float64 (quantity x unit price; negative for returns if kept)

    Raises
    ------
    ValueError
        If some lines have no customer id (the message says how many and how to
        drop them), or the frame is in neither schema.
    """
    roles = transaction_columns(df)
    customer_id = df[roles["customer_id"]]
    n_missing = int(customer_id.isna().sum())
    if n_missing:
        raise ValueError(
            f"{n_missing} line(s) have no customer id in column {roles['customer_id']!r}; "
            "drop them first with drop_missing_customer_id(df) or clean_transactions(df)."
        )
    return pd.DataFrame(
        {
            "customer_id": customer_id.astype("int64").to_numpy(),
            "invoice": df[roles["invoice"]].astype(str).to_numpy(),
            "date": pd.to_datetime(df[roles["date"]]).astype("datetime64[ns]").to_numpy(),
            "amount": (
                df[roles["quantity"]].astype("float64") * df[roles["price"]].astype("float64")
            ).to_numpy(),
        }
    )
