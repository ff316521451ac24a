"""Customer features from a transaction log: BTYD summaries, RFM scores and segments, value tiers.

Data flows ``datasets`` -> ``features`` -> ``problems``. Every function here takes a tidy
transaction log (one row per purchase: a customer id, a timestamp and optionally a monetary
value) and returns one row per customer.

Two families of "RFM" live here and they are deliberately kept apart:

* :func:`rfm_summary` and :func:`rfm_train_test_split` build the inputs of the probabilistic
  "buy till you die" models (BG/NBD, Pareto/NBD, Gamma-Gamma) with PyMC-Marketing's column names
  and conventions: ``frequency`` counts *repeat* purchase periods, ``recency`` is the age of the
  customer at the last purchase and ``T`` the age at the end of the observation period, all in
  the same time unit.
* :func:`rfm_table`, :func:`rfm_scores` and :func:`rfm_segments` build the marketing RFM table
  (days since last purchase, number of purchase days, total spend), quintile scores and the
  named segments marketers use.

:func:`top_share_of_revenue`, :func:`pareto_curve` and :func:`value_tiers` implement the 80/20
rule ("golden" customers) and the three value tiers of the eCRM literature (mature, growth,
exploration).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd

__all__ = [
    "RFM_SEGMENT_GRID",
    "pareto_curve",
    "rfm_scores",
    "rfm_segments",
    "rfm_summary",
    "rfm_table",
    "rfm_train_test_split",
    "top_share_of_revenue",
    "value_tiers",
]

DateLike = str | date | datetime | np.datetime64 | pd.Timestamp | pd.Period


# --------------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------------
def _check_frame(transactions, name: str = "transactions") -> None:
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame with one row per purchase, "
            f"got {type(transactions).__name__}"
        )
    if transactions.empty:
        raise ValueError(
            f"{name} is empty ({transactions.shape[0]} rows, {transactions.shape[1]} columns): "
            "pass a transaction log with at least one purchase"
        )


def _check_columns(
    transactions: pd.DataFrame, frame_name: str = "transactions", **columns: str | None
) -> None:
    """Raise a ValueError naming each missing column and the closest existing one."""
    available = [str(c) for c in transactions.columns]
    for argument, column in columns.items():
        if column is None:
            continue
        if column not in transactions.columns:
            close = difflib.get_close_matches(str(column), available, n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"{argument}={column!r} is not a column of {frame_name}.{hint} "
                f"Available columns: {available}"
            )


def _check_customer_ids(transactions: pd.DataFrame, customer_id_col: str) -> None:
    missing = transactions[customer_id_col].isna()
    if missing.any():
        raise ValueError(
            f"column {customer_id_col!r} has {int(missing.sum())} missing customer ids "
            f"(first at row {transactions.index[missing.to_numpy()][0]!r}); drop those rows first"
        )


def _check_monetary(transactions: pd.DataFrame, monetary_value_col: str | None) -> None:
    if monetary_value_col is None:
        return
    values = transactions[monetary_value_col]
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        coerced = pd.to_numeric(values, errors="coerce")
        bad = values[coerced.isna() & values.notna()]
        example = f"; first non-numeric value {bad.iloc[0]!r}" if len(bad) else ""
        raise TypeError(
            f"monetary_value_col={monetary_value_col!r} must be numeric, got dtype "
            f"{values.dtype}{example}. Convert it with pd.to_numeric first"
        )
    missing = values.isna()
    if missing.any():
        raise ValueError(
            f"column {monetary_value_col!r} has {int(missing.sum())} missing monetary values "
            f"(first at row {values.index[missing.to_numpy()][0]!r}); drop or fill them first"
        )


def _parse_dates(values: pd.Series, column: str, datetime_format: str | None) -> pd.Series:
    """Parse a date column, naming the first value that cannot be parsed."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            if datetime_format is None:
                raise TypeError(
                    f"datetime_col={column!r} holds numbers (dtype {values.dtype}, first value "
                    f"{values.iloc[0]!r}); pandas would read them as nanoseconds since 1970. "
                    'Pass datetime_format (for example "%Y%m%d") or convert the column first'
                )
            values = values.astype("string")
        try:
            parsed = pd.to_datetime(values, format=datetime_format, errors="coerce")
        except (ValueError, TypeError) as error:  # mixed types pandas refuses outright
            raise ValueError(f"datetime_col={column!r} could not be parsed: {error}") from error
        bad = parsed.isna() & values.notna()
        if bad.any():
            position = int(np.flatnonzero(bad.to_numpy())[0])
            fmt = f" with format {datetime_format!r}" if datetime_format else ""
            raise ValueError(
                f"datetime_col={column!r} has {int(bad.sum())} unparseable dates{fmt}; the first "
                f"is {values.iloc[position]!r} at row {values.index[position]!r}. Fix or drop it, "
                "or pass datetime_format"
            )
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    missing = parsed.isna()
    if missing.any():
        raise ValueError(
            f"datetime_col={column!r} has {int(missing.sum())} missing dates (first at row "
            f"{parsed.index[missing.to_numpy()][0]!r}); drop those rows first"
        )
    return parsed.astype("datetime64[ns]")


