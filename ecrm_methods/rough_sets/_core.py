"""Pawlak's rough set model on a decision table: indiscernibility, approximations, dependency.

A decision table is a frame (or 2-D array) of condition attributes plus one decision vector.
Every attribute is treated as categorical: each distinct value is one category, so continuous
columns should be discretized first (see :class:`RoughSetDiscretizer`).

Everything here is hash/group based and vectorized: attribute values are factorized once into
integer codes, an indiscernibility partition is a vector of dense class labels, and refining a
partition by one more attribute is one integer combine plus one dense relabel. No Python loop
runs over rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

__all__ = [
    "DecisionTable",
    "indiscernibility_classes",
    "approximations",
    "positive_region",
    "dependency_degree",
    "validate_decision_table",
]

# Relative tolerance used when comparing a class's decision proportion with beta.
_PROPORTION_TOL = 1e-12


def _check_beta(beta) -> float:
    """Validate Ziarko's precision parameter ``beta`` (classical model: 1.0)."""
    if isinstance(beta, bool) or not isinstance(beta, int | float | np.integer | np.floating):
        raise TypeError(f"beta must be a float in (0.5, 1], got {beta!r} ({type(beta).__name__}).")
    beta = float(beta)
    if not 0.5 < beta <= 1.0:
        raise ValueError(
            f"beta must lie in (0.5, 1] (1.0 = classical rough sets, below 1 = Ziarko's "
            f"variable-precision model), got beta={beta}."
        )
    return beta


def _as_frame(X) -> pd.DataFrame:
    """Return ``X`` as a DataFrame; arrays get the column names ``x0, x1, ...``."""
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame()
    array = np.asarray(X)
    if array.ndim == 1:
        raise ValueError(
            f"X must be 2-D (rows x condition attributes), got a 1-D array of length "
            f"{array.shape[0]}; use X.reshape(-1, 1) for a single attribute."
        )
    if array.ndim != 2:
        raise ValueError(f"X must be 2-D (rows x condition attributes), got shape {array.shape}.")
    return pd.DataFrame(array, columns=[f"x{j}" for j in range(array.shape[1])])


def _resolve_attributes(frame: pd.DataFrame, attributes) -> list:
    """Turn ``attributes`` (names, positions or None = all) into a list of column names."""
    columns = list(frame.columns)
    if attributes is None:
        if not columns:
            raise ValueError("X has no condition attributes (0 columns).")
        return columns
    if isinstance(attributes, str) or not isinstance(attributes, Sequence | np.ndarray | pd.Index):
        attributes = [attributes]
    attributes = list(attributes)
    if not attributes:
        raise ValueError(
            "attributes is empty: give at least one condition attribute (a column name or "
            "position), or attributes=None to use every column of X."
        )
    resolved = []
    for attribute in attributes:
        if attribute in columns:
            resolved.append(attribute)
        elif isinstance(attribute, int | np.integer) and not isinstance(attribute, bool):
            if not -len(columns) <= attribute < len(columns):
                raise ValueError(
                    f"attribute position {attribute} is out of range for X with "
                    f"{len(columns)} columns."
                )
            resolved.append(columns[int(attribute)])
        else:
            raise ValueError(
                f"attribute {attribute!r} is not a column of X; available columns: {columns}."
            )
    if len(set(resolved)) != len(resolved):
        raise ValueError(f"attributes lists a column twice: {resolved}.")
    return resolved


