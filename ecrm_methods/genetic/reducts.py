"""Genetic reduct search (``GAReductSelector``): Wroblewski's GA over attribute bit masks.

A hybrid of the two families: the GA loop is this package's :func:`._base.evolve`, the
objective is rough-set dependency, reached only through the public API of
:mod:`ecrm_methods.rough_sets` (:func:`~ecrm_methods.rough_sets.validate_decision_table`,
:class:`~ecrm_methods.rough_sets.DependencyOracle`,
:func:`~ecrm_methods.rough_sets.prune_to_reduct`).
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ecrm_methods.rough_sets import DependencyOracle, prune_to_reduct, validate_decision_table

from ._base import (
    EvolutionResult,
    evolve,
    logbook_to_frame,
    seed_from_random_state,
    seeded_deap_random,
    two_point_crossover,
)

__all__ = ["GAReductSelector"]


def _genetic_reduct_search(
    oracle: DependencyOracle, population_size: int, generations: int, random_state, verbose
) -> tuple[list[int], EvolutionResult]:
    """Evolve attribute bit masks, then prune the best one to a reduct.

    Returns the reduct (column positions, increasing) and the GA's result.
    """
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
    with seeded_deap_random(seed):
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
    return prune_to_reduct(oracle, np.flatnonzero(result.best_genes).tolist()), result


class GAReductSelector(SelectorMixin, BaseEstimator):
    """Select a rough-set reduct with Wroblewski's genetic algorithm over attribute subsets.

    A reduct R of the condition attributes C keeps the positive region of the decision,
    gamma_R(d) = gamma_C(d), and no attribute can be dropped from it (see
    :class:`ecrm_methods.rough_sets.RoughSetReducer` for the deterministic searches). Here
    each individual is a bit mask over C. Its fitness is ``1 + (share of attributes
    dropped)`` when the subset keeps ``|POS_C(d)|`` and ``|POS_B(d)| / |POS_C(d)|`` (< 1)
    otherwise, so every dependency-keeping subset beats every other one and smaller ones beat
    larger ones (Wroblewski 1995). The first individual is the full attribute set (always
    keeps the dependency), the others are random masks; selection is a size-3 DEAP
    tournament with elitism, recombination a two-point crossover (probability 0.8), mutation
    flips each bit with probability 1 / n_features, at least one (probability 0.3); an empty
    mask gets one random attribute, and a child that duplicates another is mutated again.
    The run stops after ``max(5, generations // 3)`` generations without improvement. The
    best mask is then pruned (:func:`ecrm_methods.rough_sets.prune_to_reduct`) so the result
    is a reduct, not a superreduct. Fitness queries go to the fast positive-region oracle
    (:class:`ecrm_methods.rough_sets.DependencyOracle`) and are cached per mask.

    Parameters
    ----------
    beta : float in (0.5, 1], default=1.0
        Precision level; below 1 uses Ziarko's variable-precision positive region.
    population_size : int, default=30
        Individuals per generation.
    generations : int, default=40
        Largest number of generations.
    random_state : int, RandomState instance or None, default=None
        Seeds the GA (DEAP draws from a private generator seeded from it, so fits
        in concurrent threads do not interfere; see :mod:`ecrm_methods.genetic._base`).
    verbose : int, default=0
        0 hides the progress bar over generations.

    Attributes
    ----------
    reduct_ : list of str
        Names of the selected attributes (the reduct).
    core_ : list of str
        Attributes whose removal from C lowers the dependency degree.
    reducts_ : list of list of str
        ``[reduct_]`` (the same attribute as :class:`~ecrm_methods.rough_sets.RoughSetReducer`
        has, which lists every reduct for ``method="all"``).
    dependency_ : float
        gamma of the selected reduct (equal to gamma of all attributes).
    best_fitness_ : float
        Fitness of the best mask before pruning.
    logbook_ : deap.tools.Logbook
        Per-generation ``gen, nevals, min, mean, max, best``.
    n_generations_ : int
        Generations actually run.
    n_features_in_ : int
        Number of attributes seen in :meth:`fit`.
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    See Also
    --------
    ecrm_methods.rough_sets.RoughSetReducer : QuickReduct, greedy and all-reducts searches.

    Notes
    -----
    Every column is treated as categorical; discretize continuous columns first
    (:class:`ecrm_methods.rough_sets.RoughSetDiscretizer`). Missing and infinite values are
    rejected with the column name. This estimator replaces ``RoughSetReducer(
    method="genetic")`` and selects the same attributes for the same ``population_size``,
    ``generations``, ``random_state`` and ``beta``.

    References
    ----------
    Wroblewski, J. (1995). Finding minimal reducts using genetic algorithms. In Proc. 2nd
    Joint Annual Conference on Information Sciences (pp. 186-189).
    Pawlak, Z. (1982). Rough sets. International Journal of Computer and Information
    Sciences, 11(5), 341-356.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from ecrm_methods.genetic import GAReductSelector
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.integers(0, 3, (300, 6)), columns=[f"a{j}" for j in range(6)])
    >>> y = (X["a1"] + X["a4"]) % 3
    >>> selector = GAReductSelector(population_size=10, generations=5, random_state=0)
    >>> selector.fit(X, y).reduct_
    ['a1', 'a4']
    >>> selector.transform(X).shape
    (300, 2)
    """

    _parameter_constraints: dict = {
        "beta": [Interval(numbers.Real, 0.5, 1, closed="right")],
        "population_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "generations": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, beta=1.0, population_size=30, generations=40, random_state=None, verbose=0):
        self.beta = beta
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Evolve attribute subsets and keep the best one, pruned to a reduct.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Condition attributes (categorical values).
        y : array-like of shape (n_samples,)
            Decision attribute (class labels).

        Returns
        -------
        self : GAReductSelector
            The fitted selector.
        """
        table = validate_decision_table(self, X, y)
        names = table.names
        oracle = DependencyOracle(table, float(self.beta))
        reduct, result = _genetic_reduct_search(
            oracle,
            int(self.population_size),
            int(self.generations),
            self.random_state,
            self.verbose,
        )
        self.reducts_ = [[names[a] for a in reduct]]
        self.reduct_ = list(self.reducts_[0])
        self.core_ = [names[a] for a in oracle.core(reduct)]
        self.dependency_ = oracle.gamma(reduct)
        self.best_fitness_ = result.best_fitness
        self.logbook_ = result.logbook
        self.n_generations_ = result.n_generations
        mask = np.zeros(len(names), dtype=bool)
        mask[reduct] = True
        self.support_mask_ = mask
        return self

    def _get_support_mask(self):
        check_is_fitted(self, "support_mask_")
        return self.support_mask_

    def logbook_frame(self):
        """Per-generation convergence table (a DataFrame).

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``gen, nevals, min, mean, max, best``.
        """
        check_is_fitted(self, "logbook_")
        return logbook_to_frame(self.logbook_)
