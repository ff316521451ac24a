"""Discretization of numeric condition attributes into readable intervals."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._core import check_cells

__all__ = ["RoughSetDiscretizer"]

MISSING_LABEL = "missing"


def _format_number(value: float) -> str:
    return f"{value:.4g}"


def interval_labels(cuts: np.ndarray) -> list[str]:
    """Readable labels of the intervals defined by sorted cut points.

    Parameters
    ----------
    cuts : ndarray of float
        Sorted cut points c_1 < ... < c_k.

    Returns
    -------
    labels : list of str
        ``k + 1`` labels ``"(-inf, c_1)"``, ``"[c_1, c_2)"``, ..., ``"[c_k, inf)"``; a single
        ``"(-inf, inf)"`` when there is no cut.
    """
    bounds = ["-inf", *(_format_number(c) for c in cuts), "inf"]
    labels = []
    for i in range(len(bounds) - 1):
        left = "(" if i == 0 else "["
        labels.append(f"{left}{bounds[i]}, {bounds[i + 1]})")
    return labels


def _numeric_column(values: np.ndarray) -> np.ndarray | None:
    """The column as float64 if every non-missing value is a (non-boolean) number."""
    if values.dtype.kind in "iuf":
        return values.astype(np.float64)
    if values.dtype.kind == "b":
        return None
    try:
        converted = pd.to_numeric(pd.Series(values, dtype=object), errors="raise")
    except (TypeError, ValueError):
        return None
    if converted.dtype.kind not in "iuf":
        return None
    non_missing = values[~pd.isna(values)]
    if any(isinstance(v, bool | np.bool_ | str) for v in non_missing):
        return None
    return converted.to_numpy(dtype=np.float64)


def _boundary_candidates(values, decision, max_candidates):
    """Midpoints between consecutive distinct values whose decision sets differ."""
    if values.size < 2:
        return np.empty(0)
    order = np.argsort(values, kind="stable")
    sorted_values, sorted_decision = values[order], decision[order]
    distinct, starts = np.unique(sorted_values, return_index=True)
    if distinct.size < 2:
        return np.empty(0)
    group = np.repeat(np.arange(distinct.size), np.diff(np.append(starts, values.size)))
    n_dec = int(decision.max()) + 1
    present = np.zeros((distinct.size, n_dec), dtype=bool)
    present[group, sorted_decision] = True
    mixed = present.sum(axis=1) > 1
    changes = mixed[:-1] | mixed[1:] | (present[:-1] != present[1:]).any(axis=1)
    candidates = (distinct[:-1] + distinct[1:])[changes] / 2.0
    if candidates.size > max_candidates:
        picks = np.unique(np.linspace(0, candidates.size - 1, max_candidates).round().astype(int))
        candidates = candidates[picks]
    return candidates


def _max_discernibility_cuts(numeric, decision, base_blocks, max_cuts, max_candidates):
    """Nguyen & Skowron's global MD heuristic: repeatedly take the cut that discerns the most
    pairs of objects with different decisions still in one block."""
    n_rows = decision.shape[0]
    candidates = [
        _boundary_candidates(col[np.isfinite(col)], decision[np.isfinite(col)], max_candidates)
        for col in numeric
    ]
    # bin index of every row among each attribute's candidate cuts (row left of cut j iff
    # position <= j)
    positions = [
        np.searchsorted(c, col, side="right") for c, col in zip(candidates, numeric, strict=True)
    ]
    chosen = [np.zeros(c.size, dtype=bool) for c in candidates]
    n_dec = int(decision.max()) + 1 if n_rows else 1
    blocks = pd.factorize(base_blocks)[0].astype(np.int64)
    active = np.ones(n_rows, dtype=bool)
    n_cuts = 0
    while max_cuts is None or n_cuts < max_cuts:
        # drop rows of decision-pure blocks: they need no more discerning
        n_blocks = int(blocks.max()) + 1 if n_rows else 0
        per_block = np.bincount(
            blocks[active] * n_dec + decision[active], minlength=n_blocks * n_dec
        ).reshape(n_blocks, n_dec)
        conflicting = (per_block > 0).sum(axis=1) > 1
        active &= conflicting[blocks]
        if not active.any():
            break
        rows = np.flatnonzero(active)
        local_blocks, block_ids = pd.factorize(blocks[rows])
        n_local = len(block_ids)
        best = (0.0, -1, -1)
        for a, cuts in enumerate(candidates):
            if cuts.size == 0:
                continue
            n_pos = cuts.size + 1
            flat = (local_blocks * n_dec + decision[rows]) * n_pos + positions[a][rows]
            hist = np.bincount(flat, minlength=n_local * n_dec * n_pos).reshape(
                n_local, n_dec, n_pos
            )
            left = np.cumsum(hist, axis=2)[:, :, :-1]  # rows with value < cut j
            total = hist.sum(axis=2, keepdims=True)
            right = total - left
            left_all, right_all = left.sum(axis=1), right.sum(axis=1)
            discerned = (left_all * right_all - (left * right).sum(axis=1)).sum(axis=0)
            discerned = np.where(chosen[a], -1, discerned).astype(np.float64)
            j = int(np.argmax(discerned))
            if discerned[j] > best[0]:
                best = (float(discerned[j]), a, j)
        if best[1] < 0:
            break
        _, a, j = best
        chosen[a][j] = True
        n_cuts += 1
        side = (positions[a] > j).astype(np.int64)
        blocks = pd.factorize(blocks * 2 + side)[0].astype(np.int64)
    return [np.sort(c[mask]) for c, mask in zip(candidates, chosen, strict=True)]


class RoughSetDiscretizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Discretize numeric condition attributes into intervals with readable labels.

    Numeric columns are cut into intervals; other columns (strings, booleans, categories, and
    numeric columns with few distinct values) pass through unchanged as categories, so a
    mixed customer table can go straight into :class:`LEM2Classifier` or
    :class:`RoughSetReducer`.

    Parameters
    ----------
    method : {"quantile", "uniform", "maxdiscernibility"}, default="quantile"
        ``"quantile"``: equal-frequency cuts; ``"uniform"``: equal-width cuts;
        ``"maxdiscernibility"``: the global maximum-discernibility heuristic of Nguyen &
        Skowron (supervised, needs ``y``), which keeps cutting where the most pairs of rows
        with different decisions are still indiscernible, until the table is as consistent
        as the raw values allow (or ``max_cuts`` is reached).
    n_bins : int, default=4
        Number of intervals per column for ``"quantile"`` and ``"uniform"``.
    max_cuts : int or None, default=None
        ``"maxdiscernibility"`` only: total number of cuts over all columns (None = no limit).
    max_candidates : int, default=256
        ``"maxdiscernibility"`` only: candidate cuts examined per column (boundary midpoints,
        thinned evenly when there are more).
    categorical_max_unique : int, default=5
        Numeric columns with at most this many distinct values are kept as categories
        (e.g. a 0/1 complaint flag or a 1-5 rating).
    encode : {"interval", "ordinal"}, default="interval"
        Output interval labels such as ``"[2, 5)"`` (object dtype) or the interval index
        (float; categorical columns then become their category index).
    handle_missing : {"error", "category"}, default="error"
        ``"error"`` rejects NaN with the column name; ``"category"`` makes missing values
        their own category (``"missing"``, or -1 with ordinal encoding).

    Attributes
    ----------
    cuts_ : dict of str -> ndarray
        Sorted cut points of every discretized column.
    categorical_features_ : list of str
        Columns passed through as categories.
    labels_ : dict of str -> list of str
        Interval labels of every discretized column.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    References
    ----------
    Nguyen, H. S., & Skowron, A. (1995). Quantization of real value attributes: rough set
    and Boolean reasoning approach. In Proc. 2nd Joint Annual Conference on Information
    Sciences (pp. 34-37).
    Riza, L. S., et al. (2014). Implementing algorithms of rough set theory and fuzzy rough
    set theory in the R package "RoughSets". Information Sciences, 287, 68-89.
    """

    _parameter_constraints: dict = {
        "method": [StrOptions({"quantile", "uniform", "maxdiscernibility"})],
        "n_bins": [Interval(numbers.Integral, 2, None, closed="left")],
        "max_cuts": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "max_candidates": [Interval(numbers.Integral, 1, None, closed="left")],
        "categorical_max_unique": [Interval(numbers.Integral, 0, None, closed="left")],
        "encode": [StrOptions({"interval", "ordinal"})],
        "handle_missing": [StrOptions({"error", "category"})],
    }

    def __init__(
        self,
        method="quantile",
        n_bins=4,
        max_cuts=None,
        max_candidates=256,
        categorical_max_unique=5,
        encode="interval",
        handle_missing="error",
    ):
        self.method = method
        self.n_bins = n_bins
        self.max_cuts = max_cuts
        self.max_candidates = max_candidates
        self.categorical_max_unique = categorical_max_unique
        self.encode = encode
        self.handle_missing = handle_missing

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = self.handle_missing == "category"
        return tags

    def _validate(self, X, reset):
        X = validate_data(self, X, dtype=None, ensure_all_finite=False, reset=reset)
        names = (
            list(self.feature_names_in_)
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(X.shape[1])]
        )
        check_cells(X, names, allow_missing=self.handle_missing == "category")
        return X, names

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the cut points of every numeric column.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Condition attributes, numeric and categorical mixed.
        y : array-like of shape (n_samples,), default=None
            Decision; required by ``method="maxdiscernibility"``, ignored otherwise.

        Returns
        -------
        self : RoughSetDiscretizer
        """
        X, names = self._validate(X, reset=True)
        numeric, numeric_names, categorical = [], [], []
        for j, name in enumerate(names):
            column = _numeric_column(X[:, j])
            if column is not None and np.isinf(column).any():
                raise ValueError(
                    f"column {name!r} contains inf; clip it to a finite range before discretizing."
                )
            finite = column[~np.isnan(column)] if column is not None else None
            if column is None or np.unique(finite).size <= self.categorical_max_unique:
                categorical.append(name)
            else:
                numeric.append(column)
                numeric_names.append(name)
        cuts = {}
        if self.method == "maxdiscernibility":
            if y is None:
                raise ValueError(
                    "method='maxdiscernibility' is supervised: pass the decision y to fit."
                )
            y = np.asarray(y)
            if y.shape[0] != X.shape[0]:
                raise ValueError(f"y has {y.shape[0]} values but X has {X.shape[0]} rows.")
            decision, _ = pd.factorize(y.ravel() if y.ndim > 1 else y)
            if (decision < 0).any():
                raise ValueError("y has missing values; drop those rows or label them.")
            if categorical:
                base = np.zeros(X.shape[0], dtype=np.int64)
                for name in categorical:
                    codes = pd.factorize(X[:, names.index(name)])[0].astype(np.int64) + 1
                    base = pd.factorize(base * (codes.max() + 1) + codes)[0].astype(np.int64)
            else:
                base = np.zeros(X.shape[0], dtype=np.int64)
            # rows with a missing value join every block's left side at position 0 (they are
            # a category of their own after transform)
            filled = [np.where(np.isnan(c), -np.inf, c) for c in numeric]
            found = _max_discernibility_cuts(
                filled, decision.astype(np.int64), base, self.max_cuts, self.max_candidates
            )
            cuts = dict(zip(numeric_names, found, strict=True))
        else:
            for name, column in zip(numeric_names, numeric, strict=True):
                finite = column[~np.isnan(column)]
                if self.method == "quantile":
                    qs = np.linspace(0, 1, self.n_bins + 1)[1:-1]
                    points = np.quantile(finite, qs)
                else:
                    points = np.linspace(finite.min(), finite.max(), self.n_bins + 1)[1:-1]
                points = np.unique(points)
                points = points[(points > finite.min()) & (points <= finite.max())]
                cuts[name] = points
        self.cuts_ = cuts
        self.categorical_features_ = categorical
        self.labels_ = {name: interval_labels(c) for name, c in cuts.items()}
        self._categories = {
            name: pd.unique(X[:, names.index(name)][~pd.isna(X[:, names.index(name)])])
            for name in categorical
        }
        return self

    def transform(self, X):
        """Replace numeric values by their interval.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)

        Returns
        -------
        X_discrete : ndarray of shape (n_samples, n_features)
            Interval labels (object dtype) or interval indices (float), per ``encode``.
        """
        check_is_fitted(self, "cuts_")
        X, names = self._validate(X, reset=False)
        ordinal = self.encode == "ordinal"
        out = np.empty(X.shape, dtype=np.float64 if ordinal else object)
        for j, name in enumerate(names):
            values = X[:, j]
            missing = pd.isna(values)
            if name in self.cuts_:
                column = _numeric_column(values)
                if column is None:
                    raise ValueError(
                        f"column {name!r} was numeric during fit but now holds non-numeric "
                        f"values (e.g. {values[~missing][:1]!r})."
                    )
                if np.isinf(column).any():
                    raise ValueError(
                        f"column {name!r} contains inf; clip it to a finite range before "
                        f"discretizing."
                    )
                index = np.searchsorted(self.cuts_[name], column, side="right")
                if ordinal:
                    out[:, j] = np.where(missing, -1.0, index)
                else:
                    labels = np.asarray(self.labels_[name], dtype=object)
                    out[:, j] = np.where(
                        missing, MISSING_LABEL, labels[np.minimum(index, len(labels) - 1)]
                    )
            elif ordinal:
                categories = pd.Index(self._categories[name])
                out[:, j] = np.where(missing, -1.0, categories.get_indexer(values))
            else:
                out[:, j] = np.where(missing, MISSING_LABEL, values)
        return out