def _factorize_column(values, name) -> tuple[np.ndarray, int]:
    """Integer codes of one condition attribute; missing values fail with the column name."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if codes.size and codes.min() < 0:
        n_missing = int(np.count_nonzero(codes < 0))
        raise ValueError(
            f"condition attribute {name!r} has {n_missing} missing (NaN/None) value(s); rough "
            f"set approximations need a value in every cell. Impute the column, drop the rows, "
            f"or discretize with RoughSetDiscretizer(handle_missing='category') to make "
            f"'missing' its own category."
        )
    return codes.astype(np.int64, copy=False), max(len(uniques), 1)


def _encode_decision(y, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the distinct values of the decision attribute."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(f"y must be one decision column, got a frame with {y.shape[1]}.")
        y = y.iloc[:, 0]
    values = y.to_numpy() if isinstance(y, pd.Series) else np.asarray(y)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()
    if values.ndim != 1:
        raise ValueError(f"y must be a 1-D decision vector, got shape {values.shape}.")
    if values.shape[0] != n_rows:
        raise ValueError(
            f"y has {values.shape[0]} values but X has {n_rows} rows; give one decision per row."
        )
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if codes.size and codes.min() < 0:
        raise ValueError(
            f"the decision y has {int(np.count_nonzero(codes < 0))} missing value(s); drop "
            f"those rows or give them a decision."
        )
    return codes.astype(np.int64, copy=False), np.asarray(uniques)


def check_cells(X: np.ndarray, names, allow_missing: bool = False) -> None:
    """Reject infinite cells (never a valid category) and, unless allowed, missing cells,
    naming the first offending column."""
    if X.dtype.kind == "f":
        infinite, missing = np.isinf(X), np.isnan(X)
    elif X.dtype.kind == "O":
        frame = pd.DataFrame(X)
        infinite = frame.isin([np.inf, -np.inf]).to_numpy()
        missing = frame.isna().to_numpy()
    else:
        return
    if infinite.any():
        j = int(np.flatnonzero(infinite.any(axis=0))[0])
        raise ValueError(
            f"column {names[j]!r} contains inf; infinite values are not valid categories "
            f"(NaN and inf are rejected). Clip or discretize the column first."
        )
    if not allow_missing and missing.any():
        j = int(np.flatnonzero(missing.any(axis=0))[0])
        raise ValueError(
            f"column {names[j]!r} has {int(missing[:, j].sum())} missing (NaN) value(s); "
            f"impute them, drop the rows, or discretize with "
            f"RoughSetDiscretizer(handle_missing='category') to make 'missing' a category."
        )


class DecisionTable:
    """Factorized decision table: one integer code column per condition attribute.

    Every condition attribute is factorized once into integer codes (small-range integer
    columns are their own codes), so an indiscernibility partition over any attribute subset
    is a few integer combines instead of a hash over the raw values. Build it once and ask it
    (or a :class:`DependencyOracle` over it) many partition and dependency queries.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_rows, n_attributes)
        Condition attributes (categorical values; missing values are rejected with the
        column name). Arrays get the attribute names ``x0, x1, ...``.
    y : array-like of shape (n_rows,), default=None
        Decision attribute (missing values are rejected).

    Attributes
    ----------
    names : list
        Attribute names, in column order; attributes are addressed by their position.
    n_rows : int
        Number of rows (objects).
    codes : ndarray of shape (n_rows, n_attributes)
        Integer code of every cell, column-major, in the narrowest unsigned dtype that fits.
    cardinalities : ndarray of int64, shape (n_attributes,)
        Number of codes of every attribute.
    categories : list of ndarray
        The value of every code, per attribute.
    decision : ndarray of int64, shape (n_rows,) or None
        Decision code of every row (None without ``y``).
    decision_values : ndarray or None
        The decision value of every decision code.
    n_decisions : int
        Number of decision values (0 without ``y``).

    See Also
    --------
    validate_decision_table : build one from an estimator's ``fit(X, y)`` input.
    DependencyOracle : dependency degrees of many attribute subsets of one table.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecrm_methods.rough_sets import DecisionTable
    >>> X = pd.DataFrame({"plan": ["a", "a", "b", "b"], "complain": [0, 1, 0, 1]})
    >>> table = DecisionTable(X, ["stay", "churn", "stay", "stay"])
    >>> table.names, table.n_rows, table.n_decisions
    (['plan', 'complain'], 4, 2)
    >>> labels, n_classes = table.partition([0])
    >>> labels.tolist(), n_classes
    ([0, 0, 1, 1], 2)
    """

    def __init__(self, X, y=None):
        frame = _as_frame(X)
        self.names = list(frame.columns)
        self.n_rows = frame.shape[0]
        self.cardinalities = np.empty(len(self.names), dtype=np.int64)
        self.categories = []
        columns = []  # (values, offset to subtract) per attribute
        for j, name in enumerate(self.names):
            column = frame.iloc[:, j].to_numpy()  # numpy factorizes ~8x faster than a Series
            low = high = 0
            if column.dtype.kind in "iu" and column.size:
                low, high = int(column.min()), int(column.max())
            if column.dtype.kind in "iu" and column.size and high - low <= 4 * column.size:
                # small-range integers are their own codes (no hashing needed)
                columns.append((column, low))
                self.cardinalities[j] = high - low + 1
                self.categories.append(np.arange(low, high + 1).astype(object))
                continue
            codes, uniques = pd.factorize(column, use_na_sentinel=True)
            if codes.size and codes.min() < 0:
                _factorize_column(column, name)  # raises the explanatory error
            columns.append((codes, 0))
            self.cardinalities[j] = max(len(uniques), 1)
            self.categories.append(np.asarray(uniques, dtype=object))
        # The narrowest unsigned type that holds every code: a 1-byte code matrix is 8x less
        # memory to fill and read than int64; arithmetic with int64 labels upcasts on the fly.
        largest = int(self.cardinalities.max(initial=1)) - 1
        dtype = next(
            t for t in (np.uint8, np.uint16, np.uint32, np.int64) if largest <= np.iinfo(t).max
        )
        self.codes = np.empty((self.n_rows, len(self.names)), dtype=dtype, order="F")
        for j, (values, low) in enumerate(columns):
            np.subtract(values, low, out=self.codes[:, j], casting="unsafe")
        if y is not None:
            self.decision, self.decision_values = _encode_decision(y, self.n_rows)
            self.n_decisions = max(len(self.decision_values), 1)
        else:
            self.decision, self.decision_values, self.n_decisions = None, None, 0

    # -- partitions -----------------------------------------------------------------------
    def positions(self, attributes) -> list[int]:
        """Column positions of attribute names.

        Parameters
        ----------
        attributes : iterable
            Attribute names (elements of :attr:`names`).

        Returns
        -------
        positions : list of int
        """
        index = {name: j for j, name in enumerate(self.names)}
        return [index[a] for a in attributes]

    def refine(self, labels: np.ndarray, n_labels: int, position: int) -> tuple[np.ndarray, int]:
        """Refine a partition by one more attribute.

        Parameters
        ----------
        labels : ndarray of int64, shape (n_rows,)
            Dense class labels ``0 .. n_labels - 1`` of the partition to refine.
        n_labels : int
            Number of classes of that partition.
        position : int
            Column position of the attribute to add.

        Returns
        -------
        labels : ndarray of int64, shape (n_rows,)
            Dense labels of the refined partition.
        n_labels : int
            Its number of classes.
        """
        return _combine_labels(
            labels, n_labels, self.codes[:, position], int(self.cardinalities[position])
        )

    def partition(self, positions) -> tuple[np.ndarray, int]:
        """Indiscernibility classes IND(B) of the attributes at ``positions``.

        Parameters
        ----------
        positions : iterable of int
            Column positions of the attribute subset B (empty: one class of all rows).

        Returns
        -------
        labels : ndarray of int64, shape (n_rows,)
            Dense class label of every row (labels are identifiers, in no particular order).
        n_labels : int
            Number of classes.
        """
        # Accumulate a mixed-radix key and relabel densely only when it would overflow int64
        # (one hash pass for many attributes instead of one per attribute).
        limit = 2**62
        key = np.zeros(self.n_rows, dtype=np.int64)
        key_range, dense = 1, True
        for position in positions:
            cardinality = int(self.cardinalities[position])
            if key_range * cardinality > limit:
                key, key_range = _dense_labels(key, key_range)
                dense = True
                if key_range == self.n_rows:  # every row is its own class already
                    break
            if cardinality > 1:
                key = key * cardinality + self.codes[:, position]
                key_range *= cardinality
                dense = False
        if not dense:
            key, key_range = _dense_labels(key, key_range)
        return key, key_range if self.n_rows else 0


def validate_decision_table(estimator, X, y, *, reset=True) -> DecisionTable:
    """Validate an estimator's ``fit(X, y)`` input and factorize it into a decision table.

    ``X`` goes through scikit-learn's ``validate_data`` with any dtype (every column is a
    set of categories), which records ``n_features_in_`` and ``feature_names_in_`` on the
    estimator when ``reset`` is true; infinite and missing cells are rejected with the column
    name; ``y`` must be class labels with at least two classes.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator being fitted (receives ``n_features_in_`` / ``feature_names_in_``).
    X : DataFrame or array-like of shape (n_samples, n_features)
        Condition attributes (categorical values).
    y : array-like of shape (n_samples,)
        Decision attribute (class labels).
    reset : bool, default=True
        As in ``validate_data``: True in ``fit``, False to check against a fitted estimator.

    Returns
    -------
    table : DecisionTable
        Attribute names are ``estimator.feature_names_in_`` when X has string column names,
        ``x0, x1, ...`` otherwise.

    Raises
    ------
    ValueError
        On an infinite or missing cell (naming its column) or a single-class decision.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> from ecrm_methods.rough_sets import validate_decision_table
    >>> estimator = BaseEstimator()
    >>> table = validate_decision_table(estimator, [["a", 0], ["b", 1]], ["yes", "no"])
    >>> table.names, estimator.n_features_in_
    (['x0', 'x1'], 2)
    """
    X, y = validate_data(
        estimator, X, y, dtype=None, ensure_all_finite=False, reset=reset, ensure_min_samples=1
    )
    check_classification_targets(y)
    names = (
        list(estimator.feature_names_in_)
        if hasattr(estimator, "feature_names_in_")
        else [f"x{j}" for j in range(X.shape[1])]
    )
    check_cells(X, names)
    # column-major copy: the table reads attribute by attribute
    table = DecisionTable(pd.DataFrame(np.asfortranarray(X), columns=names, copy=False), y)
    if table.n_decisions < 2:
        raise ValueError(
            f"the decision y has only one class ({table.decision_values[0]!r}); with one class "
            f"every attribute is superfluous. Give a decision with at least 2 classes."
        )
    return table


def _relabel_present(key: np.ndarray, key_range: int) -> tuple[np.ndarray, int]:
    """Dense labels of keys in a small range [0, key_range): a presence mask and its running
    count (a byte mask keeps the scratch memory small, so it is reused instead of faulted in)."""
    if key_range == 0:
        return key.astype(np.int64), 0
    present = np.zeros(key_range, dtype=bool)
    present[key] = True
    remap = np.cumsum(present, dtype=np.int64)
    remap -= 1
    return remap[key], int(remap[-1] + 1)


def _dense_labels(key: np.ndarray, key_range: int) -> tuple[np.ndarray, int]:
    """Renumber keys in [0, key_range) as 0..k-1."""
    if key_range <= 4 * key.shape[0] + 4096:
        return _relabel_present(key, key_range)
    dense, uniques = pd.factorize(key)
    return dense.astype(np.int64, copy=False), len(uniques)


def _combine_labels(labels, n_labels, codes, cardinality) -> tuple[np.ndarray, int]:
    """Dense labels of the product partition ``labels x codes`` (order of first appearance
    is not kept; labels are only identifiers)."""
    key = labels * cardinality + codes
    key_range = n_labels * cardinality
    if key_range <= 4 * labels.shape[0] + 1024:
        return _relabel_present(key, key_range)
    dense, uniques = pd.factorize(key)
    return dense.astype(np.int64, copy=False), len(uniques)


def class_decision_counts(labels, n_labels, decision, n_decisions) -> np.ndarray:
    """Contingency table (n_labels x n_decisions) of rows per class and decision value.

    Stored decision-major (a transposed view) so that per-class sums and maxima add whole
    contiguous columns instead of reducing many short rows."""
    flat = decision * n_labels + labels
    return np.bincount(flat, minlength=n_labels * n_decisions).reshape(n_decisions, n_labels).T


def positive_classes(counts: np.ndarray, beta: float) -> np.ndarray:
    """Boolean mask of the classes inside the (beta-)positive region."""
    sizes = counts.sum(axis=1)
    return counts.max(axis=1, initial=0) >= beta * sizes * (1.0 - _PROPORTION_TOL)


def gamma_from_counts(counts: np.ndarray, beta: float, n_rows: int) -> float:
    """Dependency degree ``gamma = |POS| / |U|`` from a class x decision contingency table."""
    if n_rows == 0:
        return 1.0
    sizes = counts.sum(axis=1)
    return float(sizes[positive_classes(counts, beta)].sum() / n_rows)


def conditional_entropy(counts: np.ndarray, n_rows: int) -> float:
    """Shannon conditional entropy H(decision | classes) in bits."""
    if n_rows == 0:
        return 0.0
    sizes = counts.sum(axis=1)
    sizes = sizes[sizes > 0].astype(np.float64)
    cells = counts[counts > 0].astype(np.float64)
    # H(d | B) = (sum_E |E| log|E| - sum_{E, d} n_Ed log n_Ed) / n
    return float(max((sizes @ np.log2(sizes) - cells @ np.log2(cells)) / n_rows, 0.0))


def conflicting_pairs(counts: np.ndarray) -> int:
    """Number of unordered row pairs in one class but with different decisions."""
    sizes = counts.sum(axis=1).astype(np.float64)
    same = (counts.astype(np.float64) ** 2).sum(axis=1)
    return int(round(float(((sizes**2 - same) / 2.0).sum())))


def _table_and_positions(X, y, attributes):
    frame = _as_frame(X)
    names = _resolve_attributes(frame, attributes)
    table = DecisionTable(frame[names], y)
    return table, list(range(len(names)))


def indiscernibility_classes(X, attributes) -> np.ndarray:
    """Label each row with its indiscernibility class IND(B) for the attributes B.

    Two rows are indiscernible with respect to B when they agree on every attribute in B
    (Pawlak 1982). Computed by factorizing each attribute and combining the integer codes, so
    the cost is linear in the number of rows.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_rows, n_attributes)
        Decision table (condition attributes, categorical values; no missing values).
    attributes : column name, position, or list of them
        The attribute subset B. Must not be empty.

    Returns
    -------
    labels : ndarray of int64, shape (n_rows,)
        Class identifier per row, numbered 0, 1, ... in order of first appearance.

    References
    ----------
    Pawlak, Z. (1982). Rough sets. International Journal of Computer and Information
    Sciences, 11(5), 341-356.
    """
    table, positions = _table_and_positions(X, None, attributes)
    labels, _ = table.partition(positions)
    # Renumber in order of first appearance, which is easier to read.
    first_label, _ = pd.factorize(labels)
    return first_label.astype(np.int64, copy=False)


def approximations(X, y, attributes=None, beta=1.0) -> dict:
    """Lower and upper approximations of every decision class.

    For a decision value d with row set X_d and an indiscernibility class E (w.r.t. B):
    E is in the lower approximation when P(d | E) >= beta and in the upper approximation
    when P(d | E) > 1 - beta. With ``beta = 1`` this is Pawlak's classical model (lower: E
    inside X_d; upper: E meets X_d); ``0.5 < beta < 1`` gives Ziarko's variable-precision
    rough sets.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_rows, n_attributes)
        Condition attributes (categorical values; no missing values).
    y : array-like of shape (n_rows,)
        Decision attribute.
    attributes : column name, position, list of them, or None, default=None
        The attribute subset B; None uses every column of X. An empty list is an error.
    beta : float in (0.5, 1], default=1.0
        Precision level of the variable-precision model.

    Returns
    -------
    approximations : dict
        Decision value -> ``(lower, upper)``, two boolean row masks of shape (n_rows,).

    References
    ----------
    Pawlak, Z. (1982). Rough sets. International Journal of Computer and Information
    Sciences, 11(5), 341-356.
    Ziarko, W. (1993). Variable precision rough set model. Journal of Computer and System
    Sciences, 46(1), 39-59.
    """
    beta = _check_beta(beta)
    table, positions = _table_and_positions(X, y, attributes)
    labels, n_labels = table.partition(positions)
    counts = class_decision_counts(labels, n_labels, table.decision, table.n_decisions)
    sizes = counts.sum(axis=1).astype(np.float64)
    tolerance = _PROPORTION_TOL * sizes
    result = {}
    for d, value in enumerate(table.decision_values):
        in_lower = counts[:, d] >= beta * sizes - tolerance
        in_upper = counts[:, d] > (1.0 - beta) * sizes + tolerance
        key = value.item() if isinstance(value, np.generic) else value
        result[key] = (in_lower[labels], in_upper[labels])
    return result


def positive_region(X, y, attributes=None, beta=1.0) -> np.ndarray:
    """Rows in the (beta-)positive region POS_B(d): the union of all lower approximations.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_rows, n_attributes)
        Condition attributes (categorical values; no missing values).
    y : array-like of shape (n_rows,)
        Decision attribute.
    attributes : column name, position, list of them, or None, default=None
        The attribute subset B; None uses every column.
    beta : float in (0.5, 1], default=1.0
        Precision level (1.0 = classical model).

    Returns
    -------
    mask : ndarray of bool, shape (n_rows,)

    References
    ----------
    Pawlak, Z. (1982). Rough sets. International Journal of Computer and Information
    Sciences, 11(5), 341-356.
    """
    beta = _check_beta(beta)
    table, positions = _table_and_positions(X, y, attributes)
    labels, n_labels = table.partition(positions)
    counts = class_decision_counts(labels, n_labels, table.decision, table.n_decisions)
    return positive_classes(counts, beta)[labels]


def dependency_degree(X, y, attributes=None, beta=1.0) -> float:
    """Degree ``gamma_B(d) = |POS_B(d)| / |U|`` to which the decision depends on the attributes B.

    gamma is 1 when B determines the decision on every row (a consistent table) and 0 when no
    indiscernibility class is decision-pure. A single-class decision gives gamma = 1.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_rows, n_attributes)
        Condition attributes (categorical values; no missing values).
    y : array-like of shape (n_rows,)
        Decision attribute.
    attributes : column name, position, list of them, or None, default=None
        The attribute subset B; None uses every column.
    beta : float in (0.5, 1], default=1.0
        Precision level (1.0 = classical model).

    Returns
    -------
    gamma : float in [0, 1]

    References
    ----------
    Pawlak, Z. (1982). Rough sets. International Journal of Computer and Information
    Sciences, 11(5), 341-356.
    """
    beta = _check_beta(beta)
    table, positions = _table_and_positions(X, y, attributes)
    labels, n_labels = table.partition(positions)
    counts = class_decision_counts(labels, n_labels, table.decision, table.n_decisions)
    return gamma_from_counts(counts, beta, table.n_rows)
