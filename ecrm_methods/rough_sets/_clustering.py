"""Rough k-means clustering (Lingras & West 2004)."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.cluster import kmeans_plusplus
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

__all__ = ["RoughKMeans"]


def _squared_distances(X, centers):
    d2 = (X**2).sum(axis=1)[:, None] - 2.0 * X @ centers.T + (centers**2).sum(axis=1)[None, :]
    return np.maximum(d2, 0.0)


def _rough_assign(X, centers, threshold):
    """Upper and lower approximation membership of every row (n_rows x n_clusters).

    A row joins the upper approximation of its nearest center and of every other center
    whose distance is at most ``threshold`` times the nearest distance; rows with a single
    such center are in that cluster's lower approximation, the others are boundary rows.
    """
    distances = np.sqrt(_squared_distances(X, centers))
    nearest = distances.argmin(axis=1)
    d_min = distances[np.arange(X.shape[0]), nearest]
    upper = distances <= threshold * d_min[:, None]
    upper[np.arange(X.shape[0]), nearest] = True
    lower = upper & (upper.sum(axis=1) == 1)[:, None]
    return lower, upper, distances


def _rough_centers(X, lower, upper, old_centers, weight_lower):
    """Lingras-West center update: weighted mean of lower and boundary members."""
    boundary = upper & ~lower
    centers = old_centers.copy()
    n_lower = lower.sum(axis=0)
    n_boundary = boundary.sum(axis=0)
    lower_means = (lower.T.astype(np.float64) @ X) / np.maximum(n_lower, 1)[:, None]
    boundary_means = (boundary.T.astype(np.float64) @ X) / np.maximum(n_boundary, 1)[:, None]
    both = (n_lower > 0) & (n_boundary > 0)
    only_lower = (n_lower > 0) & (n_boundary == 0)
    only_boundary = (n_lower == 0) & (n_boundary > 0)
    centers[both] = weight_lower * lower_means[both] + (1 - weight_lower) * boundary_means[both]
    centers[only_lower] = lower_means[only_lower]
    centers[only_boundary] = boundary_means[only_boundary]
    return centers


class RoughKMeans(ClusterMixin, BaseEstimator):
    """Rough k-means: clusters with a lower approximation (sure members) and a boundary.

    Every cluster is an interval set: rows clearly closest to one center are in its lower
    approximation; rows almost equally close to several centers (distance ratio to the
    nearest center at most ``threshold``) are boundary rows in the upper approximations of
    all those clusters. Centers are ``weight_lower`` x mean(lower) + (1 - weight_lower) x
    mean(boundary). With ``threshold = 1`` and ``weight_lower = 1`` this is Lloyd's k-means.

    Parameters
    ----------
    n_clusters : int, default=3
        Number of clusters.
    weight_lower : float in (0, 1], default=0.7
        Weight of the lower approximation in the center update.
    threshold : float >= 1, default=1.5
        Relative distance ratio d(x, c_j) / d(x, c_nearest) up to which x also belongs to
        the upper approximation of cluster j.
    init : {"k-means++", "random"} or ndarray of shape (n_clusters, n_features), default="k-means++"
        Initial centers.
    n_init : int, default=10
        Restarts with different initial centers (1 when ``init`` is an array); the run with
        the lowest ``inertia_`` is kept.
    max_iter : int, default=100
        Largest number of center updates per run.
    tol : float, default=1e-6
        Stop when no center moves more than ``tol`` (Euclidean).
    random_state : int, RandomState instance or None, default=None
        Seed of the initialization.
    verbose : int, default=0
        Progress bar over the restarts when > 0.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    lower_ : ndarray of bool, shape (n_samples, n_clusters)
        Lower approximation membership of the training rows.
    upper_ : ndarray of bool, shape (n_samples, n_clusters)
        Upper approximation membership of the training rows.
    boundary_ : ndarray of bool, shape (n_samples,)
        Rows in more than one upper approximation.
    labels_ : ndarray of int, shape (n_samples,)
        Cluster of lower-approximation rows; -1 for boundary rows.
    inertia_ : float
        weight_lower x squared distances of lower members to their center plus
        (1 - weight_lower) x those of boundary members to each of their centers.
    n_iter_ : int
        Center updates of the kept run.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    References
    ----------
    Lingras, P., & West, C. (2004). Interval set clustering of web users with rough
    k-means. Journal of Intelligent Information Systems, 23(1), 5-16.
    Peters, G. (2006). Some refinements of rough k-means clustering. Pattern Recognition,
    39(8), 1481-1491.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "weight_lower": [Interval(numbers.Real, 0, 1, closed="right")],
        "threshold": [Interval(numbers.Real, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), "array-like"],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=3,
        weight_lower=0.7,
        threshold=1.5,
        init="k-means++",
        n_init=10,
        max_iter=100,
        tol=1e-6,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.weight_lower = weight_lower
        self.threshold = threshold
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose

    def _check_against_data(self, X):
        """The checks that need X: enough rows, and the shape of an array ``init``."""
        if X.shape[0] < self.n_clusters:
            raise ValueError(
                f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}; lower "
                f"n_clusters or give more rows."
            )
        if not isinstance(self.init, str):
            init = np.asarray(self.init, dtype=np.float64)
            if init.shape != (self.n_clusters, X.shape[1]):
                raise ValueError(
                    f"init has shape {init.shape}, expected (n_clusters, n_features) = "
                    f"({self.n_clusters}, {X.shape[1]})."
                )

    def _initial_centers(self, X, rng):
        if not isinstance(self.init, str):
            return np.array(self.init, dtype=np.float64)
        if self.init == "random":
            return X[rng.choice(X.shape[0], self.n_clusters, replace=False)].copy()
        centers, _ = kmeans_plusplus(X, self.n_clusters, random_state=rng)
        return centers

    def _objective(self, distances, lower, upper):
        boundary = upper & ~lower
        squared = distances**2
        return float(
            self.weight_lower * (squared * lower).sum()
            + (1 - self.weight_lower) * (squared * boundary).sum()
        )

    def _single_run(self, X, centers):
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007
            lower, upper, _ = _rough_assign(X, centers, self.threshold)
            new_centers = _rough_centers(X, lower, upper, centers, self.weight_lower)
            shift = np.sqrt(((new_centers - centers) ** 2).sum(axis=1)).max()
            centers = new_centers
            if shift <= self.tol:
                break
        lower, upper, distances = _rough_assign(X, centers, self.threshold)
        return centers, lower, upper, self._objective(distances, lower, upper), n_iter

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Cluster X into rough clusters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric, already scaled features.
        y : None
            Ignored.

        Returns
        -------
        self : RoughKMeans
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        X = X.astype(np.float64, copy=False)
        self._check_against_data(X)
        rng = check_random_state(self.random_state)
        n_init = 1 if not isinstance(self.init, str) else self.n_init
        best = None
        for _ in tqdm(range(n_init), desc="rough k-means", disable=not self.verbose):
            result = self._single_run(X, self._initial_centers(X, rng))
            if best is None or result[3] < best[3]:
                best = result
        centers, lower, upper, inertia, n_iter = best
        self.cluster_centers_ = centers
        self.lower_ = lower
        self.upper_ = upper
        self.boundary_ = upper.sum(axis=1) > 1
        self.labels_ = np.where(self.boundary_, -1, upper.argmax(axis=1)).astype(np.int64)
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        return self

    def predict(self, X):
        """Cluster of each row (-1 for rows in the boundary of several clusters).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of int, shape (n_samples,)
        """
        check_is_fitted(self, "cluster_centers_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        _, upper, _ = _rough_assign(X.astype(np.float64), self.cluster_centers_, self.threshold)
        return np.where(upper.sum(axis=1) > 1, -1, upper.argmax(axis=1)).astype(np.int64)

    def predict_upper(self, X) -> np.ndarray:
        """Upper approximation membership of new rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        upper : ndarray of bool, shape (n_samples, n_clusters)
        """
        check_is_fitted(self, "cluster_centers_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return _rough_assign(X.astype(np.float64), self.cluster_centers_, self.threshold)[1]
