"""Customer features from a transaction log: BTYD summaries, RFM scores and segments, value tiers.

Data flows ``datasets`` -> ``features`` -> ``problems``. Every function here takes a tidy
transaction log (one row per purchase: a customer id, a timestamp and optionally a monetary
value) and returns one row per customer.

Two families of "RFM" live here and they are deliberately kept apart:

* :func:`rfm_summary` and :func:`rfm_train_test_split` build the inputs of the probabilistic
  "buy till you die" models (BG/NBD, Pareto/NBD, Gamma-Gamma) with PyMC-Marketing's column names
  and conventions: ``frequency`` counts *repeat* purchase periods, ``recency`` is the age of the
  customer at the last purchase and ``T`` the age at the end of the observation period, all in
  the same time unit. They also read parquet files (and :func:`rfm_summary` Dask frames), and
  above a million purchases switch from the pandas reference to a sort-based numpy engine that
  gives the same table (``engine=``; the measurements are in :func:`rfm_summary`'s Notes).
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
import os
from collections.abc import Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd

__all__ = [
    "AUTO_ENGINE_MIN_ROWS",
    "ENGINES",
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


# --------------------------------------------------------------------------------------------
# engines: the sort-based numpy engine, parquet files and Dask frames
# --------------------------------------------------------------------------------------------
#: Engines of :func:`rfm_summary` and :func:`rfm_train_test_split`.
ENGINES = ("auto", "pandas", "numpy")
#: ``engine="auto"`` uses the sort-based numpy engine from this many transactions on.
AUTO_ENGINE_MIN_ROWS = 1_000_000
#: Rows decoded from a parquet file at a time.
PARQUET_BATCH_ROWS = 2_000_000

_NS_PER_PERIOD = {
    "D": 86_400_000_000_000,
    "h": 3_600_000_000_000,
    "min": 60_000_000_000,
    "s": 1_000_000_000,
    "ms": 1_000_000,
    "us": 1_000,
    "ns": 1,
}


def _check_engine(engine) -> str:
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ValueError(
            f"engine={engine!r} is not one of {list(ENGINES)}: 'auto' picks 'pandas' below "
            f"{AUTO_ENGINE_MIN_ROWS:,} transactions and 'numpy' from there on"
        )
    return engine


def _resolve_engine(engine: str, n_rows: int) -> str:
    if engine == "auto":
        return "numpy" if n_rows >= AUTO_ENGINE_MIN_ROWS else "pandas"
    return engine


def _fast_period_ordinals(dates, freq: str) -> np.ndarray:
    """``pd.PeriodIndex(dates, freq=freq).asi8`` computed with integer arithmetic.

    Days, hours, minutes, seconds (and finer), Monday-Sunday weeks (``"W"``) and months are
    computed from the nanoseconds since 1970 (floor division, so dates before 1970 are right
    too); any other alias falls back to pandas. The tests check both give the same integers.
    """
    dates = np.asarray(dates)
    if dates.dtype != np.dtype("datetime64[ns]"):
        dates = dates.astype("datetime64[ns]")
    name = pd.Period("2000-01-01", freq=freq).freqstr
    nanoseconds = dates.view(np.int64)
    if name in _NS_PER_PERIOD:
        return nanoseconds // _NS_PER_PERIOD[name]
    if name == "W-SUN":  # pandas "W": weeks ending on Sunday; 1970-01-01 was a Thursday
        return (nanoseconds // _NS_PER_PERIOD["D"] + 3) // 7 + 1
    if name == "M":
        return dates.astype("datetime64[M]").view(np.int64)
    return pd.PeriodIndex(pd.DatetimeIndex(dates), freq=freq).asi8


def _customer_codes(customer_ids: np.ndarray, period_bits: int):
    """Non-negative int64 codes for the customer ids and a function mapping codes back.

    Integer ids are shifted by their minimum (no hashing, and codes keep the ids' order);
    other ids (strings, ...) are factorized.
    """
    if customer_ids.dtype.kind in "iu" and customer_ids.size:
        low, high = customer_ids.min(), customer_ids.max()
        if (int(high) - int(low) + 1) << period_bits < 2**62:
            dtype = customer_ids.dtype
            if dtype == np.uint64:  # the difference is small, so unsigned arithmetic is exact
                codes = (customer_ids - low).astype(np.int64)
            else:  # widen first: int32 ids far apart would overflow in int32
                codes = customer_ids.astype(np.int64) - int(low)
            return codes, lambda codes: (codes + int(low)).astype(dtype)
    codes, uniques = pd.factorize(customer_ids)
    return codes.astype(np.int64), lambda codes: uniques[codes]


def _sort_with_order(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``key`` sorted, and the stable order that sorts it (equal keys keep row order).

    When the key and the row number fit in 63 bits together, the row number is packed into
    the low bits and the packed integers are sorted by value: numpy's SIMD value sort is
    several times faster than ``argsort`` on this machine (measured: 0.13 s against 0.88 s for
    6 million random int64 keys).
    """
    n = key.size
    index_bits = max(1, int(n - 1).bit_length())
    if int(key.max()).bit_length() + index_bits <= 63:
        packed = key << index_bits
        packed |= np.arange(n, dtype=np.int64)
        packed.sort()
        order = packed & ((1 << index_bits) - 1)
        packed >>= index_bits
        return packed, order
    order = np.argsort(key, kind="stable")
    return key[order], order


def _empty_totals(customer_ids: np.ndarray, with_value: bool) -> dict:
    empty = {
        "customer_id": customer_ids[:0],
        "n_periods": np.zeros(0, np.int64),
        "first": np.zeros(0, np.int64),
        "last": np.zeros(0, np.int64),
    }
    if with_value:
        empty["value"] = empty["value_after_first"] = np.zeros(0)
    return empty


def _period_totals(customer_ids: np.ndarray, periods: np.ndarray, values) -> dict:
    """Per customer: distinct purchase periods, first and last period, value totals.

    Sort-based: one sort of a combined (customer, period) integer key, run boundaries where
    the key changes, and ``np.add.reduceat`` for the sums. Returns a dict of arrays, one
    entry per customer, sorted by customer id: ``customer_id``, ``n_periods``, ``first``,
    ``last`` and, with ``values``, ``value`` (total) and ``value_after_first`` (total of the
    periods after the first).
    """
    if periods.size == 0:
        return _empty_totals(customer_ids, values is not None)
    period_min = periods.min()
    period_bits = int(periods.max() - period_min).bit_length()
    codes, decode = _customer_codes(customer_ids, period_bits)
    key = codes << period_bits
    key |= periods - period_min
    del codes
    key, order = _sort_with_order(key)
    if values is not None:
        values = np.asarray(values, dtype=float)[order]
    del order
    totals = _totals_from_sorted(key, values, period_bits, period_min, decode)
    ids = totals["customer_id"]
    if ids.size > 1 and not (ids.dtype.kind in "iu" and bool(np.all(ids[1:] > ids[:-1]))):
        ordering = pd.Index(ids).argsort()  # factorized ids come in order of appearance
        totals = {name: array[ordering] for name, array in totals.items()}
    return totals


def _totals_from_sorted(key: np.ndarray, values, period_bits: int, period_min: int, decode) -> dict:
    """:func:`_period_totals` from the sorted keys ``code << period_bits | period - period_min``
    and the values in the same order; ``decode`` maps codes to customer ids. Frees the
    row-level arrays as soon as the period-level ones exist (at most four row-sized arrays
    are alive at a time)."""
    changes = np.empty(key.size, dtype=bool)
    changes[0] = True
    np.not_equal(key[1:], key[:-1], out=changes[1:])
    period_start = np.flatnonzero(changes)
    del changes
    period_value = None if values is None else np.add.reduceat(values, period_start)
    del values
    period_key = key[period_start]
    del key, period_start
    customer_code = period_key >> period_bits
    period = period_key
    del period_key
    period &= (1 << period_bits) - 1
    period += period_min
    new_customer = np.empty(customer_code.size, dtype=bool)
    new_customer[0] = True
    np.not_equal(customer_code[1:], customer_code[:-1], out=new_customer[1:])
    customer_start = np.flatnonzero(new_customer)
    del new_customer
    customer_end = np.append(customer_start[1:], customer_code.size)
    totals = {
        "customer_id": decode(customer_code[customer_start]),
        "n_periods": customer_end - customer_start,
        "first": period[customer_start],
        "last": period[customer_end - 1],
    }
    del customer_code, period
    if period_value is not None:
        totals["value"] = np.add.reduceat(period_value, customer_start)
        period_value[customer_start] = 0.0
        totals["value_after_first"] = np.add.reduceat(period_value, customer_start)
    return totals


def _large_period_totals(segment: list, id_dtype) -> dict | None:
    """:func:`_period_totals` of one window of a parquet log, reusing its arrays.

    With int64 customer ids whose (id, period, row) key fits in 63 bits (10 million
    customers x 10 years of days x a billion rows do), the key is built in place in the id
    column and sorted in place: no copy of the log is made. Otherwise the general kernel
    runs. None when the window has no rows.
    """
    if not segment or segment[1].size == 0:
        return None
    ids, periods, values = segment
    segment.clear()  # the caller's list no longer keeps the columns alive
    n = ids.size
    period_low, period_high = int(periods.min()), int(periods.max())
    period_bits = (period_high - period_low).bit_length()
    index_bits = max(1, (n - 1).bit_length())
    fits = ids.dtype == np.int64
    if fits:
        id_low, id_high = int(ids.min()), int(ids.max())
        fits = (id_high - id_low).bit_length() + period_bits + index_bits <= 63
    if not fits:
        return _period_totals(ids.astype(id_dtype, copy=False), periods, values)
    # the id column is overwritten: key = (id - id_low) << period_bits | period - period_low,
    # then shifted left by index_bits with the row number in the low bits
    key = ids
    key -= id_low
    key <<= period_bits
    chunk = 1 << 22
    for start in range(0, n, chunk):
        part = key[start : start + chunk]
        part |= periods[start : start + chunk] - period_low
        part <<= index_bits
        part |= np.arange(start, start + part.size, dtype=np.int64)
    del periods
    key.sort()
    order = key & ((1 << index_bits) - 1)
    key >>= index_bits
    if values is not None:
        values = values[order]
    del order
    return _totals_from_sorted(
        key, values, period_bits, period_low, lambda codes: (codes + id_low).astype(id_dtype)
    )


def _summary_from_totals(
    totals: dict,
    end_ordinal: int,
    time_scaler: float,
    include_first_transaction: bool,
    with_value: bool,
) -> pd.DataFrame:
    """The :func:`rfm_summary` table from :func:`_period_totals` (same arithmetic as pandas)."""
    count = totals["n_periods"]
    first, last = totals["first"], totals["last"]
    summary = pd.DataFrame({"customer_id": totals["customer_id"]})
    summary["frequency"] = (count - 1).astype(float)
    summary["recency"] = (last - first).astype(float) / time_scaler
    summary["T"] = (end_ordinal - first).astype(float) / time_scaler
    if include_first_transaction:
        summary["frequency"] += 1.0
        summary["recency"] = summary["T"] - summary["recency"]
        summary = summary.drop(columns="T")
    if with_value:
        if include_first_transaction:
            monetary = totals["value"] / count
        else:
            repeats = count - 1
            monetary = np.zeros(count.size)
            np.divide(totals["value_after_first"], repeats, out=monetary, where=repeats > 0)
        summary["monetary_value"] = monetary
    return summary


def _add_holdout(
    summary: pd.DataFrame, holdout: dict, holdout_length: float, with_value: bool
) -> pd.DataFrame:
    """Holdout columns of :func:`rfm_train_test_split` from the holdout's period totals."""
    position = pd.Index(holdout["customer_id"]).get_indexer(summary["customer_id"])
    found = position >= 0
    count = np.zeros(len(summary))
    count[found] = holdout["n_periods"][position[found]]
    summary["test_frequency"] = count
    if with_value:
        spend = np.zeros(len(summary))
        spend[found] = holdout["value"][position[found]]
        mean = np.zeros(len(summary))
        np.divide(spend, count, out=mean, where=count > 0)
        summary["test_monetary_value"] = mean
    summary["test_T"] = holdout_length
    if with_value:
        summary["test_spend"] = spend
    summary["churned"] = summary["test_frequency"].to_numpy() == 0
    return summary


def _frame_arrays(frame, customer_id_col, datetime_col, monetary_value_col, freq, mask=None):
    """(customer ids, period ordinals, values) of the validated frame's rows in ``mask``."""
    ids = frame[customer_id_col].to_numpy()
    dates = frame[datetime_col].to_numpy()
    values = None if monetary_value_col is None else frame[monetary_value_col].to_numpy(float)
    if mask is not None and not mask.all():
        ids, dates = ids[mask], dates[mask]
        values = None if values is None else values[mask]
    return ids, _fast_period_ordinals(dates, freq), values


def _summarise_numpy(
    frame: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    observation_end: pd.Timestamp,
    freq: str,
    time_scaler: float,
    include_first_transaction: bool,
) -> pd.DataFrame:
    """:func:`_summarise` computed by the sort-based numpy engine."""
    end_ordinal = _fast_period_ordinals([observation_end.to_datetime64()], freq)[0]
    ids, periods, values = _frame_arrays(
        frame, customer_id_col, datetime_col, monetary_value_col, freq
    )
    keep = periods <= end_ordinal
    if not keep.all():
        ids, periods = ids[keep], periods[keep]
        values = None if values is None else values[keep]
    totals = _period_totals(ids, periods, values)
    return _summary_from_totals(
        totals, end_ordinal, time_scaler, include_first_transaction, values is not None
    )


# -- parquet files ---------------------------------------------------------------------------
def _is_path(transactions) -> bool:
    return isinstance(transactions, (str, os.PathLike))


def _is_dask_frame(transactions) -> bool:
    return type(transactions).__module__.split(".")[0] in ("dask", "dask_expr")


def _open_parquet(path, customer_id_col, datetime_col, monetary_value_col):
    import pyarrow.parquet as pq

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"transactions={path!r}: no such parquet file; pass a pandas or Dask DataFrame, "
            "or the path of a parquet file with one row per purchase"
        )
    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises its own error types for non-parquet files
        raise ValueError(
            f"transactions={path!r} is not a readable parquet file: {error}"
        ) from error
    names = parquet.schema_arrow.names
    _check_columns(
        pd.DataFrame(columns=names),
        f"the parquet file {path!r}",
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
    if parquet.metadata.num_rows == 0:
        raise ValueError(
            f"the parquet file {path!r} has no rows: pass a transaction log with at least one "
            "purchase"
        )
    return parquet, columns


def _batch_columns(batch, offset, customer_id_col, datetime_col, monetary_value_col, fmt):
    """Validated numpy columns of one record batch (the checks of :func:`_prepare`)."""
    import pyarrow as pa

    id_column = batch.column(customer_id_col)
    if id_column.null_count:
        first = int(np.flatnonzero(id_column.is_null().to_numpy(zero_copy_only=False))[0])
        raise ValueError(
            f"column {customer_id_col!r} has missing customer ids (first at row "
            f"{offset + first}); drop those rows first"
        )
    ids = id_column.to_numpy(zero_copy_only=False)
    date_column = batch.column(datetime_col)
    if (pa.types.is_timestamp(date_column.type) and date_column.type.tz is None) or (
        pa.types.is_date(date_column.type)
    ):
        if date_column.null_count:
            raise ValueError(
                f"datetime_col={datetime_col!r} has missing dates; drop those rows first"
            )
        dates = date_column.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False)
    else:  # strings, integers, time zones: the pandas parser and its messages
        series = date_column.to_pandas()
        series.index = pd.RangeIndex(offset, offset + len(series))
        dates = _parse_dates(series, datetime_col, fmt).to_numpy()
    values = None
    if monetary_value_col is not None:
        value_column = batch.column(monetary_value_col)
        if not (pa.types.is_integer(value_column.type) or pa.types.is_floating(value_column.type)):
            raise TypeError(
                f"monetary_value_col={monetary_value_col!r} must be numeric, got parquet type "
                f"{value_column.type}. Convert it before writing the file"
            )
        if value_column.null_count:
            raise ValueError(
                f"column {monetary_value_col!r} has missing monetary values; drop or fill them "
                "first"
            )
        values = value_column.to_numpy(zero_copy_only=False).astype(float, copy=False)
    return ids, dates, values