def _parse_point(value, argument: str, datetime_format: str | None) -> pd.Timestamp:
    """Parse a single date argument such as ``observation_period_end``."""
    if isinstance(value, pd.Period):
        return value.to_timestamp()
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = str(value)
    try:
        if isinstance(value, str) and datetime_format is not None:
            try:
                return pd.Timestamp(pd.to_datetime(value, format=datetime_format))
            except ValueError:
                pass
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{argument}={value!r} is not a date; pass a string like '1997-09-30', "
            "a datetime or a pandas Timestamp/Period"
        ) from error
    if stamp is pd.NaT:
        raise ValueError(f"{argument} is missing (NaT); pass a date")
    if stamp.tz is not None:
        stamp = stamp.tz_localize(None)
    return stamp


def _check_freq(freq: str) -> str:
    try:
        pd.Period("2000-01-01", freq=freq)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"freq={freq!r} is not a pandas period alias; use 'D' (days), 'W' (weeks), "
            "'M' (months) or 'h' (hours)"
        ) from error
    return freq


def _check_time_scaler(time_scaler) -> float:
    if (
        isinstance(time_scaler, bool)
        or not isinstance(time_scaler, (int, float, np.integer, np.floating))
        or not np.isfinite(time_scaler)
        or time_scaler <= 0
    ):
        raise ValueError(f"time_scaler must be a positive number, got {time_scaler!r}")
    return float(time_scaler)


def _prepare(
    transactions,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    datetime_format: str | None,
) -> pd.DataFrame:
    """Validate and return a copy with the needed columns, dates parsed."""
    _check_frame(transactions)
    _check_columns(
        transactions,
        customer_id_col=customer_id_col,
        datetime_col=datetime_col,
        monetary_value_col=monetary_value_col,
    )
    columns = [customer_id_col, datetime_col]
    if monetary_value_col is not None:
        columns.append(monetary_value_col)
    if len(set(columns)) != len(columns):
        raise ValueError(
            f"customer_id_col, datetime_col and monetary_value_col must name different columns, "
            f"got {columns}"
        )
    _check_customer_ids(transactions, customer_id_col)
    _check_monetary(transactions, monetary_value_col)
    frame = transactions[columns].copy()
    frame[datetime_col] = _parse_dates(frame[datetime_col], datetime_col, datetime_format)
    return frame


def _period_ordinals(timestamps, freq: str) -> np.ndarray:
    """Integer period number of each timestamp (consecutive periods differ by 1)."""
    return pd.PeriodIndex(pd.DatetimeIndex(timestamps), freq=freq).asi8


# --------------------------------------------------------------------------------------------
# BTYD summaries (PyMC-Marketing conventions)
# --------------------------------------------------------------------------------------------
def _summarise(
    frame: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    observation_end: pd.Timestamp,
    freq: str,
    time_scaler: float,
    include_first_transaction: bool,
) -> pd.DataFrame:
    """Per-customer summary of a validated frame (see :func:`rfm_summary`)."""
    end_ordinal = _period_ordinals([observation_end], freq)[0]
    period = _period_ordinals(frame[datetime_col], freq)
    keep = period <= end_ordinal
    periods = pd.DataFrame({"customer_id": frame[customer_id_col].to_numpy()[keep]})
    periods["period"] = period[keep]
    if monetary_value_col is not None:
        periods["value"] = frame[monetary_value_col].to_numpy(dtype=float)[keep]
        # purchases in the same period are merged: their values are summed
        periods = periods.groupby(["customer_id", "period"], sort=True, as_index=False)[
            "value"
        ].sum()
    else:
        periods = periods.drop_duplicates().sort_values(["customer_id", "period"])
    grouped = periods.groupby("customer_id", sort=True)["period"]
    first, last, count = grouped.min(), grouped.max(), grouped.count()
    summary = pd.DataFrame(index=first.index)
    summary["frequency"] = (count - 1).astype(float)
    summary["recency"] = (last - first).astype(float) / time_scaler
    summary["T"] = (end_ordinal - first).astype(float) / time_scaler
    if include_first_transaction:
        summary["frequency"] += 1.0
        summary["recency"] = summary["T"] - summary["recency"]
        summary = summary.drop(columns="T")
    if monetary_value_col is not None:
        values = periods["value"]
        if not include_first_transaction:
            is_first = periods["period"].to_numpy() == first.loc[periods["customer_id"]].to_numpy()
            values = values.mask(is_first)
        summary["monetary_value"] = (
            values.groupby(periods["customer_id"].to_numpy()).mean().reindex(summary.index)
        ).fillna(0.0)
    summary.index.name = "customer_id"
    return summary.reset_index()


