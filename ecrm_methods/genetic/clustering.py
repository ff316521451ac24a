"""Evolved clustering: GA over cluster centres (``GAClustering``) and a GA tuner for rough k-means."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ecrm_methods.rough_sets import RoughKMeans

from ._base import (
    evolve,
    logbook_to_frame,
    seed_from_random_state,
    seeded_deap_random,
)

__all__ = ["GAClustering", "GARoughKMeansTuner", "rough_davies_bouldin"]


def _squared_distances(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    distances = (
        np.einsum("ij,ij->i", X, X)[:, None]
        - 2.0 * X @ centers.T
        + np.einsum("ij,ij->i", centers, centers)[None, :]
    )
    return np.maximum(distances, 0.0)


def _davies_bouldin(X, labels, centers, squared_distances) -> float:
    """Davies-Bouldin index over the non-empty clusters (inf if fewer than two)."""
    present = np.unique(labels)
    if present.size < 2:
        return np.inf
    scatter = np.array(
        [np.sqrt(squared_distances[labels == k, k]).mean() for k in present], dtype=float
    )
    used = centers[present]
    separation = np.sqrt(_squared_distances(used, used))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = (scatter[:, None] + scatter[None, :]) / separation
    np.fill_diagonal(ratios, -np.inf)
    ratios = np.where(np.isnan(ratios), np.inf, ratios)
    return float(np.mean(ratios.max(axis=1)))


class GAClustering(ClusterMixin, BaseEstimator):
    """Clustering with cluster centres evolved by a genetic algorithm.

    Each chromosome holds ``n_clusters`` centres (real genes). Following Maulik &
    Bandyopadhyay (2000), evaluating a chromosome assigns every point to its
    nearest centre and then moves each centre to the mean of its points (a
    Lamarckian k-means step written back into the chromosome); the fitness is the
    negative within-cluster sum of squares or the negative Davies-Bouldin index.
    Initial centres are random data points; crossover swaps whole centres
    between parents; mutation adds Gaussian noise (``mutation_scale`` times the
    feature's standard deviation) to one centre; selection is a size-3 DEAP
    tournament with elitism; the run stops after ``patience`` stale generations.

    Parameters
    ----------
    n_clusters : int, default=4
        Number of clusters.
    fitness : {"wcss", "davies_bouldin"}, default="wcss"
        What the GA minimises.
    population_size : int, default=30
        Individuals per generation.
    generations : int, default=50
        Maximum number of generations.
    crossover_proba : float, default=0.8
        Probability that a pair of parents is recombined.
    mutation_proba : float, default=0.2
        Probability that an individual is mutated.
    mutation_scale : float, default=0.1
        Standard deviation of the mutation noise, in units of each feature's std.
    patience : int or None, default=15
        Stop after this many generations without improvement (None: never).
    random_state : int, RandomState instance or None, default=None
        Seeds the GA.
    verbose : int, default=0
        0 hides the progress bar.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Best centres found.
    labels_ : ndarray of shape (n_samples,)
        Nearest-centre label of each training point.
    inertia_ : float
        Within-cluster sum of squared distances of the training points.
    davies_bouldin_ : float
        Davies-Bouldin index of the training partition.
    best_fitness_ : float
        Best fitness (negative WCSS or negative Davies-Bouldin index).
    logbook_ : deap.tools.Logbook
        Per-generation ``gen, nevals, min, mean, max, best``.
    n_generations_ : int
        Generations actually run.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.

    References
    ----------
    Maulik, U. and Bandyopadhyay, S. (2000). Genetic algorithm-based clustering
    technique. *Pattern Recognition*, 33(9), 1455-1465.

    Davies, D. L. and Bouldin, D. W. (1979). A cluster separation measure. *IEEE
    Transactions on Pattern Analysis and Machine Intelligence*, 1(2), 224-227.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(n_samples=150, centers=3, random_state=0)
    >>> model = GAClustering(n_clusters=3, generations=10, random_state=0).fit(X)
    >>> model.cluster_centers_.shape
    (3, 2)
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "fitness": [StrOptions({"wcss", "davies_bouldin"})],
        "population_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "generations": [Interval(numbers.Integral, 0, None, closed="left")],
        "crossover_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "mutation_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "mutation_scale": [Interval(numbers.Real, 0, None, closed="left")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=4,
        fitness="wcss",
        population_size=30,
        generations=50,
        crossover_proba=0.8,
        mutation_proba=0.2,
        mutation_scale=0.1,
        patience=15,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.fitness = fitness
        self.population_size = population_size
        self.generations = generations
        self.crossover_proba = crossover_proba
        self.mutation_proba = mutation_proba
        self.mutation_scale = mutation_scale
        self.patience = patience
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Evolve the cluster centres.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric data (scale it first: distances are Euclidean).
        y : None
            Ignored.

        Returns
        -------
        self : GAClustering
            The fitted model.
        """
        X = validate_data(self, X, dtype=np.float64)
        if self.n_clusters > X.shape[0]:
            raise ValueError(
                f"n_clusters={self.n_clusters} is larger than the number of samples "
                f"{X.shape[0]}; lower n_clusters."
            )

        n_clusters, n_features = int(self.n_clusters), X.shape[1]
        seed = seed_from_random_state(self.random_state)
        rng = np.random.default_rng(seed)
        noise_scale = float(self.mutation_scale) * np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        use_davies_bouldin = self.fitness == "davies_bouldin" and n_clusters > 1

        def evaluate(batch: list[np.ndarray]) -> list[float]:
            scores = []
            for genes in batch:
                centers = genes.reshape(n_clusters, n_features)
                labels = _squared_distances(X, centers).argmin(axis=1)
                for k in range(n_clusters):  # Maulik & Bandyopadhyay centre update
                    members = labels == k
                    if members.any():
                        centers[k] = X[members].mean(axis=0)
                distances = _squared_distances(X, centers)
                labels = distances.argmin(axis=1)
                if use_davies_bouldin:
                    scores.append(-_davies_bouldin(X, labels, centers, distances))
                else:
                    scores.append(-float(distances[np.arange(len(X)), labels].sum()))
            return scores

        def crossover(first, second, rng):
            swap = np.repeat(rng.random(n_clusters) < 0.5, n_features)
            child_one, child_two = first.copy(), second.copy()
            child_one[swap], child_two[swap] = second[swap], first[swap]
            return child_one, child_two

        def mutate(genes, rng):
            mutated = genes.copy().reshape(n_clusters, n_features)
            mutated[rng.integers(n_clusters)] += rng.normal(0.0, noise_scale)
            return mutated.ravel()

        initial = [
            X[rng.choice(X.shape[0], size=n_clusters, replace=False)].ravel()
            for _ in range(int(self.population_size))
        ]
        with seeded_deap_random(seed):
            result = evolve(
                initial,
                evaluate,
                crossover,
                mutate,
                rng=rng,
                generations=int(self.generations),
                crossover_proba=float(self.crossover_proba),
                mutation_proba=float(self.mutation_proba),
                tournament_size=3,
                n_elites=1,
                patience=self.patience,
                verbose=self.verbose,
                description="GA clustering",
            )
        self.cluster_centers_ = result.best_genes.reshape(n_clusters, n_features)
        distances = _squared_distances(X, self.cluster_centers_)
        self.labels_ = distances.argmin(axis=1).astype(np.intp)
        self.inertia_ = float(distances[np.arange(len(X)), self.labels_].sum())
        self.davies_bouldin_ = (
            _davies_bouldin(X, self.labels_, self.cluster_centers_, distances)
            if n_clusters > 1
            else np.inf
        )
        self.best_fitness_ = result.best_fitness
        self.logbook_ = result.logbook
        self.n_generations_ = result.n_generations
        return self

    def predict(self, X):
        """Nearest evolved centre of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the same feature space as in :meth:`fit`.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "cluster_centers_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return _squared_distances(X, self.cluster_centers_).argmin(axis=1).astype(np.intp)

    def logbook_frame(self):
        """Per-generation convergence table (a DataFrame).

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``gen, nevals, min, mean, max, best``.
        """
        check_is_fitted(self, "logbook_")
        return logbook_to_frame(self.logbook_)


def rough_davies_bouldin(X, centers, lower, upper, weight_lower=None) -> float:
    """Davies-Bouldin index of a rough partition, scatter over the upper approximations.

    The scatter of cluster ``i`` is the mean distance to its centre of the rows in
    its upper approximation (lower approximation plus boundary); the index is the
    mean over clusters of the largest ``(S_i + S_j) / d(c_i, c_j)``; lower is better.

    Mitra (2004) weights the lower and boundary scatters by ``weight_lower`` and
    ``1 - weight_lower``; used as a GA fitness, that version rewards
    ``weight_lower = 1`` (the boundary stops counting) with the largest threshold
    (the hardest rows move to the boundary): measured on four blobs, 45 % of the
    rows ended in the boundary. Counting every boundary row in each of its clusters
    makes a wide boundary cost scatter, so the search trades it off. Pass
    ``weight_lower`` to get Mitra's weighted version.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_clusters, n_features)
    lower, upper : ndarray of bool, shape (n_samples, n_clusters)
        Lower and upper approximation memberships.
    weight_lower : float or None, default=None
        None: unweighted upper-approximation scatter; a number: Mitra's weighting.

    Returns
    -------
    index : float
        ``inf`` when fewer than two clusters have members.

    References
    ----------
    Mitra, S. (2004). An evolutionary rough partitive clustering. *Pattern
    Recognition Letters*, 25(12), 1439-1449.
    """
    distances = np.sqrt(_squared_distances(X, centers))
    boundary = upper & ~lower
    present = [k for k in range(centers.shape[0]) if upper[:, k].any()]
    if len(present) < 2:
        return np.inf
    scatter = []
    for k in present:
        if weight_lower is None or not lower[:, k].any() or not boundary[:, k].any():
            scatter.append(distances[upper[:, k], k].mean())
        else:
            scatter.append(
                weight_lower * distances[lower[:, k], k].mean()
                + (1 - weight_lower) * distances[boundary[:, k], k].mean()
            )
    scatter = np.asarray(scatter)
    used = centers[present]
    separation = np.sqrt(_squared_distances(used, used))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = (scatter[:, None] + scatter[None, :]) / separation
    np.fill_diagonal(ratios, -np.inf)
    ratios = np.where(np.isnan(ratios), np.inf, ratios)
    return float(np.mean(ratios.max(axis=1)))


class GARoughKMeansTuner(ClusterMixin, BaseEstimator):
    """Tune rough k-means' lower-approximation weight and threshold with a GA (Mitra 2004).

    Each chromosome is a pair ``(weight_lower, threshold)`` inside the given ranges.
    Its fitness is the negative rough Davies-Bouldin index
    (:func:`rough_davies_bouldin`; ``index`` picks Mitra's weighted scatter or the
    unweighted upper-approximation scatter) of :class:`ecrm_methods.rough_sets.RoughKMeans`
    fitted with those parameters (every evaluation uses the same seed, so the
    comparison is between parameters, not initialisations). Crossover is a
    BLX-0.5 blend, mutation Gaussian (10 % of each range), both clipped to the
    ranges; selection a size-3 DEAP tournament with elitism.

    Parameters
    ----------
    n_clusters : int, default=4
        Number of rough clusters.
    weight_lower_range : tuple of float, default=(0.5, 1.0)
        Search range of ``weight_lower`` (inside (0, 1]).
    threshold_range : tuple of float, default=(1.0, 1.5)
        Search range of ``threshold`` (>= 1). Keep it bounded: with
        ``index="mitra"`` the search drifts to the largest threshold.
    index : {"mitra", "upper"}, default="mitra"
        ``"mitra"``: scatter ``weight_lower * lower + (1 - weight_lower) * boundary``
        (Mitra 2004). It favours ``weight_lower`` near 1 and the top of
        ``threshold_range`` (measured on four blobs with threshold up to 2: 45 % of
        the rows in the boundary). ``"upper"``: every boundary row counts fully in
        each of its clusters, which favours a threshold near 1 (crisp k-means)
        unless the data have genuinely ambiguous rows.
    population_size : int, default=12
        Individuals per generation.
    generations : int, default=10
        Maximum number of generations.
    crossover_proba : float, default=0.8
        Probability that a pair of parents is recombined.
    mutation_proba : float, default=0.3
        Probability that an individual is mutated.
    n_init : int, default=3
        Restarts of each rough k-means fit.
    patience : int or None, default=5
        Stop after this many generations without improvement (None: never).
    random_state : int, RandomState instance or None, default=None
        Seeds the GA and the rough k-means fits.
    verbose : int, default=0
        0 hides the progress bar.

    Attributes
    ----------
    best_params_ : dict
        ``{"weight_lower": ..., "threshold": ...}`` of the best chromosome.
    best_estimator_ : RoughKMeans
        Rough k-means fitted on ``X`` with ``best_params_``.
    best_score_ : float
        Its rough Davies-Bouldin index.
    labels_ : ndarray of shape (n_samples,)
        ``best_estimator_.labels_`` (-1 for boundary rows).
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        ``best_estimator_.cluster_centers_``.
    logbook_ : deap.tools.Logbook
        Per-generation ``gen, nevals, min, mean, max, best``.
    n_generations_ : int
        Generations actually run.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.

    References
    ----------
    Mitra, S. (2004). An evolutionary rough partitive clustering. *Pattern
    Recognition Letters*, 25(12), 1439-1449.

    Lingras, P. and West, C. (2004). Interval set clustering of web users with
    rough k-means. *Journal of Intelligent Information Systems*, 23(1), 5-16.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "weight_lower_range": ["array-like"],
        "threshold_range": ["array-like"],
        "index": [StrOptions({"mitra", "upper"})],
        "population_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "generations": [Interval(numbers.Integral, 0, None, closed="left")],
        "crossover_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "mutation_proba": [Interval(numbers.Real, 0, 1, closed="both")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=4,
        weight_lower_range=(0.5, 1.0),
        threshold_range=(1.0, 1.5),
        index="mitra",
        population_size=12,
        generations=10,
        crossover_proba=0.8,
        mutation_proba=0.3,
        n_init=3,
        patience=5,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.weight_lower_range = weight_lower_range
        self.threshold_range = threshold_range
        self.index = index
        self.population_size = population_size
        self.generations = generations
        self.crossover_proba = crossover_proba
        self.mutation_proba = mutation_proba
        self.n_init = n_init
        self.patience = patience
        self.random_state = random_state
        self.verbose = verbose

    def _ranges(self) -> tuple[np.ndarray, np.ndarray]:
        try:
            weight_low, weight_high = (float(v) for v in self.weight_lower_range)
            threshold_low, threshold_high = (float(v) for v in self.threshold_range)
        except (TypeError, ValueError) as error:
            raise ValueError(
                "weight_lower_range and threshold_range must be pairs (low, high); got "
                f"{self.weight_lower_range!r} and {self.threshold_range!r}."
            ) from error
        if not 0 < weight_low <= weight_high <= 1:
            raise ValueError(
                f"weight_lower_range must satisfy 0 < low <= high <= 1; got "
                f"{self.weight_lower_range!r}."
            )
        if not 1 <= threshold_low <= threshold_high or not np.isfinite(threshold_high):
            raise ValueError(
                f"threshold_range must satisfy 1 <= low <= high < inf; got {self.threshold_range!r}."
            )
        return np.array([weight_low, threshold_low]), np.array([weight_high, threshold_high])

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Search the rough k-means parameters and fit the best model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric, scaled data.
        y : None
            Ignored.

        Returns
        -------
        self : GARoughKMeansTuner
            The fitted tuner.
        """
        X = validate_data(self, X, dtype=np.float64)
        low, high = self._ranges()
        if self.n_clusters > X.shape[0]:
            raise ValueError(
                f"n_clusters={self.n_clusters} is larger than n_samples={X.shape[0]}; lower "
                "n_clusters."
            )
        seed = seed_from_random_state(self.random_state)
        rng = np.random.default_rng(seed)
        span = high - low
        cache: dict[bytes, float] = {}

        def model(genes: np.ndarray):
            return RoughKMeans(
                n_clusters=int(self.n_clusters),
                weight_lower=float(genes[0]),
                threshold=float(genes[1]),
                n_init=int(self.n_init),
                random_state=seed,
            )

        def evaluate(batch: list[np.ndarray]) -> list[float]:
            scores = []
            for genes in batch:
                key = np.round(genes, 6).tobytes()
                if key not in cache:
                    fitted = model(genes).fit(X)
                    weight = float(genes[0]) if self.index == "mitra" else None
                    cache[key] = -rough_davies_bouldin(
                        X, fitted.cluster_centers_, fitted.lower_, fitted.upper_, weight
                    )
                scores.append(cache[key])
            return scores

        def repair(genes: np.ndarray) -> np.ndarray:
            return np.clip(genes, low, high)

        def crossover(first, second, rng):
            gamma = (1.0 + 2 * 0.5) * rng.random(2) - 0.5  # BLX-0.5, as deap.tools.cxBlend
            return (1 - gamma) * first + gamma * second, gamma * first + (1 - gamma) * second

        def mutate(genes, rng):
            return genes + rng.normal(0.0, 0.1 * np.where(span > 0, span, 0.0))

        initial = [low + rng.random(2) * span for _ in range(int(self.population_size))]
        with seeded_deap_random(seed):
            result = evolve(
                initial,
                evaluate,
                crossover,
                mutate,
                rng=rng,
                generations=int(self.generations),
                crossover_proba=float(self.crossover_proba),
                mutation_proba=float(self.mutation_proba),
                tournament_size=3,
                n_elites=1,
                patience=self.patience,
                repair=repair,
                verbose=self.verbose,
                description="GA rough k-means tuning",
            )
        best = result.best_genes
        self.best_params_ = {"weight_lower": float(best[0]), "threshold": float(best[1])}
        self.best_estimator_ = model(best).fit(X)
        self.best_score_ = -result.best_fitness
        self.labels_ = self.best_estimator_.labels_
        self.cluster_centers_ = self.best_estimator_.cluster_centers_
        self.logbook_ = result.logbook
        self.n_generations_ = result.n_generations
        return self

    def predict(self, X):
        """Rough cluster of each row with the tuned model (-1: boundary).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "best_estimator_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.best_estimator_.predict(X)

    def logbook_frame(self):
        """Per-generation convergence table (a DataFrame).

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``gen, nevals, min, mean, max, best``.
        """
        check_is_fitted(self, "logbook_")
        return logbook_to_frame(self.logbook_)