def _parquet_batches(parquet, columns):
    """Record batches of at most ``PARQUET_BATCH_ROWS`` rows, one row group at a time.

    A row group is read whole when it is small enough (faster, and pyarrow hands its memory
    back when it is dropped); larger ones are streamed.
    """
    for group in range(parquet.metadata.num_row_groups):
        if parquet.metadata.row_group(group).num_rows <= 4 * PARQUET_BATCH_ROWS:
            table = parquet.read_row_group(group, columns=columns)
            yield from table.to_batches(max_chunksize=PARQUET_BATCH_ROWS)
            del table
        else:
            yield from parquet.iter_batches(
                batch_size=PARQUET_BATCH_ROWS, row_groups=[group], columns=columns
            )


def _read_parquet_segments(
    path,
    customer_id_col,
    datetime_col,
    monetary_value_col,
    datetime_format,
    freq,
    bounds,
    period_cap=None,
):
    """Read a parquet log once, in batches, into compact numpy columns.

    ``bounds`` lists one or two ``(after, up_to)`` datetime windows (``None``: open); a row
    goes to the first window with ``after < date <= up_to``, and only if its period is at
    most ``period_cap`` (when given). Integer customer ids are written straight into
    columns allocated once for the file's row count (the first window fills them from the
    front, the second from the back), so memory is about 20 bytes per transaction and
    nothing is left behind by the batches. Returns, per window, ``(ids, periods, values)``,
    the dtype of the customer ids, and the first and last purchase dates of the file.
    """
    if len(bounds) > 2:
        raise ValueError("at most two windows")
    parquet, columns = _open_parquet(path, customer_id_col, datetime_col, monetary_value_col)
    n_rows = parquet.metadata.num_rows
    limits = [
        (
            None if after is None else after.to_datetime64().astype("datetime64[ns]"),
            None if up_to is None else up_to.to_datetime64().astype("datetime64[ns]"),
        )
        for after, up_to in bounds
    ]
    name = pd.Period("2000-01-01", freq=freq).freqstr
    period_dtype = np.int32 if name in ("D", "h", "min", "W-SUN", "M") else np.int64
    with_value = monetary_value_col is not None
    store = None  # (ids, periods, values) for integer ids
    pieces = [[] for _ in bounds]  # other ids
    ends = [0, n_rows]  # first free row from the front, end of the free rows at the back
    first_date = last_date = id_dtype = None
    offset = 0
    for batch in _parquet_batches(parquet, columns):
        ids, dates, values = _batch_columns(
            batch, offset, customer_id_col, datetime_col, monetary_value_col, datetime_format
        )
        offset += batch.num_rows
        del batch
        if not dates.size:
            continue
        if id_dtype is None:
            id_dtype = ids.dtype
            if ids.dtype.kind == "i" or (ids.dtype.kind == "u" and ids.dtype.itemsize < 8):
                store = (
                    np.empty(n_rows, dtype=np.int64),
                    np.empty(n_rows, dtype=period_dtype),
                    np.empty(n_rows) if with_value else None,
                )
        low, high = dates.min(), dates.max()
        first_date = low if first_date is None else min(first_date, low)
        last_date = high if last_date is None else max(last_date, high)
        periods = _fast_period_ordinals(dates, freq)
        taken = None if period_cap is None else periods > period_cap
        for window, (after, up_to) in enumerate(limits):
            mask = None if taken is None else ~taken
            if after is not None:
                mask = dates > after if mask is None else mask & (dates > after)
            if up_to is not None:
                mask = dates <= up_to if mask is None else mask & (dates <= up_to)
            if mask is None:
                selected = (ids, periods, values)
            else:
                taken = mask if taken is None else taken | mask
                rows = np.flatnonzero(mask)
                if not rows.size:
                    continue
                selected = (ids[rows], periods[rows], None if values is None else values[rows])
            if store is None:
                pieces[window].append(selected)
            else:
                size = selected[1].size
                where = (
                    slice(ends[0], ends[0] + size)
                    if window == 0
                    else slice(ends[1] - size, ends[1])
                )
                for target, source in zip(store, selected, strict=True):
                    if target is not None:
                        target[where] = source
                ends[window] += size if window == 0 else -size
            if mask is None:
                break
        del ids, dates, values, periods
    if first_date is None:
        raise ValueError(f"the parquet file {os.fspath(path)!r} has no rows")
    if store is None:
        segments = [
            [
                None if chunks[0][i] is None else np.concatenate([chunk[i] for chunk in chunks])
                for i in range(3)
            ]
            if chunks
            else []
            for chunks in pieces
        ]
    else:
        regions = [slice(0, ends[0]), slice(ends[1], n_rows)]
        segments = [
            [None if column is None else column[regions[window]] for column in store]
            for window in range(len(bounds))
        ]
        del store
    return segments, id_dtype, pd.Timestamp(first_date), pd.Timestamp(last_date)


