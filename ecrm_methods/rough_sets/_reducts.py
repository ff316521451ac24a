"""Attribute reduction: QuickReduct, greedy heuristics, all reducts, genetic search."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.feature_selection import SelectorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

from ._core import (
    DecisionTable,
    _check_beta,
    _combine_labels,
    _dense_labels,
    check_cells,
    class_decision_counts,
    conditional_entropy,
    conflicting_pairs,
    gamma_from_counts,
    positive_classes,
)

__all__ = ["RoughSetReducer"]

_METHODS = ("quickreduct", "greedy", "all", "genetic")
_HEURISTICS = ("entropy", "discernibility")


def _validated_table(estimator, X, y, reset=True):
    """Validate X (any dtype, categorical values) and y; return the validated array, the
    attribute names and the factorized decision table."""
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
    return X, names, table


class _DependencyOracle:
    """Evaluates gamma and heuristic scores of attribute subsets on one decision table.

    With beta = 1 the positive region is counted by refining the partition attribute by
    attribute and dropping the rows of decision-pure classes as they appear (a pure class
    stays pure under any refinement), so every relabel is a cheap bincount over the rows
    still undecided instead of one hash over all rows.
    """

    def __init__(self, table: DecisionTable, beta: float):
        self.table = table
        self.beta = beta
        self.n = table.n_rows
        self.full_positive = self.positive_count(range(len(table.names)))

    def counts(self, positions):
        labels, n_labels = self.table.partition(positions)
        return class_decision_counts(labels, n_labels, self.table.decision, self.table.n_decisions)

    def initial_state(self):
        """Partition by no attribute: (rows kept or None = all, class key, key range,
        decision of the rows kept, number of positive rows dropped)."""
        n = self.n
        return None, np.zeros(n, dtype=np.int64), 1 if n else 0, self.table.decision, 0

    def refine_state(self, positions, state=None):
        """beta = 1 only: refine ``state`` by ``positions``; rows of pure classes are counted
        in the positive total and dropped, so only rows of impure classes are kept."""
        table = self.table
        rows, key, key_range, decision, positive = state or self.initial_state()
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

    def positive_count(self, positions, state=None) -> int:
        positions = list(positions)
        if self.beta == 1.0:
            return self.refine_state(positions, state)[4]
        counts = self.counts(positions)
        return int(counts.sum(axis=1)[positive_classes(counts, self.beta)].sum())

    def keeps_dependency(self, positions) -> bool:
        return self.positive_count(positions) >= self.full_positive

    def gamma(self, positions) -> float:
        if self.beta == 1.0:
            return self.positive_count(positions) / self.n if self.n else 1.0
        return gamma_from_counts(self.counts(list(positions)), self.beta, self.n)


def _score(counts, beta, heuristic, n_rows):
    """Tuple to maximize: (primary, secondary) per search heuristic."""
    sizes = counts.sum(axis=1)
    positive = int(sizes[positive_classes(counts, beta)].sum())
    if heuristic == "quickreduct":
        return (positive, -conditional_entropy(counts, n_rows))
    if heuristic == "entropy":
        return (-round(conditional_entropy(counts, n_rows), 12), positive)
    return (-conflicting_pairs(counts), positive)


def _forward_search(oracle: _DependencyOracle, heuristic: str, verbose: int) -> list[int]:
    """Forward selection until the subset keeps gamma(C), then backward pruning.

    With beta = 1, rows already in the positive region stay there under any refinement and
    contribute nothing to entropy or to conflicting pairs, so they are dropped from later
    evaluations once they are a quarter of the active rows (exact, and the main speed-up on
    large tables).
    """
    table, beta, n = oracle.table, oracle.beta, oracle.n
    n_attributes = len(table.names)
    remaining = list(range(n_attributes))
    selected: list[int] = []
    # columns of the rows still outside the positive region (beta = 1)
    active_codes = [table.codes[:, a] for a in range(n_attributes)]
    active_decision = table.decision
    labels = np.zeros(n, dtype=np.int64)
    n_labels = 1 if n else 0
    positive_so_far = 0  # rows of the positive region already dropped from the active set
    current_positive = 0
    progress = tqdm(total=n_attributes, desc="reduct search", disable=not verbose, leave=False)
    while remaining:
        if beta == 1.0:
            current = current_positive
        else:
            current = oracle.positive_count(selected)
        if current >= oracle.full_positive and (selected or oracle.full_positive == 0):
            break
        best = None
        n_rows_active = active_decision.shape[0]
        # decision-major offsets of the current classes, shared by the candidates of one
        # cardinality: the contingency index of candidate a is offsets[card] + codes of a
        class_offsets = active_decision * n_labels + labels
        offsets: dict[int, np.ndarray] = {}
        flat = np.empty(n_rows_active, dtype=np.int64)  # reused: no fresh pages per candidate
        for a in remaining:
            cardinality = int(table.cardinalities[a])
            n_candidate = n_labels * cardinality
            if n_candidate * table.n_decisions <= 4 * n_rows_active + 4096:
                # score straight from the product key: empty classes count for nothing
                if cardinality not in offsets:
                    offsets[cardinality] = class_offsets * cardinality
                np.add(offsets[cardinality], active_codes[a], out=flat)
                counts = (
                    np.bincount(flat, minlength=n_candidate * table.n_decisions)
                    .reshape(table.n_decisions, n_candidate)
                    .T
                )
            else:
                cand_labels, cand_n = _combine_labels(
                    labels, n_labels, active_codes[a], cardinality
                )
                counts = class_decision_counts(
                    cand_labels, cand_n, active_decision, table.n_decisions
                )
            score = _score(counts, beta, heuristic, n)
            if best is None or score > best[0]:
                best = (score, a)
        _, a = best
        labels, n_labels = _combine_labels(
            labels, n_labels, active_codes[a], int(table.cardinalities[a])
        )
        counts = class_decision_counts(labels, n_labels, active_decision, table.n_decisions)
        selected.append(a)
        remaining.remove(a)
        progress.update(1)
        if beta == 1.0:
            pure = positive_classes(counts, 1.0)[labels]
            n_pure = int(pure.sum())
            current_positive = positive_so_far + n_pure
            if n_pure < 0.25 * pure.shape[0]:
                continue  # not worth copying the columns yet; pure rows stay pure
            positive_so_far += n_pure
            keep = np.flatnonzero(~pure)
            active_codes = [
                column.take(keep) if b in remaining else column
                for b, column in enumerate(active_codes)
            ]
            active_decision = active_decision.take(keep)
            labels, n_labels = _dense_labels(labels.take(keep), n_labels)
    progress.close()
    # the search stopped as soon as gamma(C) was kept, so it was not kept without the last one
    return _prune(oracle, selected, last_needed=True)


def _prune(oracle: _DependencyOracle, selected: list[int], last_needed: bool = False) -> list[int]:
    """Drop attributes (last added first) whose removal keeps gamma(C): a minimal reduct.

    ``last_needed`` says that ``selected[:-1]`` is known not to keep gamma(C) (forward search),
    which saves its evaluation.
    """
    reduct = list(selected)
    for a in reversed(selected):
        if last_needed and a == selected[-1]:
            continue
        trial = [b for b in reduct if b != a]
        if trial and oracle.keeps_dependency(trial):
            reduct = trial
    return sorted(reduct)


def _core_positions(oracle: _DependencyOracle, reduct: list[int] | None = None) -> list[int]:
    """Attributes whose removal from C lowers the positive region.

    With beta = 1 the core lies inside every reduct, so only the attributes of a known
    ``reduct`` R are tested, from IND(C - R) combined with IND(R - a). Otherwise every
    attribute is tested from prefix and suffix partitions.
    """
    table = oracle.table
    m = len(table.names)
    if reduct is not None and oracle.beta == 1.0:
        # IND(C - a) = IND(C - R) refined by R - a: the rows that C - R already decides are
        # positive for every a, so the per-attribute tests only see the undecided rest.
        outside = oracle.refine_state([a for a in range(m) if a not in reduct])
        return [
            a
            for a in reduct
            if oracle.positive_count([b for b in reduct if b != a], outside) < oracle.full_positive
        ]
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
        positive = int(counts.sum(axis=1)[positive_classes(counts, oracle.beta)].sum())
        if positive < oracle.full_positive:
            core.append(a)
    return core


def _genetic_search(oracle, population_size, generations, random_state, verbose) -> list[int]:
    """Wroblewski-style genetic reduct search on bit masks, then pruning to a reduct.

    Fitness: a subset that keeps gamma(C) scores 1 + (share of attributes dropped); one that
    does not scores |POS_B| / |POS_C| (< 1), so any gamma-keeping subset beats every other
    and smaller ones beat larger ones. The GA loop is ``ecrm_methods.genetic``'s ``evolve``.
    """
    try:
        from ecrm_methods.genetic._base import (
            evolve,
            seed_from_random_state,
            seeded_python_random,
            two_point_crossover,
        )
    except ImportError as error:  # the genetic family is optional for this module
        raise NotImplementedError(
            f"method='genetic' needs ecrm_methods.genetic's GA loop, which cannot be imported "
            f"({error}); use method='quickreduct', 'greedy' or 'all'."
        ) from error
    m = len(oracle.table.names)
    seed = seed_from_random_state(random_state)
    rng = np.random.default_rng(seed)
    cache: dict[bytes, float] = {}

    def fitness(genes: np.ndarray) -> float:
        key = genes.tobytes()
        if key not in cache:
            positions = np.flatnonzero(genes).tolist()
            positive = oracle.positive_count(positions)
            if positive >= oracle.full_positive:
                cache[key] = 1.0 + (m - len(positions)) / m
            else:
                cache[key] = positive / max(oracle.full_positive, 1)
        return cache[key]

    def mutate(genes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        flips = rng.random(m) < 1.0 / m
        if not flips.any():
            flips[rng.integers(m)] = True
        return np.where(flips, 1 - genes, genes).astype(genes.dtype)

    def repair(genes: np.ndarray) -> np.ndarray:
        if not genes.any():
            genes = genes.copy()
            genes[rng.integers(m)] = 1
        return genes

    initial = [(rng.random(m) < 0.5).astype(np.int8) for _ in range(population_size)]
    initial[0] = np.ones(m, dtype=np.int8)  # all attributes always keep gamma(C)
    with seeded_python_random(seed):
        result = evolve(
            initial,
            lambda batch: [fitness(genes) for genes in batch],
            two_point_crossover,
            mutate,
            rng=rng,
            generations=generations,
            crossover_proba=0.8,
            mutation_proba=0.3,
            patience=max(5, generations // 3),
            repair=repair,
            mutate_duplicates=True,
            verbose=verbose,
            description="genetic reduct search",
        )
    return _prune(oracle, np.flatnonzero(result.best_genes).tolist())


def _bits(mask: int) -> list[int]:
    return [b for b in range(mask.bit_length()) if mask >> b & 1]


def _minimal_sets(masks) -> list[int]:
    """Keep only the masks that contain no other mask (absorption law)."""
    kept: list[int] = []
    for mask in sorted(set(masks), key=lambda v: (v.bit_count(), v)):
        if not any(k & mask == k for k in kept):
            kept.append(mask)
    return kept


def _all_reducts(table: DecisionTable, max_classes: int, max_reducts: int) -> list[list[int]]:
    """Every reduct as a prime implicant of the decision-relative discernibility function.

    Classes of IND(C) are labelled with their decision when pure and with -1 (boundary)
    otherwise; two classes must be discerned when their labels differ (Skowron & Rauszer).
    """
    m = len(table.names)
    if m > 62:
        raise ValueError(
            f"method='all' handles at most 62 attributes, X has {m}; use "
            f"method='quickreduct' or method='greedy'."
        )
    labels, n_labels = table.partition(range(m))
    if n_labels > max_classes:
        raise ValueError(
            f"method='all' builds a discernibility matrix over the {n_labels} indiscernibility "
            f"classes of the table, more than max_classes={max_classes}; use "
            f"method='quickreduct' or method='greedy' for large tables, or raise max_classes."
        )
    counts = class_decision_counts(labels, n_labels, table.decision, table.n_decisions)
    pure = positive_classes(counts, 1.0)
    class_decision = np.where(pure, counts.argmax(axis=1), -1)
    _, first_rows = np.unique(labels, return_index=True)
    representatives = table.codes[first_rows]  # classes are numbered by np.unique order
    weights = np.left_shift(np.int64(1), np.arange(m, dtype=np.int64))
    clauses: set[int] = set()
    for i in range(n_labels - 1):
        other = slice(i + 1, n_labels)
        needs = class_decision[other] != class_decision[i]
        if not needs.any():
            continue
        differ = representatives[other][needs] != representatives[i]
        clauses.update(int(v) for v in np.unique(differ.astype(np.int64) @ weights))
    clauses.discard(0)
    implicants = [0]
    for clause in _minimal_sets(clauses):
        extended = []
        for term in implicants:
            if term & clause:
                extended.append(term)
            else:
                extended.extend(term | (1 << b) for b in _bits(clause))
        implicants = _minimal_sets(extended)
        if len(implicants) > max_reducts:
            raise ValueError(
                f"more than max_reducts={max_reducts} candidate reducts; use "
                f"method='quickreduct' or raise max_reducts."
            )
    reducts = [_bits(t) for t in implicants if t]
    return sorted(reducts, key=lambda r: (len(r), r)) or [[]]


class RoughSetReducer(SelectorMixin, BaseEstimator):
    """Select a rough-set reduct: a minimal attribute subset that keeps the dependency degree.

    A reduct R of the condition attributes C keeps the positive region of the decision,
    gamma_R(d) = gamma_C(d), and no attribute can be dropped from it. The core is the set of
    attributes whose removal from C lowers gamma (the intersection of all reducts).

    Parameters
    ----------
    method : {"quickreduct", "greedy", "all", "genetic"}, default="quickreduct"
        Search strategy. ``"quickreduct"`` adds the attribute with the largest gain in gamma
        (ties broken by conditional entropy; Shen & Chouchoulas 2000); ``"greedy"`` adds the
        attribute with the best ``heuristic`` score; ``"all"`` computes every reduct as the
        prime implicants of the discernibility function (small tables only; beta must be 1);
        ``"genetic"`` evolves attribute bit masks (Wroblewski 1995) with the GA loop of
        :mod:`ecrm_methods.genetic`, fitness 1 + share of attributes dropped for subsets that
        keep gamma(C) and |POS_B| / |POS_C| otherwise. Every search except ``"all"`` ends with
        a backward pruning pass so the result is a reduct, not a superreduct.
    heuristic : {"entropy", "discernibility"}, default="entropy"
        Score of the ``"greedy"`` method: conditional entropy H(d | B) (to minimize) or the
        number of object pairs with different decisions that B still cannot discern.
    beta : float in (0.5, 1], default=1.0
        Precision level; below 1 uses Ziarko's variable-precision positive region.
    max_classes : int, default=2000
        ``"all"`` only: largest number of indiscernibility classes of C accepted.
    max_reducts : int, default=10000
        ``"all"`` only: largest number of candidate reducts kept during the search.
    population_size : int, default=30
        ``"genetic"`` only: individuals per generation.
    generations : int, default=40
        ``"genetic"`` only: largest number of generations (stops after a third of them
        without improvement).
    random_state : int, RandomState instance or None, default=None
        Seed for the ``"genetic"`` search.
    verbose : int, default=0
        Show a progress bar over the forward search when > 0.

    Attributes
    ----------
    reduct_ : list of str
        Names of the selected attributes (the reduct).
    core_ : list of str
        Attributes whose removal from C lowers the dependency degree.
    reducts_ : list of list of str
        Every reduct for ``method="all"``; ``[reduct_]`` for the other methods.
    dependency_ : float
        gamma of the selected reduct (equal to gamma of all attributes).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    Notes
    -----
    Every column is treated as categorical; discretize continuous columns first
    (:class:`RoughSetDiscretizer`). Missing and infinite values are rejected with the column
    name.

    References
    ----------
    Pawlak, Z. (1982). Rough sets. International Journal of Computer and Information
    Sciences, 11(5), 341-356.
    Skowron, A., & Rauszer, C. (1992). The discernibility matrices and functions in
    information systems. In Intelligent Decision Support (pp. 331-362). Springer.
    Shen, Q., & Chouchoulas, A. (2000). A modular approach to generating fuzzy rules with
    reduced attributes for the monitoring of complex systems. Engineering Applications of
    Artificial Intelligence, 13(3), 263-278.
    Wroblewski, J. (1995). Finding minimal reducts using genetic algorithms. In Proc. 2nd
    Joint Annual Conference on Information Sciences (pp. 186-189).
    Riza, L. S., et al. (2014). Implementing algorithms of rough set theory and fuzzy rough
    set theory in the R package "RoughSets". Information Sciences, 287, 68-89.
    """

    def __init__(
        self,
        method="quickreduct",
        heuristic="entropy",
        beta=1.0,
        max_classes=2000,
        max_reducts=10000,
        population_size=30,
        generations=40,
        random_state=None,
        verbose=0,
    ):
        self.method = method
        self.heuristic = heuristic
        self.beta = beta
        self.max_classes = max_classes
        self.max_reducts = max_reducts
        self.population_size = population_size
        self.generations = generations
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    def _check_params(self):
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got method={self.method!r}.")
        if self.heuristic not in _HEURISTICS:
            raise ValueError(
                f"heuristic must be one of {_HEURISTICS}, got heuristic={self.heuristic!r}."
            )
        for name in ("max_classes", "max_reducts", "population_size", "generations"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {name}={value!r}.")
        beta = _check_beta(self.beta)
        if self.method == "all" and beta != 1.0:
            raise ValueError(
                f"method='all' is defined for the classical model only (beta=1.0), got "
                f"beta={beta}; use method='quickreduct' or 'greedy' with beta < 1."
            )
        return beta

    def fit(self, X, y):
        """Find a reduct of the condition attributes X with respect to the decision y.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Condition attributes (categorical values).
        y : array-like of shape (n_samples,)
            Decision attribute (class labels).

        Returns
        -------
        self : RoughSetReducer
        """
        beta = self._check_params()
        _, names, table = _validated_table(self, X, y)
        oracle = _DependencyOracle(table, beta)
        if self.method == "all":
            reducts = _all_reducts(table, self.max_classes, self.max_reducts)
        elif self.method == "genetic":
            reducts = [
                _genetic_search(
                    oracle,
                    self.population_size,
                    self.generations,
                    self.random_state,
                    self.verbose,
                )
            ]
        else:
            heuristic = "quickreduct" if self.method == "quickreduct" else self.heuristic
            reducts = [_forward_search(oracle, heuristic, self.verbose)]
        reduct = reducts[0]
        self.reducts_ = [[names[a] for a in r] for r in reducts]
        self.reduct_ = list(self.reducts_[0])
        self.core_ = [names[a] for a in _core_positions(oracle, reduct)]
        self.dependency_ = oracle.gamma(reduct)
        mask = np.zeros(len(names), dtype=bool)
        mask[reduct] = True
        self.support_mask_ = mask
        return self

    def _get_support_mask(self):
        check_is_fitted(self, "support_mask_")
        return self.support_mask_
