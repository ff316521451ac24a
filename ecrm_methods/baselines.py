"""Practitioner baselines for the eCRM problems.

The baselines every soft-computing method is compared against:

- segmentation: :class:`SilhouetteKMeans` (k-means with the number of segments chosen by the
  silhouette coefficient) and :class:`RFMQuintileSegments` (the classic marketing RFM scores,
  computed by :func:`ecrm_methods.features.rfm_scores`);
- value: :class:`NaiveValueForecaster` (calibration purchase rate x holdout length). The BTYD
  models (BG/NBD + Gamma-Gamma) live in :mod:`ecrm_methods.clv`.

Churn and satisfaction baselines are plain scikit-learn models (logistic regression, histogram
gradient boosting, majority class) configured in :mod:`ecrm_methods.benchmark.methods.baselines`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, RegressorMixin
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin, silhouette_score
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ecrm_methods.clv import _CalibrationSummaryMixin, _column_positions

__all__ = [
    "NaiveValueForecaster",
    "RFMQuintileSegments",
    "SilhouetteKMeans",
]


class NaiveValueForecaster(_CalibrationSummaryMixin, RegressorMixin, BaseEstimator):
    """Naive customer-value forecast: calibration purchase rate x holdout length.

    Predicted holdout repeat purchases = ``frequency / T * holdout_length``; predicted holdout
    spend = that number x the customer's mean repeat-transaction value.

    Parameters
    ----------
    holdout_length : float
        Length of the holdout period in the calibration time unit.
    frequency_col, recency_col, T_col, monetary_col : str
        Column names of the calibration summary in ``X``.

    Attributes
    ----------
    positions_ : dict
        Column position of each summary field in ``X``.

    References
    ----------
    Wübben, M. & von Wangenheim, F. (2008). Instant customer base analysis: managerial
    heuristics often "get it right". Journal of Marketing, 72(3), 82-93.
    """

    def __init__(
        self,
        holdout_length=None,
        frequency_col="frequency",
        recency_col="recency",
        T_col="T",
        monetary_col="monetary_value",
    ):
        self.holdout_length = holdout_length
        self.frequency_col = frequency_col
        self.recency_col = recency_col
        self.T_col = T_col
        self.monetary_col = monetary_col

    def fit(self, X, y=None):
        """Record the calibration summary columns (the naive forecast has no parameters)."""
        self._check_holdout_length()
        validate_data(self, X, ensure_all_finite="allow-nan", dtype=None)
        self.positions_ = _column_positions(self, self._roles())
        return self

    def predict(self, X):
        """Return an (n, 2) array: holdout repeat purchases and holdout spend."""
        check_is_fitted(self, "positions_")
        X = validate_data(self, X, reset=False, dtype=float, ensure_all_finite="allow-nan")
        summary = self._summary(X)
        T = np.where(summary["T"] > 0, summary["T"], np.nan)
        purchases = np.nan_to_num(summary["frequency"] / T * self.holdout_length)
        spend = purchases * np.nan_to_num(summary["monetary_value"])
        return np.column_stack([purchases, spend])


# --------------------------------------------------------------------------------------------
# Segmentation baselines
# --------------------------------------------------------------------------------------------


class SilhouetteKMeans(ClusterMixin, BaseEstimator):
    """k-means with the number of segments chosen by the silhouette coefficient.

    Parameters
    ----------
    min_clusters, max_clusters : int, default=2, 8
        Range of k tried (inclusive).
    n_init : int, default=10
        k-means restarts per k.
    silhouette_sample_size : int or None, default=5000
        Rows used to score each k (all rows when None or when fewer rows exist).
    random_state : int, RandomState or None
        Seeds k-means and the silhouette subsample.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Segment of each customer.
    cluster_centers_ : ndarray of shape (n_clusters_, n_features)
    n_clusters_ : int
        The chosen k.
    silhouette_by_k_ : dict
        Silhouette coefficient of each k tried.

    References
    ----------
    MacQueen, J. (1967). Some methods for classification and analysis of multivariate
    observations. Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and
    validation of cluster analysis. Journal of Computational and Applied Mathematics, 20, 53-65.
    """

    def __init__(
        self,
        min_clusters=2,
        max_clusters=8,
        n_init=10,
        silhouette_sample_size=5000,
        random_state=None,
    ):
        self.min_clusters = min_clusters
        self.max_clusters = max_clusters
        self.n_init = n_init
        self.silhouette_sample_size = silhouette_sample_size
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit k-means for every k in the range and keep the one with the best silhouette."""
        X = validate_data(self, X, dtype=float)
        if not (2 <= self.min_clusters <= self.max_clusters):
            raise ValueError(
                f"need 2 <= min_clusters <= max_clusters, got min_clusters={self.min_clusters}, "
                f"max_clusters={self.max_clusters}."
            )
        if X.shape[0] <= self.min_clusters:
            raise ValueError(
                f"X has {X.shape[0]} rows; k-means with min_clusters={self.min_clusters} needs more."
            )
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        sample = self.silhouette_sample_size
        sample = None if sample is None or sample >= X.shape[0] else int(sample)
        self.silhouette_by_k_ = {}
        best = None
        for k in range(self.min_clusters, min(self.max_clusters, X.shape[0] - 1) + 1):
            model = KMeans(n_clusters=k, n_init=self.n_init, random_state=seed).fit(X)
            if len(np.unique(model.labels_)) < 2:
                continue
            score = float(silhouette_score(X, model.labels_, sample_size=sample, random_state=seed))
            self.silhouette_by_k_[k] = score
            if best is None or score > best[0]:
                best = (score, k, model)
        if best is None:
            raise ValueError("k-means found fewer than 2 distinct segments for every k tried.")
        _, self.n_clusters_, model = best
        self.labels_ = model.labels_.astype(int)
        self.cluster_centers_ = model.cluster_centers_
        self.inertia_ = float(model.inertia_)
        return self

    def predict(self, X):
        """Assign each row to the nearest segment centre."""
        check_is_fitted(self, "cluster_centers_")
        X = validate_data(self, X, reset=False, dtype=float)
        return pairwise_distances_argmin(X, self.cluster_centers_)