def _rfm_summary_parquet(
    path,
    customer_id_col,
    datetime_col,
    monetary_value_col,
    datetime_format,
    observation_period_end,
    time_scaler,
    freq,
    include_first_transaction,
) -> pd.DataFrame:
    """:func:`rfm_summary` of a parquet file, read in one pass of batches."""
    observation_end = end_ordinal = None
    if observation_period_end is not None:
        observation_end = _parse_point(
            observation_period_end, "observation_period_end", datetime_format
        )
        end_ordinal = _fast_period_ordinals([observation_end.to_datetime64()], freq)[0]
    segments, id_dtype, first_purchase, last_purchase = _read_parquet_segments(
        path,
        customer_id_col,
        datetime_col,
        monetary_value_col,
        datetime_format,
        freq,
        [(None, None)],
        period_cap=end_ordinal,
    )
    if observation_end is None:
        observation_end = last_purchase
        end_ordinal = _fast_period_ordinals([observation_end.to_datetime64()], freq)[0]
    _check_observation_end(observation_end, first_purchase, freq)
    with_value = monetary_value_col is not None
    totals = _large_period_totals(segments[0], id_dtype)
    return _summary_from_totals(
        totals, end_ordinal, time_scaler, include_first_transaction, with_value
    )


def _check_observation_end(observation_end, first_purchase, freq) -> None:
    if _period_ordinals([observation_end], freq)[0] < _period_ordinals([first_purchase], freq)[0]:
        raise ValueError(
            f"observation_period_end={observation_end.date()} is before the first purchase "
            f"in transactions ({first_purchase.date()}): no customer can be summarised. "
            "Pass a later date or None (the last purchase)"
        )


