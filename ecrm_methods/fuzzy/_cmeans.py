"""Fuzzy c-means clustering (Bezdek 1981) as a scikit-learn clusterer and transformer.

The update equations are those of :func:`skfuzzy.cluster.cmeans` (Ross 2010, eq. 10.28-10.35),
so that, started from the same membership matrix, both give the same centers. The loop is
restructured to stream over row blocks: per iteration it keeps one membership matrix and
block-sized temporaries, so memory stays near the size of the data plus the memberships.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.cluster import kmeans_plusplus
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data
from threadpoolctl import threadpool_limits

__all__ = ["FuzzyCMeans", "fuzzy_memberships"]

_EPS = np.finfo(np.float64).eps
# Rows per block in the streamed update: block temporaries stay in the CPU cache.
_BLOCK_ROWS = 8192


def _squared_distances_T(X_block, centers, shift, x_sq_block):
    """Squared distances, cluster-major (n_clusters, n_block).

    ||x - v||^2 = ||x - s||^2 - 2 (x - s).(v - s) + ||v - s||^2 with s the data mean, so one
    small matrix product replaces a pass per feature and cancellation stays small.
    """
    shifted_centers = centers - shift
    sq = (-2.0 * shifted_centers) @ (X_block - shift).T
    sq += x_sq_block[None, :]
    sq += np.einsum("kj,kj->k", shifted_centers, shifted_centers)[:, None]
    np.maximum(sq, _EPS * _EPS, out=sq)  # skfuzzy floors distances at eps
    return sq


def _shifted_sq_norms(X, shift):
    out = np.empty(X.shape[0])
    for start in range(0, X.shape[0], _BLOCK_ROWS):
        shifted = X[start : start + _BLOCK_ROWS] - shift
        out[start : start + _BLOCK_ROWS] = np.einsum("ij,ij->i", shifted, shifted)
    return out


def _memberships_from_squared_distances_T(sq, m):
    """FCM update u_ik = 1 / sum_j (d_ik / d_ij)^(2/(m-1)) on cluster-major ``sq``, in place."""
    if m == 2.0:
        np.reciprocal(sq, out=sq)
    else:
        np.power(sq, -1.0 / (m - 1.0), out=sq)
    total = sq.sum(axis=0)
    np.reciprocal(total, out=total)
    sq *= total[None, :]
    return sq


def _powered(u, m):
    return u * u if m == 2.0 else np.power(u, m)


def fuzzy_memberships(X, centers, m=2.0):
    """Fuzzy c-means memberships of points to fixed cluster centers.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Points.
    centers : ndarray of shape (n_clusters, n_features)
        Cluster centers.
    m : float, default=2.0
        Fuzzifier, > 1.

    Returns
    -------
    membership : ndarray of shape (n_samples, n_clusters)
        Rows sum to 1.

    References
    ----------
    .. [1] Bezdek, J. C. (1981). *Pattern Recognition with Fuzzy Objective Function
       Algorithms*. Plenum Press.
    """
    X = np.asarray(X, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    shift = X.mean(axis=0) if X.shape[0] else np.zeros(X.shape[1])
    out = np.empty((X.shape[0], centers.shape[0]), dtype=np.float64)
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, X.shape[0], _BLOCK_ROWS):
            X_block = X[start : start + _BLOCK_ROWS]
            x_sq = _shifted_sq_norms(X_block, shift)
            sq = _squared_distances_T(X_block, centers, shift, x_sq)
            out[start : start + _BLOCK_ROWS] = _memberships_from_squared_distances_T(sq, m).T
    return out


def _fcm_single_run(X, membership_T, m, tol, max_iter):
    """Run FCM from cluster-major memberships ``membership_T`` (n_clusters, n_samples).

    ``membership_T`` is updated in place. Returns centers, objective history and n_iter.
    One iteration follows skfuzzy's ``_cmeans0``: centers from the current memberships,
    objective J = sum u^m d^2 with those memberships and the new centers, then new memberships.
    Memberships are held cluster-major, as in skfuzzy, so that sums over clusters are row adds;
    the loop streams over row blocks and uses single-threaded BLAS for its tiny products.
    """
    membership_T /= membership_T.sum(axis=0, keepdims=True)
    shift = X.mean(axis=0)
    x_sq = _shifted_sq_norms(X, shift)
    n_clusters = membership_T.shape[0]
    numerator = np.zeros((n_clusters, X.shape[1]))
    denominator = np.zeros(n_clusters)
    for start in range(0, X.shape[0], _BLOCK_ROWS):
        um = _powered(membership_T[:, start : start + _BLOCK_ROWS], m)
        numerator += um @ X[start : start + _BLOCK_ROWS]
        denominator += um.sum(axis=1)
    objective_history = []
    centers = numerator / denominator[:, None]
    n_iter = 0
    check_change = tol > 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - n_iter is reported after the loop
        centers = numerator / denominator[:, None]
        objective = 0.0
        max_change = 0.0
        numerator = np.zeros_like(numerator)
        denominator = np.zeros_like(denominator)
        for start in range(0, X.shape[0], _BLOCK_ROWS):
            stop = start + _BLOCK_ROWS
            X_block = X[start:stop]
            sq = _squared_distances_T(X_block, centers, shift, x_sq[start:stop])
            old_block = membership_T[:, start:stop]
            um_old = _powered(old_block, m)
            objective += float(np.vdot(um_old, sq))
            new_block = _memberships_from_squared_distances_T(sq, m)
            if check_change:
                np.subtract(new_block, old_block, out=um_old)
                max_change = max(max_change, float(np.max(np.abs(um_old))))
            old_block[...] = new_block
            um = _powered(new_block, m)
            numerator += um @ X_block
            denominator += um.sum(axis=1)
        objective_history.append(objective)
        if check_change and max_change < tol:
            break
    return centers, np.asarray(objective_history), n_iter


class FuzzyCMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    """Fuzzy c-means clustering: every customer belongs to every segment to a degree.

    Minimises J_m = sum_i sum_k u_ik^m ||x_i - v_k||^2 subject to sum_k u_ik = 1 by alternating
    the center and membership updates (Bezdek 1981). Unlike :func:`skfuzzy.cluster.cmeans`, data
    are (n_samples, n_features), the random generator is ``random_state`` (never numpy's global
    one) and results are attributes, not a 7-tuple.

    Parameters
    ----------
    n_clusters : int, default=3
        Number of fuzzy clusters (segments).
    m : float, default=2.0
        Fuzzifier, > 1. Values near 1 give nearly crisp partitions, larger values fuzzier ones.
    tol : float, default=1e-4
        Stop when no membership changes by more than ``tol`` in one iteration (skfuzzy uses the
        Frobenius norm of the change instead, which grows with the number of samples).
        ``tol=0`` runs exactly ``max_iter`` iterations.
    max_iter : int, default=300
        Maximum number of iterations per run.
    n_init : int, default=1
        Number of runs from different initialisations; the run with the lowest objective wins.
        Ignored (one run) when ``init`` is an array.
    init : {"k-means++", "random"} or array-like of shape (n_samples, n_clusters), \
