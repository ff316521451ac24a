"""Dependency oracle: positive regions of many attribute subsets of one decision table, the
core, and pruning an attribute subset down to a reduct.

These are the building blocks of every reduct search: :class:`RoughSetReducer`'s
QuickReduct, greedy and core computations here, and searches built on top of the public API
(such as :class:`ecrm_methods.genetic.GAReductSelector`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._core import (
    DecisionTable,
    _check_beta,
    _combine_labels,
    _dense_labels,
    class_decision_counts,
    gamma_from_counts,
    positive_classes,
)

__all__ = ["DependencyOracle", "prune_to_reduct"]


class DependencyOracle:
    """Positive-region sizes and dependency degrees of attribute subsets of one decision table.

    A reduct search asks the same table thousands of questions of the form "how many rows
    does the attribute subset B put in the positive region POS_B(d)?". The oracle answers
    them from the factorized :class:`DecisionTable` without copying it. With ``beta = 1`` the
    positive region is counted by refining the partition attribute by attribute and dropping
    the rows of decision-pure classes as they appear (a pure class stays pure under any
    refinement), so every refinement is a cheap ``bincount`` over the rows still undecided
    instead of one hash over all rows. Below 1 it uses Ziarko's variable-precision positive
    region.

    Attributes are addressed by their column position in ``table``.

    Parameters
    ----------
    table : DecisionTable
        Factorized decision table; it must have a decision.
    beta : float in (0.5, 1], default=1.0
        Precision level (1.0 = Pawlak's classical model).

    Attributes
    ----------
    table : DecisionTable
        The table queried.
    beta : float
        The precision level.
    n_rows : int
        Number of rows of the table.
    full_positive : int
        ``|POS_C(d)|``, the size of the positive region of all attributes C: a subset B keeps
        the dependency of the decision on C when ``positive_count(B) >= full_positive``.

    See Also
    --------
    prune_to_reduct : drop attributes from a subset while it keeps the dependency.
    RoughSetReducer : reduct search as a scikit-learn feature selector.

    References
    ----------
    Pawlak, Z. (1982). Rough sets. International Journal of Computer and Information
    Sciences, 11(5), 341-356.
    Ziarko, W. (1993). Variable precision rough set model. Journal of Computer and System
    Sciences, 46(1), 39-59.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecrm_methods.rough_sets import DecisionTable, DependencyOracle
    >>> X = pd.DataFrame({"plan": ["a", "a", "b", "b"], "complain": [0, 1, 0, 1]})
    >>> oracle = DependencyOracle(DecisionTable(X, ["stay", "churn", "stay", "stay"]))
    >>> oracle.full_positive, oracle.positive_count([0]), oracle.gamma([0])
    (4, 2, 0.5)
    >>> oracle.keeps_dependency([0, 1]), oracle.core()
    (True, [0, 1])
    """

    def __init__(self, table: DecisionTable, beta: float = 1.0):
        if table.decision is None:
            raise ValueError(
                "the decision table has no decision; build it as DecisionTable(X, y) with the "
                "decision attribute y."
            )
        self.table = table
        self.beta = _check_beta(beta)
        self.n_rows = table.n_rows
        self.full_positive = self.positive_count(range(len(table.names)))

    # -- queries ----------------------------------------------------------------------------
    def positive_count(self, positions: Iterable[int]) -> int:
        """``|POS_B(d)|``: rows whose B-indiscernibility class is (beta-)decision-pure.

        Parameters
        ----------
        positions : iterable of int
            Column positions of the attribute subset B (empty: the whole table is one class).

        Returns
        -------
        count : int
        """
        return self._positive_count(list(positions))

    def keeps_dependency(self, positions: Iterable[int]) -> bool:
        """Whether B keeps the dependency of all attributes: ``|POS_B(d)| >= |POS_C(d)|``.

        Parameters
        ----------
        positions : iterable of int
            Column positions of the attribute subset B.

        Returns
        -------
        keeps : bool
            True when B is a superreduct (a reduct or a superset of one).
        """
        return self.positive_count(positions) >= self.full_positive

    def gamma(self, positions: Iterable[int]) -> float:
        """Dependency degree ``gamma_B(d) = |POS_B(d)| / |U|``.

        Parameters
        ----------
        positions : iterable of int
            Column positions of the attribute subset B.

        Returns
        -------
        gamma : float in [0, 1]
            1.0 for an empty table.
        """
        if self.beta == 1.0:
            return self.positive_count(positions) / self.n_rows if self.n_rows else 1.0
        return gamma_from_counts(self._counts(list(positions)), self.beta, self.n_rows)

    def core(self, reduct: Iterable[int] | None = None) -> list[int]:
        """The core: attributes whose removal from all attributes C lowers ``|POS_C(d)|``.

        With ``beta = 1`` the core lies inside every reduct, so when a known ``reduct`` R is
        given only its attributes are tested, each from IND(C - R) refined by R - a (the rows
        that C - R already decides are positive for every a, so every test only sees the
        undecided rest). Otherwise every attribute is tested from prefix and suffix
        partitions (one refinement per attribute instead of one partition per attribute).

        Parameters
        ----------
        reduct : iterable of int or None, default=None
            Column positions of a known reduct (used with ``beta = 1`` only).

        Returns
        -------
        core : list of int
            Column positions of the core attributes, in increasing order.
        """
        table = self.table
        m = len(table.names)
        if reduct is not None and self.beta == 1.0:
            reduct = list(reduct)
            outside = self._refine_state([a for a in range(m) if a not in reduct])
            return sorted(
                a
                for a in reduct
                if self._positive_count([b for b in reduct if b != a], outside) < self.full_positive
            )
        prefix = [(np.zeros(table.n_rows, dtype=np.int64), 1)]
        for a in range(m):
            prefix.append(table.refine(*prefix[-1], a))
        suffix = [(np.zeros(table.n_rows, dtype=np.int64), 1)]
        for a in reversed(range(m)):
            suffix.append(table.refine(*suffix[-1], a))
        suffix = suffix[::-1]  # suffix[a] = partition of attributes a..m-1
        core = []
        for a in range(m):
            left, n_left = prefix[a]
            right, n_right = suffix[a + 1]
            labels, n_labels = _combine_labels(left, n_left, right, n_right)
            counts = class_decision_counts(labels, n_labels, table.decision, table.n_decisions)
            positive = int(counts.sum(axis=1)[positive_classes(counts, self.beta)].sum())
            if positive < self.full_positive:
                core.append(a)
        return core

    # -- internals --------------------------------------------------------------------------
    def _counts(self, positions):
        labels, n_labels = self.table.partition(positions)
        return class_decision_counts(labels, n_labels, self.table.decision, self.table.n_decisions)

    def _initial_state(self):
        """Partition by no attribute: (rows kept or None = all, class key, key range,
        decision of the rows kept, number of positive rows dropped)."""
        n = self.n_rows
        return None, np.zeros(n, dtype=np.int64), 1 if n else 0, self.table.decision, 0

    def _refine_state(self, positions, state=None):
        """beta = 1 only: refine ``state`` by ``positions``; rows of pure classes are counted
        in the positive total and dropped, so only rows of impure classes are kept."""
        table = self.table
        rows, key, key_range, decision, positive = state or self._initial_state()
        for position in positions:
            cardinality = int(table.cardinalities[position])
            if cardinality <= 1:
                continue
            if decision.shape[0] == 0:
                break
            if key_range * cardinality > 4 * decision.shape[0] + 4096:
                rows, key, key_range, decision, positive = self._settle(
                    rows, key, key_range, decision, positive
                )
                if decision.shape[0] == 0:
                    break
            column = table.codes[:, position]
            key = key * cardinality + (column if rows is None else column.take(rows))
            key_range *= cardinality
        return self._settle(rows, key, key_range, decision, positive)

    def _settle(self, rows, key, key_range, decision, positive):
        """Count and drop the rows of pure classes; relabel densely only when the key range
        is large next to the rows left (empty classes count for nothing)."""
        n_decisions = self.table.n_decisions
        if decision.shape[0] == 0:
            return rows, key, 0, decision, positive
        if key_range * n_decisions > 4 * decision.shape[0] + 4096:
            key, key_range = _dense_labels(key, key_range)
        counts = class_decision_counts(key, key_range, decision, n_decisions)
        pure_rows = positive_classes(counts, 1.0)[key]
        n_pure = int(np.count_nonzero(pure_rows))
        if n_pure:
            positive += n_pure
            keep = np.flatnonzero(~pure_rows)
            rows = keep if rows is None else rows.take(keep)
            decision = decision.take(keep)
            key = key.take(keep)
            if key_range > 4 * keep.shape[0] + 4096:
                key, key_range = _dense_labels(key, key_range)
        return rows, key, key_range, decision, positive

    def _positive_count(self, positions: list[int], state=None) -> int:
        if self.beta == 1.0:
            return self._refine_state(positions, state)[4]
        counts = self._counts(positions)
        return int(counts.sum(axis=1)[positive_classes(counts, self.beta)].sum())


def prune_to_reduct(
    oracle: DependencyOracle, positions: Iterable[int], *, last_needed: bool = False
) -> list[int]:
    """Drop attributes from a superreduct while it keeps the dependency: a reduct.

    Attributes are tried last first (reverse order of ``positions``, which is the order in
    which a forward search added them); an attribute is dropped when the subset without it
    still keeps ``|POS_C(d)|`` (:meth:`DependencyOracle.keeps_dependency`) and is not empty. The
    result keeps the dependency and none of its attributes can be dropped, provided the
    input kept it (with ``beta = 1``, where the positive region only grows with B).

    Parameters
    ----------
    oracle : DependencyOracle
        Oracle of the decision table.
    positions : iterable of int
        Column positions of an attribute subset that keeps the dependency, in the order to
        prune last first.
    last_needed : bool, default=False
        Declare that the subset without its last attribute is known not to keep the
        dependency (a forward search stops as soon as it does), which saves one query.

    Returns
    -------
    reduct : list of int
        Column positions of the reduct, in increasing order.

    References
    ----------
    Shen, Q., & Chouchoulas, A. (2000). A modular approach to generating fuzzy rules with
    reduced attributes for the monitoring of complex systems. Engineering Applications of
    Artificial Intelligence, 13(3), 263-278.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecrm_methods.rough_sets import DecisionTable, DependencyOracle, prune_to_reduct
    >>> X = pd.DataFrame({"plan": ["a", "a", "b", "b"], "complain": [0, 1, 0, 1],
    ...                   "copy": [0, 1, 0, 1]})
    >>> oracle = DependencyOracle(DecisionTable(X, ["stay", "churn", "stay", "stay"]))
    >>> prune_to_reduct(oracle, [0, 1, 2])
    [0, 1]
    """
    selected = list(positions)
    reduct = list(selected)
    for a in reversed(selected):
        if last_needed and a == selected[-1]:
            continue
        trial = [b for b in reduct if b != a]
        if trial and oracle.keeps_dependency(trial):
            reduct = trial
    return sorted(reduct)