# -- Dask frames -----------------------------------------------------------------------------
def _dask_periods(ddf, customer_id_col, datetime_col, monetary_value_col, datetime_format):
    """Validate a Dask frame and map it, partition by partition, to customer/period/value."""
    import dask

    _check_columns(
        ddf._meta,
        customer_id_col=customer_id_col,
        datetime_col=datetime_col,
        monetary_value_col=monetary_value_col,
    )
    columns = [customer_id_col, datetime_col] + (
        [] if monetary_value_col is None else [monetary_value_col]
    )

    def prepare(part: pd.DataFrame) -> pd.DataFrame:
        if part.empty:
            return pd.DataFrame(
                {
                    "customer_id": part[customer_id_col].to_numpy(),
                    "date": np.zeros(0, "datetime64[ns]"),
                    "value": np.zeros(0),
                }
            )
        _check_customer_ids(part, customer_id_col)
        _check_monetary(part, monetary_value_col)
        dates = _parse_dates(part[datetime_col], datetime_col, datetime_format)
        values = (
            np.ones(len(part))
            if monetary_value_col is None
            else part[monetary_value_col].to_numpy(dtype=float)
        )
        return pd.DataFrame(
            {
                "customer_id": part[customer_id_col].to_numpy(),
                "date": dates.to_numpy(),
                "value": values,
            }
        )

    meta = pd.DataFrame(
        {
            "customer_id": ddf._meta[customer_id_col].to_numpy(),
            "date": np.zeros(0, "datetime64[ns]"),
            "value": np.zeros(0),
        }
    )
    tidy = ddf[columns].map_partitions(prepare, meta=meta)
    n_rows, first_date, last_date = dask.compute(
        tidy["date"].size, tidy["date"].min(), tidy["date"].max()
    )
    if n_rows == 0:
        raise ValueError("transactions is empty: pass a transaction log with at least one purchase")
    return tidy, pd.Timestamp(first_date), pd.Timestamp(last_date)


