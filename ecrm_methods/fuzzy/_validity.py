"""Validity indices of fuzzy partitions and a scan over the number of clusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import silhouette_samples
from sklearn.utils.validation import check_array, check_random_state

from ._cmeans import FuzzyCMeans

__all__ = [
    "partition_coefficient",
    "partition_entropy",
    "xie_beni_index",
    "fuzzy_silhouette",
    "fuzzy_cmeans_validity_scan",
]


def _check_membership(membership):
    membership = check_array(membership, dtype=np.float64, input_name="membership")
    if np.any(membership < -1e-12) or np.any(membership > 1 + 1e-12):
        raise ValueError(
            "membership must lie in [0, 1]; got values from "
            f"{membership.min():.3g} to {membership.max():.3g}. Pass the (n_samples, n_clusters) "
            "membership matrix (e.g. FuzzyCMeans().membership_)."
        )
    return membership


def partition_coefficient(membership):
    """Bezdek's partition coefficient PC = (1/n) sum_i sum_k u_ik^2.

    Parameters
    ----------
    membership : array-like of shape (n_samples, n_clusters)
        Fuzzy memberships, rows summing to 1.

    Returns
    -------
    pc : float
        In [1/n_clusters, 1]; higher means a crisper partition.

    References
    ----------
    .. [1] Bezdek, J. C. (1974). Cluster validity with fuzzy sets. *Journal of Cybernetics*,
       3(3), 58-73.
    """
    membership = _check_membership(membership)
    return float(np.sum(membership**2) / membership.shape[0])


def partition_entropy(membership):
    """Bezdek's partition entropy PE = -(1/n) sum_i sum_k u_ik log(u_ik) (natural log).

    Parameters
    ----------
    membership : array-like of shape (n_samples, n_clusters)
        Fuzzy memberships, rows summing to 1.

    Returns
    -------
    pe : float
        In [0, log(n_clusters)]; lower means a crisper partition.

    References
    ----------
    .. [1] Bezdek, J. C. (1974). Cluster validity with fuzzy sets. *Journal of Cybernetics*,
       3(3), 58-73.
    """
    membership = _check_membership(membership)
    positive = np.clip(membership, np.finfo(np.float64).tiny, None)
    return float(-np.sum(membership * np.log(positive)) / membership.shape[0])


def xie_beni_index(X, membership, centers, m=2.0):
    """Xie-Beni separation index: compactness over separation.

    XB = sum_i sum_k u_ik^m ||x_i - v_k||^2 / (n * min_{k != l} ||v_k - v_l||^2).
    Xie & Beni use m = 2; other fuzzifiers follow Pal & Bezdek (1995).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data.
    membership : array-like of shape (n_samples, n_clusters)
        Fuzzy memberships.
    centers : array-like of shape (n_clusters, n_features)
        Cluster centers.
    m : float, default=2.0
        Fuzzifier.

    Returns
    -------
    xb : float
        Lower is better; ``inf`` when two centers coincide.

    References
    ----------
    .. [1] Xie, X. L., & Beni, G. (1991). A validity measure for fuzzy clustering. *IEEE
       Transactions on Pattern Analysis and Machine Intelligence*, 13(8), 841-847.
    .. [2] Pal, N. R., & Bezdek, J. C. (1995). On cluster validity for the fuzzy c-means model.
       *IEEE Transactions on Fuzzy Systems*, 3(3), 370-379.
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    membership = _check_membership(membership)
    centers = check_array(centers, dtype=np.float64, input_name="centers")
    if membership.shape != (X.shape[0], centers.shape[0]):
        raise ValueError(
            f"membership has shape {membership.shape}; expected (n_samples, n_clusters) = "
            f"({X.shape[0]}, {centers.shape[0]}) from X and centers."
        )
    if centers.shape[0] < 2:
        raise ValueError("xie_beni_index needs at least 2 centers; got 1.")
    sq = np.column_stack([((X - center) ** 2).sum(axis=1) for center in centers])
    compactness = float(np.sum(membership**m * sq))
    center_sq = ((centers[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    separation = float(np.min(center_sq[~np.eye(centers.shape[0], dtype=bool)]))
    if separation == 0.0:
        return float("inf")
    return compactness / (X.shape[0] * separation)


def fuzzy_silhouette(X, membership, *, alpha=1.0, sample_size=None, random_state=None):
    """Fuzzy silhouette of Campello & Hruschka (2006).

    FS = sum_i (u_pi - u_qi)^alpha s_i / sum_i (u_pi - u_qi)^alpha, where s_i is the crisp
    silhouette of sample i under the highest-membership labels and u_pi, u_qi its two largest
    memberships. Samples deep inside a cluster weigh more than samples on a boundary.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data.
    membership : array-like of shape (n_samples, n_clusters)
        Fuzzy memberships.
    alpha : float, default=1.0
        Weighting exponent, >= 0.
    sample_size : int or None, default=None
        Compute on a random subsample of this size (the crisp silhouette is O(n^2)).
    random_state : int, RandomState instance or None, default=None
        Seed for the subsample.

    Returns
    -------
    fs : float
        In [-1, 1]; higher is better. ``nan`` when fewer than two clusters are occupied.

    References
    ----------
    .. [1] Campello, R. J. G. B., & Hruschka, E. R. (2006). A fuzzy extension of the silhouette
       width criterion for cluster analysis. *Fuzzy Sets and Systems*, 157(21), 2858-2875.
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    membership = _check_membership(membership)
    if membership.shape[0] != X.shape[0]:
        raise ValueError(
            f"membership has {membership.shape[0]} rows but X has {X.shape[0]}; they must match."
        )
    if alpha < 0:
        raise ValueError(f"alpha={alpha!r} must be >= 0.")
    if membership.shape[1] < 2:
        return float("nan")
    if sample_size is not None and sample_size < X.shape[0]:
        rng = check_random_state(random_state)
        rows = rng.choice(X.shape[0], size=int(sample_size), replace=False)
        X, membership = X[rows], membership[rows]
    labels = np.argmax(membership, axis=1)
    if np.unique(labels).size < 2 or np.unique(labels).size >= X.shape[0]:
        return float("nan")
    silhouettes = silhouette_samples(X, labels)
    top_two = np.sort(membership, axis=1)[:, -2:]
    weights = (top_two[:, 1] - top_two[:, 0]) ** alpha
    if weights.sum() == 0:
        return float(np.mean(silhouettes))
    return float(np.sum(weights * silhouettes) / np.sum(weights))


def fuzzy_cmeans_validity_scan(
    X,
    n_clusters_range=range(2, 9),
    *,
    m=2.0,
    silhouette_sample_size=2000,
    random_state=None,
    **fcm_params,
):
    """Fit fuzzy c-means for each number of clusters and tabulate the validity indices.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data (already scaled).
    n_clusters_range : iterable of int, default=range(2, 9)
        Numbers of clusters to try (each >= 2).
    m : float, default=2.0
        Fuzzifier.
    silhouette_sample_size : int or None, default=2000
        Subsample size for the fuzzy silhouette (None: all samples).
    random_state : int or None, default=None
        Seed passed to every fit and to the silhouette subsample.
    **fcm_params
        Further :class:`FuzzyCMeans` parameters (``tol``, ``max_iter``, ``n_init``, ...).

    Returns
    -------
    table : pandas.DataFrame
        One row per number of clusters with columns ``n_clusters``, ``partition_coefficient``
        (higher better), ``partition_entropy`` (lower better), ``xie_beni`` (lower better),
        ``fuzzy_silhouette`` (higher better), ``objective`` and ``n_iter``.

    References
    ----------
    .. [1] Pal, N. R., & Bezdek, J. C. (1995). On cluster validity for the fuzzy c-means model.
       *IEEE Transactions on Fuzzy Systems*, 3(3), 370-379.
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    rows = []
    for n_clusters in n_clusters_range:
        if int(n_clusters) < 2:
            raise ValueError(
                f"n_clusters_range contains {n_clusters}; validity indices need >= 2 clusters."
            )
        fcm = FuzzyCMeans(int(n_clusters), m=m, random_state=random_state, **fcm_params).fit(X)
        rows.append(
            {
                "n_clusters": int(n_clusters),
                "partition_coefficient": partition_coefficient(fcm.membership_),
                "partition_entropy": partition_entropy(fcm.membership_),
                "xie_beni": xie_beni_index(X, fcm.membership_, fcm.cluster_centers_, m=m),
                "fuzzy_silhouette": fuzzy_silhouette(
                    X,
                    fcm.membership_,
                    sample_size=silhouette_sample_size,
                    random_state=random_state,
                ),
                "objective": fcm.objective_,
                "n_iter": fcm.n_iter_,
            }
        )
    return pd.DataFrame(rows)