default="k-means++"
        "k-means++": memberships to centers chosen by k-means++ seeding; "random": random
        memberships normalised per row; an array: initial memberships (rows are normalised).
    random_state : int, RandomState instance or None, default=None
        Seed for the initialisation.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centers used in the last membership update.
    membership_ : ndarray of shape (n_samples, n_clusters)
        Final memberships; rows sum to 1 (a column-major array: the fit works cluster-major).
    labels_ : ndarray of shape (n_samples,)
        Cluster of highest membership.
    objective_ : float
        Objective J_m of the last iteration.
    objective_history_ : ndarray of shape (n_iter_,)
        Objective per iteration of the winning run (non-increasing).
    n_iter_ : int
        Iterations run by the winning run.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` has them.

    References
    ----------
    .. [1] Bezdek, J. C. (1981). *Pattern Recognition with Fuzzy Objective Function
       Algorithms*. Plenum Press.
    .. [2] Ross, T. J. (2010). *Fuzzy Logic with Engineering Applications*, 3rd ed., Wiley,
       pp. 352-353.

    Examples
    --------
    >>> import numpy as np
    >>> from ecrm_methods.fuzzy import FuzzyCMeans
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> fcm = FuzzyCMeans(n_clusters=2, random_state=0).fit(X)
    >>> fcm.membership_.sum(axis=1).round(6).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "m": [Interval(numbers.Real, 1, None, closed="neither")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), "array-like"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_clusters=3,
        *,
        m=2.0,
        tol=1e-4,
        max_iter=300,
        n_init=1,
        init="k-means++",
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.m = m
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init = init
        self.random_state = random_state

    def _initial_membership(self, X, rng):
        n_samples = X.shape[0]
        if isinstance(self.init, str) and self.init == "random":
            membership = rng.uniform(size=(n_samples, self.n_clusters))
            return membership / membership.sum(axis=1, keepdims=True)
        if isinstance(self.init, str):  # k-means++
            centers, _ = kmeans_plusplus(X, self.n_clusters, random_state=rng)
            return fuzzy_memberships(X, centers, float(self.m))
        membership = np.asarray(self.init, dtype=np.float64)
        if membership.shape != (n_samples, self.n_clusters):
            raise ValueError(
                f"init has shape {membership.shape}, but an initial membership matrix must be "
                f"(n_samples, n_clusters) = ({n_samples}, {self.n_clusters}); pass an array of "
                "that shape or init='k-means++'."
            )
        if not np.all(np.isfinite(membership)) or np.any(membership < 0):
            raise ValueError(
                "init contains negative, NaN or infinite memberships; initial memberships "
                "must be finite and >= 0."
            )
        if np.any(membership.sum(axis=1) <= 0):
            raise ValueError(
                "init has a row of all-zero memberships; every row needs a positive sum."
            )
        return membership

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the fuzzy partition.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (numeric, no missing values).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : FuzzyCMeans
            Fitted estimator.
        """
        X = validate_data(self, X, dtype=np.float64, order="C")
        n_samples = X.shape[0]
        if n_samples < self.n_clusters:
            raise ValueError(
                f"n_samples={n_samples} should be >= n_clusters={self.n_clusters}: "
                "fuzzy c-means needs at least one sample per cluster; lower n_clusters."
            )
        rng = check_random_state(self.random_state)
        m = float(self.m)
        n_runs = 1 if not isinstance(self.init, str) else self.n_init
        best = None
        for _ in range(n_runs):
            # cluster-major (n_clusters, n_samples) working copy; membership_ is its transpose
            membership_T = np.ascontiguousarray(self._initial_membership(X, rng).T)
            with threadpool_limits(limits=1, user_api="blas"):
                centers, history, n_iter = _fcm_single_run(
                    X, membership_T, m, self.tol, self.max_iter
                )
            membership = membership_T.T
            if best is None or history[-1] < best[2][-1]:
                best = (centers, membership, history, n_iter)
        self.cluster_centers_, self.membership_, self.objective_history_, self.n_iter_ = best
        self.objective_ = float(self.objective_history_[-1])
        self.labels_ = np.argmax(self.membership_, axis=1)
        self._n_features_out = self.n_clusters
        return self

    def predict_membership(self, X):
        """Membership of each sample in each fitted cluster.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        membership : ndarray of shape (n_samples, n_clusters)
            Rows sum to 1.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, order="C", reset=False)
        return fuzzy_memberships(X, self.cluster_centers_, float(self.m))

    def predict(self, X):
        """Cluster of highest membership for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster index.
        """
        return np.argmax(self.predict_membership(X), axis=1)

    def transform(self, X):
        """Memberships as features (same as :meth:`predict_membership`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        membership : ndarray of shape (n_samples, n_clusters)
            Rows sum to 1.
        """
        return self.predict_membership(X)

    def fit_transform(self, X, y=None):
        """Fit and return the training memberships ``membership_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Not used.

        Returns
        -------
        membership : ndarray of shape (n_samples, n_clusters)
            Rows sum to 1.
        """
        return self.fit(X).membership_.copy()