def _rfm_summary_dask(
    ddf,
    customer_id_col,
    datetime_col,
    monetary_value_col,
    datetime_format,
    observation_period_end,
    time_scaler,
    freq,
    include_first_transaction,
    engine,
) -> pd.DataFrame:
    """:func:`rfm_summary` of a Dask frame: one pass for the dates, then a shuffle that puts
    every customer's rows in one partition, each partition summarised where it lives, and
    the per-customer rows (small) computed into one sorted pandas frame."""
    tidy, first_purchase, last_purchase = _dask_periods(
        ddf, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    if observation_period_end is None:
        observation_end = last_purchase
    else:
        observation_end = _parse_point(
            observation_period_end, "observation_period_end", datetime_format
        )
    _check_observation_end(observation_end, first_purchase, freq)
    with_value = monetary_value_col is not None
    partition_engine = "numpy" if engine == "auto" else engine

    meta = _summary_from_totals(
        _period_totals(
            tidy._meta["customer_id"].to_numpy(),
            np.zeros(0, np.int64),
            np.zeros(0) if with_value else None,
        ),
        0,
        time_scaler,
        include_first_transaction,
        with_value,
    )

    def summarise(part: pd.DataFrame) -> pd.DataFrame:
        if part.empty:
            return meta
        summariser = _summarise if partition_engine == "pandas" else _summarise_numpy
        return summariser(
            part,
            "customer_id",
            "date",
            "value" if with_value else None,
            observation_end,
            freq,
            time_scaler,
            include_first_transaction,
        )

    # every customer's rows in one partition, then each partition summarised on its own
    summaries = tidy.shuffle(on="customer_id").map_partitions(summarise, meta=meta).compute()
    summaries = summaries.sort_values("customer_id", kind="stable").reset_index(drop=True)
    return summaries


# -- calibration / holdout -------------------------------------------------------------------
def _split_numpy(
    frame: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    train_end: pd.Timestamp,
    test_end: pd.Timestamp,
    freq: str,
    time_scaler: float,
    include_first_transaction: bool,
) -> pd.DataFrame:
    """:func:`rfm_train_test_split` of a validated frame by the sort-based numpy engine."""
    dates = frame[datetime_col].to_numpy()
    training = dates <= train_end.to_datetime64()
    holdout = ~training & (dates <= test_end.to_datetime64())
    with_value = monetary_value_col is not None
    columns = (frame, customer_id_col, datetime_col, monetary_value_col, freq)
    end_ordinal = _fast_period_ordinals([train_end.to_datetime64()], freq)[0]
    summary = _summary_from_totals(
        _period_totals(*_frame_arrays(*columns, mask=training)),
        end_ordinal,
        time_scaler,
        include_first_transaction,
        with_value,
    )
    holdout_totals = _period_totals(*_frame_arrays(*columns, mask=holdout))
    return _add_holdout(
        summary, holdout_totals, _holdout_length(train_end, test_end, freq, time_scaler), with_value
    )


def _holdout_length(train_end, test_end, freq, time_scaler) -> float:
    return (
        _period_ordinals([test_end], freq)[0] - _period_ordinals([train_end], freq)[0]
    ) / time_scaler


def _check_split_ends(train_end: pd.Timestamp, test_end: pd.Timestamp) -> None:
    if train_end >= test_end:
        raise ValueError(
            f"train_period_end={train_end} must be before test_period_end={test_end}: "
            "the holdout period would be empty. Pass an earlier train_period_end or a later "
            "test_period_end"
        )


def _calibration_empty_error(train_end, first_purchase) -> ValueError:
    return ValueError(
        f"train_period_end={train_end.date()} is before the first purchase in "
        f"transactions ({first_purchase.date()}): the calibration period is empty. "
        "Pass a later train_period_end"
    )


def _split_parquet(
    path,
    customer_id_col,
    datetime_col,
    monetary_value_col,
    datetime_format,
    train_end,
    test_end,
    freq,
    time_scaler,
    include_first_transaction,
) -> pd.DataFrame:
    """:func:`rfm_train_test_split` of a parquet file (one pass, partition by partition)."""
    if test_end is not None:
        _check_split_ends(train_end, test_end)
    segments, id_dtype, first_purchase, last_purchase = _read_parquet_segments(
        path,
        customer_id_col,
        datetime_col,
        monetary_value_col,
        datetime_format,
        freq,
        [(None, train_end), (train_end, test_end)],
    )
    if test_end is None:
        test_end = last_purchase
        _check_split_ends(train_end, test_end)
    with_value = monetary_value_col is not None
    calibration_totals = _large_period_totals(segments[0], id_dtype)
    if calibration_totals is None:
        raise _calibration_empty_error(train_end, first_purchase)
    end_ordinal = _fast_period_ordinals([train_end.to_datetime64()], freq)[0]
    summary = _summary_from_totals(
        calibration_totals, end_ordinal, time_scaler, include_first_transaction, with_value
    )
    del calibration_totals
    holdout_totals = _large_period_totals(segments[1], id_dtype)
    if holdout_totals is None:
        holdout_totals = _empty_totals(summary["customer_id"].to_numpy(), with_value)
    return _add_holdout(
        summary,
        holdout_totals,
        _holdout_length(train_end, test_end, freq, time_scaler),
        with_value,
    )


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
    engine: str = "auto",
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
    transactions : DataFrame, str, path or Dask DataFrame
        One row per purchase: a pandas DataFrame, the path of a parquet file (read in
        batches of rows, only the needed columns; integer customer ids keep memory at about
        20 bytes per purchase), or a Dask DataFrame for logs larger than memory (shuffled by
        customer, each partition summarised on its worker; the result is computed).
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
    engine : {"auto", "pandas", "numpy"}, default="auto"
        How the table is computed; every engine gives the same table (to 1e-12 relative,
        tested on CDNOW, Online Retail, Online Retail II and synthetic edge cases).
        ``"pandas"``: the reference groupby implementation. ``"numpy"``: one sort of a packed
        ``(customer, period, row)`` int64 key, run boundaries and ``np.add.reduceat``.
        ``"auto"``: pandas below :data:`AUTO_ENGINE_MIN_ROWS` (1,000,000) purchases, numpy
        from there on; a parquet path or a Dask frame uses numpy unless ``"pandas"`` is
        asked for. See Notes for the measurements behind the choice.

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

    Notes
    -----
    Engines and scale. ``"auto"`` keeps the pandas reference below a million purchases, where
    it takes under a second and where every dataset of the benchmark lies (so their tables stay
    the same to the last bit), and switches to the numpy engine above. DuckDB and Polars were
    measured against both and not kept: merging same-period purchases is a group-by on
    ``(customer, period)`` with nearly one group per purchase, the worst case of their hash
    aggregation, while a packed int64 key lets numpy's vectorised value sort do the work.
    Measured by ``benchmarks/bench_features.py`` (``BENCHMARKS.md``) on a 2-core machine shared
    with other jobs (load average 5 to 6): wall seconds (CPU seconds) / peak resident GB of
    ``rfm_summary`` on synthetic logs (9.5 purchases per customer):

    ==================  ==================  =================  ==================  ===================
    purchases           pandas              numpy              DuckDB              Polars
    ==================  ==================  =================  ==================  ===================
    10 M, in memory     11.8 (5.6) / 2.35   3.4 (1.6) / 1.46   11.1 (5.5) / 1.48   12.9 (7.7) / 1.59
    10 M, parquet file  13.6 (6.4) / 2.35   3.2 (1.5) / 0.87   11.3 (5.4) / 0.84   9.0 (7.7) / 1.00
    100 M, parquet      not run             51 (22) / 4.86     136 (65) / 4.31     212 (113) / 6.76
    ==================  ==================  =================  ==================  ===================

    Against the issue's targets: 3.4x the pandas path at 10 M and 4.86 GB at 100 M were met;
    the wall times (3.4 s against 3 s at 10 M, 51 s against 30 s at 100 M) were not on the
    loaded machine, where their CPU times (1.6 s and 22 s) were within them.

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
    engine = _check_engine(engine)
    include_first_transaction = bool(include_first_transaction)
    arguments = (
        customer_id_col,
        datetime_col,
        monetary_value_col,
        datetime_format,
        observation_period_end,
        time_scaler,
        freq,
        include_first_transaction,
    )
    if _is_dask_frame(transactions):
        return _rfm_summary_dask(transactions, *arguments, engine)
    if _is_path(transactions):
        if engine != "pandas":
            return _rfm_summary_parquet(transactions, *arguments)
        columns = _open_parquet(transactions, customer_id_col, datetime_col, monetary_value_col)[1]
        transactions = pd.read_parquet(transactions, columns=columns)
    frame = _prepare(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    if observation_period_end is None:
        observation_end = frame[datetime_col].max()
    else:
        observation_end = _parse_point(
            observation_period_end, "observation_period_end", datetime_format
        )
        _check_observation_end(observation_end, frame[datetime_col].min(), freq)
    summarise = _summarise if _resolve_engine(engine, len(frame)) == "pandas" else _summarise_numpy
    return summarise(
        frame,
        customer_id_col,
        datetime_col,
        monetary_value_col,
        observation_end,
        freq,
        time_scaler,
        include_first_transaction,
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
    engine: str = "auto",
) -> pd.DataFrame:
    """Calibration features and holdout targets per customer (calibration/holdout split).

    Follows ``pymc_marketing.clv.utils.rfm_train_test_split``: purchases on or before
    ``train_period_end`` are summarised with :func:`rfm_summary` (observation end
    ``train_period_end``); purchases after it and on or before ``test_period_end`` form the
    holdout. Customers are those whose first purchase is on or before ``train_period_end``;
    customers acquired in the holdout are left out.

    Parameters
    ----------
    transactions : DataFrame or str or path
        One row per purchase, or the path of a parquet file.
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
    engine : {"auto", "pandas", "numpy"}, default="auto"
        As in :func:`rfm_summary`; ``transactions`` may also be the path of a parquet file
        (read once, in batches). Dask frames are not taken here.

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
    engine = _check_engine(engine)
    include_first_transaction = bool(include_first_transaction)
    if _is_dask_frame(transactions):
        raise TypeError(
            "rfm_train_test_split takes a pandas DataFrame or a parquet path; for a Dask "
            "DataFrame call rfm_summary on the calibration rows (rfm_summary accepts Dask "
            "frames) or write the log to parquet"
        )
    if _is_path(transactions):
        train_end = _parse_point(train_period_end, "train_period_end", datetime_format)
        test_end = (
            None
            if test_period_end is None
            else _parse_point(test_period_end, "test_period_end", datetime_format)
        )
        if engine != "pandas":
            return _split_parquet(
                transactions,
                customer_id_col,
                datetime_col,
                monetary_value_col,
                datetime_format,
                train_end,
                test_end,
                freq,
                time_scaler,
                include_first_transaction,
            )
        columns = _open_parquet(transactions, customer_id_col, datetime_col, monetary_value_col)[1]
        transactions = pd.read_parquet(transactions, columns=columns)
    frame = _prepare(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    train_end = _parse_point(train_period_end, "train_period_end", datetime_format)
    if test_period_end is None:
        test_end = frame[datetime_col].max()
    else:
        test_end = _parse_point(test_period_end, "test_period_end", datetime_format)
    _check_split_ends(train_end, test_end)
    dates = frame[datetime_col]
    training = frame.loc[dates <= train_end]
    if training.empty:
        raise _calibration_empty_error(train_end, dates.min())
    if _resolve_engine(engine, len(frame)) == "numpy":
        return _split_numpy(
            frame,
            customer_id_col,
            datetime_col,
            monetary_value_col,
            train_end,
            test_end,
            freq,
            time_scaler,
            include_first_transaction,
        )
    summary = _summarise(
        training,
        customer_id_col,
        datetime_col,
        monetary_value_col,
        train_end,
        freq,
        time_scaler,
        include_first_transaction,
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
#:
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

    ==================  ==================================================================
    segment             cells (R score, F score)
    ==================  ==================================================================
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
    ==================  ==================================================================

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