class RFMQuintileSegments(ClusterMixin, BaseEstimator):
    """Classic RFM segmentation: quintile scores 1-5 per dimension, segment = rounded mean score.

    Recency, frequency and monetary value are each ranked into quintiles (5 = best: most recent,
    most frequent, highest spend); a customer's segment is ``round(mean(R, F, M)) - 1`` (0 = the
    least valuable tier, 4 = the "golden" customers). Being rank based, the scores are the same on
    raw, log-scaled or standardized columns.

    Parameters
    ----------
    recency_col, frequency_col, monetary_col : str
        Column names in ``X``.
    recency_higher_is_better : bool, default=False
        False for "time since the last purchase" (marketing convention), True for BTYD recency
        (time from the first to the last purchase).
    n_bins : int, default=5
        Number of score levels (5 = quintiles).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    rfm_scores_ : ndarray of shape (n_samples, 3)
        R, F and M scores.

    References
    ----------
    Hughes, A. M. (1994). Strategic Database Marketing. Probus. Bult, J. R. & Wansbeek, T. (1995).
    Optimal selection for direct mail. Marketing Science, 14(4), 378-394.
    """

    def __init__(
        self,
        recency_col="recency_days",
        frequency_col="frequency",
        monetary_col="monetary",
        recency_higher_is_better=False,
        n_bins=5,
    ):
        self.recency_col = recency_col
        self.frequency_col = frequency_col
        self.monetary_col = monetary_col
        self.recency_higher_is_better = recency_higher_is_better
        self.n_bins = n_bins

    def fit(self, X, y=None):
        """Score each customer and assign the RFM tier."""
        X = validate_data(self, X, dtype=float)
        positions = _column_positions(
            self,
            {"r": self.recency_col, "f": self.frequency_col, "m": self.monetary_col},
        )
        if int(self.n_bins) < 2:
            raise ValueError(f"`n_bins` must be >= 2, got {self.n_bins!r}.")
        scores = []
        for role in ("r", "f", "m"):
            values = X[:, positions[role]]
            if role == "r" and not self.recency_higher_is_better:
                values = -values
            ranks = pd.Series(values).rank(method="first").to_numpy()
            scores.append(np.ceil(ranks / len(values) * self.n_bins).astype(int).clip(1, None))
        self.rfm_scores_ = np.column_stack(scores)
        mean_score = self.rfm_scores_.mean(axis=1)
        self.labels_ = (np.floor(mean_score + 0.5).astype(int) - 1).clip(0, self.n_bins - 1)
        return self