def rfm_summary(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None = None,
    datetime_format: str | None = None,
    observation_period_end: DateLike | None = None,
    time_scaler: float = 1,
    freq: str = "D",
    include_first_transaction: bool = False,
    sort_transactions: bool = True,
) -> pd.DataFrame:
    """Summarise a transaction log into one row per customer for CLV (BTYD) models.

    Follows ``pymc_marketing.clv.utils.rfm_summary`` (itself adapted from ``lifetimes``) so
    that the output can be passed to PyMC-Marketing's BG/NBD, Pareto/NBD and Gamma-Gamma models
    unchanged; PyMC-Marketing's ``time_unit`` is called ``freq`` here. Every timestamp is
    mapped to its period (day, week, ...) and purchases by one customer in the same period
    are merged into one (their monetary values summed). Periods after
    ``observation_period_end`` are dropped.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_id_col : str
        Column with the customer id.
    datetime_col : str
        Column with the purchase time: datetimes, or strings/integers parsed with
        ``datetime_format`` (integers such as ``19970101`` need ``datetime_format="%Y%m%d"``).
    monetary_value_col : str, optional
        Column with the (numeric) value of each purchase. When given, the output has
        ``monetary_value``.
    datetime_format : str, optional
        ``strftime`` format of ``datetime_col`` when it is not already a datetime.
    observation_period_end : str, datetime, Timestamp or Period, optional
        End of the observation period; later purchases are ignored. Defaults to the last
        purchase in ``transactions``. Mapped to the start of its period, like the purchases.
    time_scaler : float, default=1
        Divides ``recency`` and ``T``: with ``freq="D"`` and ``time_scaler=7`` they are in
        weeks measured to the day (as in Fader, Hardie & Lee's published CDNOW tables).
    freq : str, default="D"
        Pandas period alias of the time unit: ``"D"`` days, ``"W"`` weeks (Monday-Sunday
        weeks; purchases in the same week are merged and ``recency``/``T`` are whole weeks),
        ``"M"`` months, ``"h"`` hours.
    include_first_transaction : bool, default=False
        ``False`` (CLV modelling): ``frequency`` counts repeat periods only, ``recency`` is
        the time from the first to the last purchase and ``T`` the time from the first purchase
        to the end of the observation period; ``monetary_value`` is the mean value of the
        repeat periods (0 for customers without repeats). ``True`` (RFM segmentation):
        ``frequency`` counts all purchase periods, ``recency`` is the time from the last
        purchase to the end of the observation period, ``T`` is dropped and
        ``monetary_value`` is the mean over all periods.
    sort_transactions : bool, default=True
        Kept for signature compatibility with PyMC-Marketing. The result never depends on row
        order here, so the flag has no effect.

    Returns
    -------
    DataFrame
        Columns ``customer_id, frequency, recency, T[, monetary_value]`` (float), one row per
        customer with a purchase on or before ``observation_period_end``, sorted by
        ``customer_id``.

    Raises
    ------
    TypeError
        If ``transactions`` is not a DataFrame, the monetary column is not numeric or the date
        column holds numbers without ``datetime_format``.
    ValueError
        If ``transactions`` is empty, a column is missing (the closest name is suggested), a
        date cannot be parsed (the first bad value is named), or ``observation_period_end`` is
        before the first purchase.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    An alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.

    PyMC-Marketing, ``pymc_marketing.clv.utils.rfm_summary``; Davidson-Pilon, C. lifetimes,
    ``lifetimes.utils.summary_data_from_transaction_data``.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"id": [1, 1, 1, 2], "day": ["2024-01-01", "2024-01-01",
    ...                     "2024-01-05", "2024-01-03"], "spend": [5.0, 5.0, 20.0, 8.0]})
    >>> rfm_summary(log, "id", "day", "spend", observation_period_end="2024-01-10")
       customer_id  frequency  recency     T  monetary_value
    0            1        1.0      4.0   9.0            20.0
    1            2        0.0      0.0   7.0             0.0
    """
    del sort_transactions  # accepted for PyMC-Marketing compatibility; order never matters here
    freq = _check_freq(freq)
    time_scaler = _check_time_scaler(time_scaler)
    frame = _prepare(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    first_purchase = frame[datetime_col].min()
    if observation_period_end is None:
        observation_end = frame[datetime_col].max()
    else:
        observation_end = _parse_point(
            observation_period_end, "observation_period_end", datetime_format
        )
        if (
            _period_ordinals([observation_end], freq)[0]
            < _period_ordinals([first_purchase], freq)[0]
        ):
            raise ValueError(
                f"observation_period_end={observation_end.date()} is before the first purchase "
                f"in transactions ({first_purchase.date()}): no customer can be summarised. "
                "Pass a later date or None (the last purchase)"
            )
    return _summarise(
        frame,
        customer_id_col,
        datetime_col,
        monetary_value_col,
        observation_end,
        freq,
        time_scaler,
        bool(include_first_transaction),
    )


def rfm_train_test_split(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    train_period_end: DateLike,
    test_period_end: DateLike | None = None,
    freq: str = "D",
    datetime_format: str | None = None,
    monetary_value_col: str | None = None,
    include_first_transaction: bool = False,
    sort_transactions: bool = True,
    time_scaler: float = 1,
) -> pd.DataFrame:
    """Calibration features and holdout targets per customer (calibration/holdout split).

    Follows ``pymc_marketing.clv.utils.rfm_train_test_split``: purchases on or before
    ``train_period_end`` are summarised with :func:`rfm_summary` (observation end
    ``train_period_end``); purchases after it and on or before ``test_period_end`` form the
    holdout. Customers are those whose first purchase is on or before ``train_period_end``;
    customers acquired in the holdout are left out.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer_id_col, datetime_col : str
        Customer id and purchase time columns.
    train_period_end : str, datetime, Timestamp or Period
        Last moment of the calibration period.
    test_period_end : str, datetime, Timestamp or Period, optional
        Last moment of the holdout period; defaults to the last purchase. Must be after
        ``train_period_end``.
    freq : str, default="D"
        Time unit (pandas period alias), as in :func:`rfm_summary`.
    datetime_format : str, optional
        Format of ``datetime_col`` when it is not already a datetime.
    monetary_value_col : str, optional
        Numeric purchase value column; adds ``monetary_value``, ``test_monetary_value`` and
        ``test_spend``.
    include_first_transaction : bool, default=False
        Passed to :func:`rfm_summary` for the calibration features.
    sort_transactions : bool, default=True
        Kept for PyMC-Marketing compatibility; no effect.
    time_scaler : float, default=1
        Divides ``recency``, ``T`` and ``test_T``.

    Returns
    -------
    DataFrame
        One row per calibration customer, sorted by ``customer_id``, with

        - ``customer_id, frequency, recency, T[, monetary_value]``: calibration features;
        - ``test_frequency``: number of holdout periods with a purchase (repeat purchases in
          the holdout, same-period purchases merged);
        - ``test_monetary_value``: mean value of those holdout periods (0 when none);
        - ``test_T``: length of the holdout in ``freq`` units / ``time_scaler``;
        - ``test_spend``: total holdout spend (only with ``monetary_value_col``);
        - ``churned``: ``True`` when the customer made no purchase in the holdout.

    Raises
    ------
    ValueError
        On the bad inputs listed in :func:`rfm_summary`, when ``train_period_end`` is on or
        after ``test_period_end``, or when no purchase falls on or before ``train_period_end``.

    Notes
    -----
    Unlike PyMC-Marketing, an empty holdout is not an error: every customer then has
    ``test_frequency = 0`` and ``churned = True``. With ``freq="W"`` and a calibration end in
    mid-week, holdout purchases in the rest of that week still count as one holdout period
    (PyMC-Marketing behaves the same).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    An alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.

    PyMC-Marketing, ``pymc_marketing.clv.utils.rfm_train_test_split``.
    """
    del sort_transactions
    freq = _check_freq(freq)
    time_scaler = _check_time_scaler(time_scaler)
    frame = _prepare(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    train_end = _parse_point(train_period_end, "train_period_end", datetime_format)
    if test_period_end is None:
        test_end = frame[datetime_col].max()
    else:
        test_end = _parse_point(test_period_end, "test_period_end", datetime_format)
    if train_end >= test_end:
        raise ValueError(
            f"train_period_end={train_end} must be before test_period_end={test_end}: "
            "the holdout period would be empty. Pass an earlier train_period_end or a later "
            "test_period_end"
        )
    dates = frame[datetime_col]
    first_purchase = dates.min()
    training = frame.loc[dates <= train_end]
    if training.empty:
        raise ValueError(
            f"train_period_end={train_end.date()} is before the first purchase in "
            f"transactions ({first_purchase.date()}): the calibration period is empty. "
            "Pass a later train_period_end"
        )
    summary = _summarise(
        training,
        customer_id_col,
        datetime_col,
        monetary_value_col,
        train_end,
        freq,
        time_scaler,
        bool(include_first_transaction),
    )
    holdout = frame.loc[(dates > train_end) & (dates <= test_end)]
    holdout_periods = pd.DataFrame(
        {
            "customer_id": holdout[customer_id_col].to_numpy(),
            "period": _period_ordinals(holdout[datetime_col], freq),
        }
    )
    if monetary_value_col is not None:
        holdout_periods["value"] = holdout[monetary_value_col].to_numpy(dtype=float)
        merged = holdout_periods.groupby(["customer_id", "period"], as_index=False)["value"].sum()
        per_customer = merged.groupby("customer_id")["value"].agg(["count", "mean", "sum"])
    else:
        merged = holdout_periods.drop_duplicates()
        per_customer = merged.groupby("customer_id")["period"].agg(["count"])
    customers = pd.Index(summary["customer_id"])
    per_customer = per_customer.reindex(customers).fillna(0.0)
    summary["test_frequency"] = per_customer["count"].to_numpy(dtype=float)
    if monetary_value_col is not None:
        summary["test_monetary_value"] = per_customer["mean"].to_numpy(dtype=float)
    holdout_length = _period_ordinals([test_end], freq)[0] - _period_ordinals([train_end], freq)[0]
    summary["test_T"] = holdout_length / time_scaler
    if monetary_value_col is not None:
        summary["test_spend"] = per_customer["sum"].to_numpy(dtype=float)
    summary["churned"] = summary["test_frequency"].to_numpy() == 0
    return summary


# --------------------------------------------------------------------------------------------
# marketing RFM: table, scores, segments
# --------------------------------------------------------------------------------------------
def rfm_table(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str,
    observation_period_end: DateLike | None = None,
    invoice_col: str | None = None,
    datetime_format: str | None = None,
) -> pd.DataFrame:
    """The marketing RFM table: days since last purchase, purchase count, total spend.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase (or per invoice line).
    customer_id_col, datetime_col, monetary_value_col : str
        Customer id, purchase time and (numeric) purchase value columns.
    observation_period_end : date-like, optional
        The "today" recency is measured from; later purchases are ignored. Defaults to the
        last purchase in ``transactions``.
    invoice_col : str, optional
        Invoice/order id column. When given, ``frequency`` counts distinct invoices; otherwise
        it counts distinct purchase *days* (several purchases on one day count once, as in
        the BTYD summaries).
    datetime_format : str, optional
        Format of ``datetime_col`` when it is not already a datetime.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (sorted), with integer ``recency_days`` (whole calendar days
        from the last purchase to ``observation_period_end``), integer ``frequency`` (purchase
        days or invoices) and float ``monetary`` (total spend, all purchases included).

    Notes
    -----
    This is the package's one implementation of the marketing RFM table (the segmentation
    problems use it too). ``recency_days`` is 0 for a customer who bought on
    ``observation_period_end`` itself; the "snapshot = last day + 1" convention some tutorials use
    adds one day to every customer, which leaves ranks and RFM scores unchanged, and was dropped
    so that the number reads literally as "days since the last purchase".

    Raises
    ------
    ValueError, TypeError
        On the bad inputs listed in :func:`rfm_summary`.

    References
    ----------
    Hughes, A. M. (1994). Strategic Database Marketing. Probus, Chicago.
    """
    _check_frame(transactions)
    _check_columns(transactions, invoice_col=invoice_col)
    frame = _prepare(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    if invoice_col is not None:
        frame["_invoice"] = transactions[invoice_col].to_numpy()
    dates = frame[datetime_col]
    if observation_period_end is None:
        observation_end = dates.max()
    else:
        observation_end = _parse_point(
            observation_period_end, "observation_period_end", datetime_format
        )
        if observation_end.normalize() < dates.min().normalize():
            raise ValueError(
                f"observation_period_end={observation_end.date()} is before the first purchase "
                f"in transactions ({dates.min().date()}). Pass a later date or None"
            )
    frame = frame.loc[dates.dt.normalize() <= observation_end.normalize()]
    day = frame[datetime_col].dt.normalize()
    grouped = frame.groupby(customer_id_col, sort=True)
    last_day = day.groupby(frame[customer_id_col]).max()
    table = pd.DataFrame(index=last_day.index)
    table["recency_days"] = (observation_end.normalize() - last_day).dt.days.astype("int64")
    if invoice_col is not None:
        table["frequency"] = grouped["_invoice"].nunique().astype("int64")
    else:
        table["frequency"] = day.groupby(frame[customer_id_col]).nunique().astype("int64")
    table["monetary"] = grouped[monetary_value_col].sum().astype(float)
    table.index.name = "customer_id"
    return table


def _rank_scores(values: pd.Series, n_bins: int, ties: str) -> np.ndarray:
    """Equal-frequency scores 1..n_bins from ranks (higher value -> higher score)."""
    n = len(values)
    if ties == "split":
        # stable: equal values are ordered by the index, so row order never matters
        order = np.lexsort((np.arange(n), values.index.to_numpy()))
        ranks = np.empty(n, dtype=float)
        ranked = values.iloc[order].rank(method="first").to_numpy()
        ranks[order] = ranked
    else:
        ranks = values.rank(method="min").to_numpy()
    return (np.floor((ranks - 1) * n_bins / n) + 1).astype("int64")


def rfm_scores(
    rfm: pd.DataFrame,
    n_bins: int = 5,
    recency_col: str = "recency_days",
    frequency_col: str = "frequency",
    monetary_col: str = "monetary",
    ties: str = "split",
) -> pd.DataFrame:
    """Quantile scores for recency, frequency and monetary value, and the RFM score string.

    Each score is the customer's equal-frequency bin (quintile for ``n_bins=5``) of the rank
    of the variable. Ranks are used instead of ``pandas.qcut`` on the raw values so that heavy
    ties (most customers buy once) cannot produce duplicate bin edges. Recency is reversed:
    the most recent customers get the highest ``r_score``.

    Parameters
    ----------
    rfm : DataFrame
        One row per customer, e.g. the output of :func:`rfm_table`.
    n_bins : int, default=5
        Number of score levels, 2..9 (one digit each in ``rfm_score``).
    recency_col, frequency_col, monetary_col : str
        Column names in ``rfm``; defaults match :func:`rfm_table`.
    ties : {"split", "together"}, default="split"
        ``"split"``: exact equal-size bins; customers tied at a bin edge are split by their
        index (customer id) order, so the result never depends on row order.
        ``"together"``: tied customers share the lowest score their group reaches (bins may
        then be unequal or skipped).

    Returns
    -------
    DataFrame
        A copy of ``rfm`` with integer ``r_score, f_score, m_score`` in 1..n_bins and the
        string ``rfm_score`` such as ``"545"``.

    References
    ----------
    Hughes, A. M. (1994). Strategic Database Marketing. Probus, Chicago.
    """
    _check_frame(rfm, "rfm")
    _check_columns(
        rfm, "rfm", recency_col=recency_col, frequency_col=frequency_col, monetary_col=monetary_col
    )
    if (
        isinstance(n_bins, bool)
        or not isinstance(n_bins, (int, np.integer))
        or not 2 <= n_bins <= 9
    ):
        raise ValueError(f"n_bins must be an integer from 2 to 9, got {n_bins!r}")
    if ties not in ("split", "together"):
        raise ValueError(f"ties must be 'split' or 'together', got {ties!r}")
    for column in (recency_col, frequency_col, monetary_col):
        values = rfm[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            raise TypeError(f"column {column!r} must be numeric, got dtype {values.dtype}")
        if values.isna().any():
            raise ValueError(
                f"column {column!r} has {int(values.isna().sum())} missing values; "
                "drop or fill them before scoring"
            )
    scored = rfm.copy()
    scored["r_score"] = _rank_scores(-rfm[recency_col].astype(float), n_bins, ties)
    scored["f_score"] = _rank_scores(rfm[frequency_col].astype(float), n_bins, ties)
    scored["m_score"] = _rank_scores(rfm[monetary_col].astype(float), n_bins, ties)
    scored["rfm_score"] = (
        scored["r_score"].astype(str)
        + scored["f_score"].astype(str)
        + scored["m_score"].astype(str)
    )
    return scored


def _grid(cells: str) -> list[str]:
    """Expand 'R:F' ranges like '34:45' (R in 3..4, F in 4..5) into 'RF' strings."""
    r_range, f_range = cells.split(":")
    r_values = range(int(r_range[0]), int(r_range[-1]) + 1)
    f_values = range(int(f_range[0]), int(f_range[-1]) + 1)
    return [f"{r}{f}" for r in r_values for f in f_values]


#: The R x F segment grid used by :func:`rfm_segments` (recency score, frequency score, 1..5).
#: Each of the 25 cells belongs to exactly one segment::
#:
#:     F score ->        1              2              3             4            5
#:     R = 5      New Customers   Potential Loy. Potential Loy. Champions     Champions
#:     R = 4      Promising       Potential Loy. Potential Loy. Loyal         Loyal
#:     R = 3      About To Sleep  About To Sleep Need Attention Loyal         Loyal
#:     R = 2      Hibernating     Hibernating    At Risk        At Risk       Can't Lose Them
#:     R = 1      Lost            Hibernating    At Risk        At Risk       Can't Lose Them
RFM_SEGMENT_GRID: dict[str, list[str]] = {
    "Champions": _grid("5:45"),
    "Loyal Customers": _grid("34:45"),
    "Potential Loyalist": _grid("45:23"),
    "New Customers": _grid("5:1"),
    "Promising": _grid("4:1"),
    "Need Attention": _grid("3:3"),
    "About To Sleep": _grid("3:12"),
    "At Risk": _grid("12:34"),
    "Can't Lose Them": _grid("12:5"),
    "Hibernating": ["12", "21", "22"],
    "Lost": ["11"],
}


def rfm_segments(
    scores: pd.DataFrame, segment_grid: Mapping[str, list[str]] | None = None
) -> pd.Series:
    """Named RFM segments (Champions, At Risk, Lost, ...) from recency and frequency scores.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores` with ``n_bins=5`` (columns ``r_score`` and ``f_score`` in
        1..5).
    segment_grid : mapping of str to list of str, optional
        Segment name -> list of two-digit ``"RF"`` cells. Defaults to
        :data:`RFM_SEGMENT_GRID`, the common 5 x 5 R x F grid; every cell of the scores must
        be covered.

    Returns
    -------
    Series
        Categorical segment name per customer, with the index of ``scores``; the categories
        are the segment names in grid order.

    Notes
    -----
    The default grid is the widely used recency x frequency segment map (e.g. Putler, "RFM
    analysis for successful customer segmentation"), with the low-low corner split into
    "Hibernating" and "Lost" (R = F = 1) to give the eleven named segments:

    ============  ==================================================================
    segment       cells (R score, F score)
    ============  ==================================================================
    Champions           R 5, F 4-5
    Loyal Customers     R 3-4, F 4-5
    Potential Loyalist  R 4-5, F 2-3
    New Customers       R 5, F 1
    Promising           R 4, F 1
    Need Attention      R 3, F 3
    About To Sleep      R 3, F 1-2
    At Risk             R 1-2, F 3-4
    Can't Lose Them     R 1-2, F 5
    Hibernating         R 1-2, F 1-2 except R 1 F 1
    Lost                R 1, F 1
    ============  ==================================================================

    References
    ----------
    Hughes, A. M. (1994). Strategic Database Marketing. Probus, Chicago.
    Putler. RFM analysis for successful customer segmentation. https://www.putler.com/rfm-analysis/
    """
    _check_frame(scores, "scores")
    _check_columns(scores, "scores", r_score="r_score", f_score="f_score")
    grid = RFM_SEGMENT_GRID if segment_grid is None else dict(segment_grid)
    lookup: dict[str, str] = {}
    for name, cells in grid.items():
        for cell in cells:
            if cell in lookup:
                raise ValueError(
                    f"segment_grid cell {cell!r} is in both {lookup[cell]!r} and {name!r}"
                )
            lookup[cell] = name
    for column in ("r_score", "f_score"):
        values = scores[column]
        if not pd.api.types.is_integer_dtype(values) or values.min() < 1 or values.max() > 9:
            raise ValueError(
                f"column {column!r} must hold integer scores 1..9 (use rfm_scores(n_bins=5)), "
                f"got dtype {values.dtype} with range {values.min()!r}..{values.max()!r}"
            )
    cells = scores["r_score"].astype(str) + scores["f_score"].astype(str)
    uncovered = sorted(set(cells) - set(lookup))
    if uncovered:
        raise ValueError(
            f"R/F score cells {uncovered} are not in segment_grid; the default grid expects "
            "scores from rfm_scores(n_bins=5), or pass a segment_grid that covers every cell"
        )
    return pd.Series(
        pd.Categorical(cells.map(lookup), categories=list(grid)),
        index=scores.index,
        name="segment",
    )


# --------------------------------------------------------------------------------------------
# value tiers and the 80/20 rule
# --------------------------------------------------------------------------------------------
def _check_values(values, argument: str) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{argument} must be 1-D (one value per customer), got a DataFrame")
    array = np.asarray(values)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{argument} must be numeric, got dtype {array.dtype}")
    array = array.astype(float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{argument} must be a non-empty 1-D array with one value per customer, "
            f"got shape {array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{argument} has NaN or infinite values; drop or fill them first")
    return array


def _check_fraction(top_fraction) -> float:
    if isinstance(top_fraction, bool) or not isinstance(top_fraction, (int, float, np.number)):
        raise TypeError(f"top_fraction must be a number in (0, 1), got {top_fraction!r}")
    if not 0 < top_fraction < 1:
        raise ValueError(f"top_fraction must be in (0, 1), got {top_fraction!r}")
    return float(top_fraction)


def _top_count(n: int, top_fraction: float) -> int:
    """Number of customers in the top fraction: ceil(fraction * n), at least 1."""
    return max(1, math.ceil(top_fraction * n - 1e-9))


def _top_mask(values: np.ndarray, top_fraction: float) -> np.ndarray:
    """True for the top ceil(fraction * n) values; ties broken by position (stable)."""
    k = _top_count(values.size, top_fraction)
    order = np.argsort(-values, kind="stable")
    mask = np.zeros(values.size, dtype=bool)
    mask[order[:k]] = True
    return mask


def top_share_of_revenue(values, top_fraction: float = 0.2) -> float:
    """Share of total revenue brought by the top ``top_fraction`` of customers (80/20 rule).

    Parameters
    ----------
    values : array-like of shape (n_customers,)
        Revenue (or profit) per customer, non-negative.
    top_fraction : float, default=0.2
        Share of customers counted as the top ("golden") customers: the ``ceil(top_fraction *
        n_customers)`` customers with the highest values.

    Returns
    -------
    float
        Their share of the total, in [top_fraction, 1] up to rounding of the customer count.

    References
    ----------
    Koch, R. (1998). The 80/20 Principle. Nicholas Brealey, London.
    """
    top_fraction = _check_fraction(top_fraction)
    array = _check_values(values, "values")
    if (array < 0).any():
        raise ValueError(
            f"values has {int((array < 0).sum())} negative entries (first {array[array < 0][0]!r});"
            " revenue shares need non-negative values: clip or drop refund-only customers"
        )
    total = array.sum()
    if total <= 0:
        raise ValueError("values sum to zero: there is no revenue to share out")
    ordered = np.sort(array)[::-1]
    return float(ordered[: _top_count(array.size, top_fraction)].sum() / total)


def pareto_curve(values) -> pd.DataFrame:
    """Cumulative revenue share against customer share, best customers first.

    Parameters
    ----------
    values : array-like of shape (n_customers,)
        Revenue (or profit) per customer, non-negative.

    Returns
    -------
    DataFrame
        ``n_customers + 1`` rows with ``customer_share`` (0, 1/n, ..., 1) and
        ``revenue_share`` (0 .. 1, non-decreasing and concave): the share of revenue brought by
        the best ``customer_share`` of customers. The first row is (0, 0).

    References
    ----------
    Koch, R. (1998). The 80/20 Principle. Nicholas Brealey, London.
    """
    array = _check_values(values, "values")
    if (array < 0).any():
        raise ValueError(
            "values has negative entries; revenue shares need non-negative values: clip or drop "
            "refund-only customers"
        )
    total = array.sum()
    if total <= 0:
        raise ValueError("values sum to zero: there is no revenue to share out")
    ordered = np.sort(array)[::-1]
    return pd.DataFrame(
        {
            "customer_share": np.arange(array.size + 1) / array.size,
            "revenue_share": np.r_[0.0, np.cumsum(ordered) / total],
        }
    )


def value_tiers(current_value, predicted_value=None, top_fraction: float = 0.2) -> pd.Series:
    """Label customers by value: golden vs regular, or mature / growth / exploration.

    Parameters
    ----------
    current_value : array-like of shape (n_customers,)
        Value brought so far (e.g. total spend or profit in the calibration period).
    predicted_value : array-like of shape (n_customers,), optional
        Predicted future value (e.g. CLV over the next year).
    top_fraction : float, default=0.2
        Share of customers counted as "high" on each value.

    Returns
    -------
    Series
        Categorical labels, indexed like ``current_value`` when it is a Series.

        - Without ``predicted_value``: ``"golden"`` for the top ``ceil(top_fraction * n)``
          customers by current value (the 2/8 rule), ``"regular"`` for the rest.
        - With ``predicted_value``, the three tiers by profit contribution:
          ``"mature"`` = top ``top_fraction`` by current value (profitable now, whatever
          the prediction); ``"growth"`` = not mature but top ``top_fraction`` by predicted
          value (little profit now, the future profit engine); ``"exploration"`` = neither
          (no profit yet, the long-term growth engine).

        "Top ``top_fraction``" means the ``ceil(top_fraction * n)`` highest values, ties
        broken by position; without ties this equals "at or above the ``1 - top_fraction``
        quantile" of that value.

    References
    ----------
    Koch, R. (1998). The 80/20 Principle. Nicholas Brealey, London.
    Gupta, S., Hanssens, D., Hardie, B., et al. (2006). Modeling customer lifetime value.
    Journal of Service Research, 9(2), 139-155.
    """
    top_fraction = _check_fraction(top_fraction)
    current = _check_values(current_value, "current_value")
    index = current_value.index if isinstance(current_value, pd.Series) else None
    high_current = _top_mask(current, top_fraction)
    if predicted_value is None:
        labels = np.where(high_current, "golden", "regular")
        categories = ["golden", "regular"]
    else:
        predicted = _check_values(predicted_value, "predicted_value")
        if predicted.size != current.size:
            raise ValueError(
                f"predicted_value has {predicted.size} customers but current_value has "
                f"{current.size}; pass one value per customer in the same order"
            )
        high_predicted = _top_mask(predicted, top_fraction)
        labels = np.where(high_current, "mature", np.where(high_predicted, "growth", "exploration"))
        categories = ["mature", "growth", "exploration"]
    return pd.Series(pd.Categorical(labels, categories=categories), index=index, name="value_tier")
