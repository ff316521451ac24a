"""Wrapper feature selection with a genetic algorithm (``GAFeatureSelector``)."""

from __future__ import annotations

import numbers

import numpy as np
from joblib import Parallel, delayed, parallel_config
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone, is_classifier
from sklearn.feature_selection import SelectorMixin
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import check_cv, cross_val_score
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import (
    evolve,
    logbook_to_frame,
    seed_from_random_state,
    seeded_python_random,
    two_point_crossover,
)

__all__ = ["GAFeatureSelector"]


def _cross_validated_fitness(estimator, X, y, support, cv, scoring) -> float:
    """Mean cross-validated score of ``estimator`` on the columns in ``support``."""
    scores = cross_val_score(
        clone(estimator), X[:, support], y, cv=cv, scoring=scoring, error_score="raise"
    )
    mean_score = float(np.mean(scores))
    return mean_score if np.isfinite(mean_score) else -np.inf


class GAFeatureSelector(SelectorMixin, MetaEstimatorMixin, BaseEstimator):
    """Select a feature subset with a genetic algorithm and a cross-validated wrapper fitness.

    Each individual is a bit mask over the columns of ``X``. Its fitness is the
    mean cross-validated ``scoring`` of a clone of ``estimator`` on the selected
    columns, computed on the training data passed to :meth:`fit` only, minus
    ``penalty`` times the fraction of features kept. Selection is a size-3
    tournament (:func:`deap.tools.selTournament`), recombination a two-point
    crossover, mutation flips each bit with probability ``1 / n_features`` (at
    least one bit). A repair step keeps every mask non-empty and at most
    ``max_features`` long. The best individual ever seen is kept (elitism through
    a :class:`deap.tools.HallOfFame`); a fitness cache skips masks already scored;
    the run stops early after ``patience`` generations without improvement.

    Parameters
    ----------
    estimator : estimator object
        Supervised estimator whose cross-validated score is the fitness.
    scoring : str, callable or None, default="roc_auc"
        Scorer name or callable as in :func:`sklearn.model_selection.cross_val_score`;
        None uses ``estimator.score``.
    cv : int, cross-validation generator or iterable, default=5
        Folds for the fitness (stratified for classifiers, as in scikit-learn).
    population_size : int, default=50
        Individuals per generation.
    generations : int, default=30
        Maximum number of generations.
    crossover_proba : float, default=0.8
        Probability that a pair of parents is recombined.
    mutation_proba : float, default=0.1
        Probability that an individual is mutated.
    max_features : int or None, default=None
        Upper bound on the number of selected features (None: no bound).
    penalty : float, default=0.0
        Fitness cost of keeping all features (linear in the fraction kept): a
        positive value prefers smaller subsets at equal score.
    patience : int or None, default=10
        Stop after this many generations without improvement (None: never).
    n_jobs : int or None, default=1
        Parallel fitness evaluations through joblib (-1: all cores).
    random_state : int, RandomState instance or None, default=None
        Seeds the GA (DEAP's :mod:`random` use is seeded and restored, see
        :mod:`ecrm_methods.genetic`).
    verbose : int, default=0
        0 hides the progress bar over generations.
    backend : str or None, default=None
        joblib backend for the evaluations; ``"dask"`` sends them to the active
        ``dask.distributed.Client`` (create the client before calling ``fit``).
    cache : bool, default=True
        Reuse the score of a mask evaluated before instead of re-running CV.

    Attributes
    ----------
    support_ : ndarray of shape (n_features_in_,)
        Boolean mask of the selected features.
    n_features_ : int
        Number of selected features.
    best_score_ : float
        Mean cross-validated score of the selected subset (without the penalty).
    best_fitness_ : float
        Its fitness (score minus penalty).
    logbook_ : deap.tools.Logbook
        Per generation: ``gen``, ``nevals``, ``min``, ``mean``, ``max`` and
        ``best`` (best fitness so far); :meth:`logbook_frame` gives a DataFrame.
    n_generations_ : int
        Generations actually run (early stopping may end the run sooner).
    n_evaluations_ : int
        Cross-validated evaluations actually computed (cache misses).
    n_cache_hits_ : int
        Fitness look-ups answered from the cache.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` is a DataFrame with string column names.

    Notes
    -----
    The GA fits thousands of small models. On small data multithreaded BLAS only
    adds contention (measured 10x slower on a busy 2-core machine); wrap the call
    in ``threadpoolctl.threadpool_limits(1)`` or use ``n_jobs`` (joblib's worker
    processes already limit their inner threads).

    References
    ----------
    Yang, J. and Honavar, V. (1998). Feature subset selection using a genetic
    algorithm. *IEEE Intelligent Systems*, 13(2), 44-49.

    Kohavi, R. and John, G. H. (1997). Wrappers for feature subset selection.
    *Artificial Intelligence*, 97(1-2), 273-324.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=200, n_features=8, n_informative=3,
    ...                            random_state=0)
    >>> selector = GAFeatureSelector(LogisticRegression(), cv=3, population_size=10,
    ...                              generations=3, random_state=0).fit(X, y)
    >>> selector.transform(X).shape[1] == selector.n_features_
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "cv": ["cv_object"],
        "population_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "generations": [Interval(numbers.Integral, 0, None, closed="left")],
        "crossover_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "mutation_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "max_features": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "penalty": [Interval(numbers.Real, 0, None, closed="left")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "backend": [str, None],
        "cache": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        scoring="roc_auc",
        cv=5,
        population_size=50,
        generations=30,
        crossover_proba=0.8,
        mutation_proba=0.1,
        max_features=None,
        penalty=0.0,
        patience=10,
        n_jobs=1,
        random_state=None,
        verbose=0,
        backend=None,
        cache=True,
    ):
        self.estimator = estimator
        self.scoring = scoring
        self.cv = cv
        self.population_size = population_size
        self.generations = generations
        self.crossover_proba = crossover_proba
        self.mutation_proba = mutation_proba
        self.max_features = max_features
        self.penalty = penalty
        self.patience = patience
        self.n_jobs = n_jobs
        self.backend = backend
        self.cache = cache
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)  # fits the user's estimator
    def fit(self, X, y, **fit_params):
        """Run the GA and store the best feature subset.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features (numeric; put a preprocessor in front otherwise).
        y : array-like of shape (n_samples,)
            Target for ``estimator``.
        **fit_params : dict
            Not used; present for API consistency.

        Returns
        -------
        self : GAFeatureSelector
            The fitted selector.
        """
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype="numeric")
        X = np.asarray(X)
        n_features = X.shape[1]
        max_features = (
            n_features if self.max_features is None else min(int(self.max_features), n_features)
        )
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        seed = seed_from_random_state(self.random_state)
        rng = np.random.default_rng(seed)

        fitness_cache: dict[bytes, float] = {}
        counters = {"evaluations": 0, "hits": 0}
        penalty = float(self.penalty)

        def score_masks(masks: list[np.ndarray]) -> list[float]:
            if not self.cache:
                scores = self._evaluate_in_parallel(X, y, cv, masks)
                counters["evaluations"] += len(masks)
                return [
                    score - penalty * mask.mean() for score, mask in zip(scores, masks, strict=True)
                ]
            keys = [np.packbits(mask).tobytes() for mask in masks]
            missing: dict[bytes, np.ndarray] = {}
            for key, mask in zip(keys, masks, strict=True):
                if key in fitness_cache or key in missing:
                    counters["hits"] += 1
                else:
                    missing[key] = mask
            scores = self._evaluate_in_parallel(X, y, cv, list(missing.values()))
            counters["evaluations"] += len(missing)
            fitness_cache.update(zip(missing, scores, strict=True))
            return [
                fitness_cache[key] - penalty * mask.mean()
                for key, mask in zip(keys, masks, strict=True)
            ]

        def repair(mask: np.ndarray) -> np.ndarray:
            mask = mask.astype(bool)
            n_selected = int(mask.sum())
            if n_selected == 0:
                mask[rng.integers(n_features)] = True
            elif n_selected > max_features:
                selected = np.flatnonzero(mask)
                dropped = rng.choice(selected, size=n_selected - max_features, replace=False)
                mask[dropped] = False
            return mask

        def mutate(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
            flips = rng.random(n_features) < 1.0 / n_features
            if not flips.any():
                flips[rng.integers(n_features)] = True
            return mask ^ flips

        initial = []
        for _ in range(int(self.population_size)):
            mask = np.zeros(n_features, dtype=bool)
            size = int(rng.integers(1, max_features + 1))
            mask[rng.choice(n_features, size=size, replace=False)] = True
            initial.append(mask)

        with seeded_python_random(seed):
            result = evolve(
                initial,
                score_masks,
                two_point_crossover,
                mutate,
                rng=rng,
                generations=int(self.generations),
                crossover_proba=float(self.crossover_proba),
                mutation_proba=float(self.mutation_proba),
                tournament_size=3,
                n_elites=1,
                patience=self.patience,
                repair=repair,
                mutate_duplicates=True,
                verbose=self.verbose,
                description="GA feature selection",
            )
        self.support_ = result.best_genes.astype(bool)
        self.n_features_ = int(self.support_.sum())
        self.best_fitness_ = result.best_fitness
        self.best_score_ = result.best_fitness + penalty * float(self.support_.mean())
        self.logbook_ = result.logbook
        self.n_generations_ = result.n_generations
        self.n_evaluations_ = counters["evaluations"]
        self.n_cache_hits_ = counters["hits"]
        return self

    def _evaluate_in_parallel(self, X, y, cv, masks: list[np.ndarray]) -> list[float]:
        if not masks:
            return []
        if self.backend is None and (self.n_jobs is None or self.n_jobs == 1):
            return [
                _cross_validated_fitness(self.estimator, X, y, mask, cv, self.scoring)
                for mask in masks
            ]
        jobs = (
            delayed(_cross_validated_fitness)(self.estimator, X, y, mask, cv, self.scoring)
            for mask in masks
        )
        if self.backend is not None:
            with parallel_config(backend=self.backend):
                return list(Parallel(n_jobs=self.n_jobs)(jobs))
        return list(Parallel(n_jobs=self.n_jobs)(jobs))

    def _get_support_mask(self):
        check_is_fitted(self, "support_")
        return self.support_

    def logbook_frame(self):
        """Per-generation convergence table (a DataFrame), for a convergence plot.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``gen, nevals, min, mean, max, best``.
        """
        check_is_fitted(self, "logbook_")
        return logbook_to_frame(self.logbook_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        if hasattr(self.estimator, "fit"):
            tags.input_tags.allow_nan = get_tags(self.estimator).input_tags.allow_nan
        return tags
