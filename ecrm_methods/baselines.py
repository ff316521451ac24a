"""Practitioner baselines for the eCRM problems.

The baselines every soft-computing method is compared against:

- segmentation: :class:`SilhouetteKMeans` (k-means with the number of segments chosen by the
  silhouette coefficient) and :class:`RFMQuintileSegments` (the classic marketing RFM scores,
  computed by :func:`ecrm_methods.features.rfm_scores`);
- value: :class:`NaiveValueForecaster` (calibration purchase rate x holdout length) and
  :class:`ZeroValueForecaster` (nobody buys again: the floor of the value leaderboard). The BTYD
  models (BG/NBD + Gamma-Gamma) live in :mod:`ecrm_methods.clv`.

Churn and satisfaction baselines are plain scikit-learn models (logistic regression, histogram
gradient boosting, majority class) configured in :mod:`ecrm_methods.benchmark.methods.baselines`.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, RegressorMixin, _fit_context
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin, silhouette_score
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ecrm_methods.clv import _CalibrationSummaryMixin, _column_positions
from ecrm_methods.features import rfm_scores

__all__ = [
    "NaiveValueForecaster",
    "RFMQuintileSegments",
    "SilhouetteKMeans",
    "ZeroValueForecaster",
]


class NaiveValueForecaster(_CalibrationSummaryMixin, RegressorMixin, BaseEstimator):
    """Naive customer-value forecast: calibration purchase rate x holdout length.

    Predicted holdout repeat purchases = ``frequency / T * holdout_length``; predicted holdout
    spend = that number x the customer's mean repeat-transaction value.

    Parameters
    ----------
    holdout_length : float
        Length of the holdout period in the calibration time unit, > 0. Required: the default
        None only exists so that ``fit`` can say so.
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

    _parameter_constraints: dict = {
        "holdout_length": [Interval(Real, 0, np.inf, closed="neither"), None],
        "frequency_col": [str],
        "recency_col": [str],
        "T_col": [str],
        "monetary_col": [str],
    }

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

    @_fit_context(prefer_skip_nested_validation=True)
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


class ZeroValueForecaster(RegressorMixin, BaseEstimator):
    """The trivial customer-value forecast: no customer buys again, nobody spends.

    It is in the value leaderboard to show the floor: on CDNOW about 70 % of customers spend
    nothing in the holdout, so an all-zero forecast beats every model on mean absolute spend
    error, while it captures only the top-20 % share a random ranking would (20 %) and has no
    rank correlation with what customers spend. Metrics it can win are not headline metrics.

    Attributes
    ----------
    n_outputs_ : int
        Columns of the forecast: 2 (holdout purchases, holdout spend) when fitted without a
        target, else the number of target columns.

    Examples
    --------
    >>> import numpy as np
    >>> from ecrm_methods.baselines import ZeroValueForecaster
    >>> ZeroValueForecaster().fit(np.ones((3, 4))).predict(np.ones((2, 4)))
    array([[0., 0.],
           [0., 0.]])

    References
    ----------
    Wübben, M. & von Wangenheim, F. (2008). Instant customer base analysis: managerial
    heuristics often "get it right". Journal of Marketing, 72(3), 82-93.
    """

    _parameter_constraints: dict = {}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.target_tags.multi_output = True
        tags.target_tags.required = False
        tags.regressor_tags.poor_score = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of features and of forecast columns (nothing is learned)."""
        if y is None:
            validate_data(self, X, ensure_all_finite="allow-nan", dtype=None)
            self.n_outputs_, self._one_dimensional = 2, False
            return self
        _, y = validate_data(
            self, X, y, multi_output=True, y_numeric=True, ensure_all_finite="allow-nan"
        )
        self._one_dimensional = y.ndim == 1
        self.n_outputs_ = 1 if y.ndim == 1 else int(y.shape[1])
        return self

    def predict(self, X):
        """Zeros of shape ``(n_samples, n_outputs_)`` (``(n_samples,)`` for a 1-d fit target)."""
        check_is_fitted(self, "n_outputs_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=None)
        if self._one_dimensional:
            return np.zeros(X.shape[0])
        return np.zeros((X.shape[0], self.n_outputs_))


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

    _parameter_constraints: dict = {
        "min_clusters": [Interval(Integral, 2, None, closed="left")],
        "max_clusters": [Interval(Integral, 2, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "silhouette_sample_size": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit k-means for every k in the range and keep the one with the best silhouette."""
        X = validate_data(self, X, dtype=float)
        if self.min_clusters > self.max_clusters:  # constraints check each bound on its own
            raise ValueError(
                f"{type(self).__name__} needs min_clusters <= max_clusters, got "
                f"min_clusters={self.min_clusters} and max_clusters={self.max_clusters}; lower "
                "min_clusters or raise max_clusters."
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

    The scores are those of :func:`ecrm_methods.features.rfm_scores`: equal-frequency bins of
    the rank, ``floor((rank - 1) * n_bins / n) + 1``, with tied customers split by row order
    (``ties="split"`` on the row positions). The baseline calls that function rather than
    binning on its own so that an RFM score means one thing across the package: the feature
    table and this baseline put every customer in the same bin (a separate binning,
    ``ceil(rank / n * n_bins)``, moved some customers to the neighbouring bin whenever ``n`` is
    not a multiple of ``n_bins``).

    Parameters
    ----------
    recency_col, frequency_col, monetary_col : str
        Column names in ``X``.
    recency_higher_is_better : bool, default=False
        False for "time since the last purchase" (marketing convention), True for BTYD recency
        (time from the first to the last purchase).
    n_bins : int, default=5
        Number of score levels, 2 to 9 as in :func:`~ecrm_methods.features.rfm_scores`
        (5 = quintiles).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    rfm_scores_ : ndarray of shape (n_samples, 3)
        R, F and M scores.

    References
    ----------
    Hughes, A. M. (1994). Strategic Database Marketing. Probus. Bult, J. R. & Wansbeek, T. (1995).
    Optimal selection for direct mail. Marketing Science, 14(4), 378-394.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecrm_methods.baselines import RFMQuintileSegments
    >>> customers = pd.DataFrame(
    ...     {
    ...         "recency_days": [5.0, 40.0, 200.0, 12.0, 90.0, 300.0, 25.0],
    ...         "frequency": [12.0, 3.0, 1.0, 8.0, 2.0, 1.0, 5.0],
    ...         "monetary": [900.0, 120.0, 30.0, 640.0, 80.0, 15.0, 300.0],
    ...     }
    ... )
    >>> model = RFMQuintileSegments(n_bins=3).fit(customers)
    >>> model.rfm_scores_.tolist()
    [[3, 3, 3], [2, 2, 2], [1, 1, 1], [3, 3, 3], [1, 1, 1], [1, 1, 1], [2, 2, 2]]
    >>> model.labels_.tolist()
    [2, 1, 0, 2, 0, 0, 1]
    """

    _parameter_constraints: dict = {
        "recency_col": [str],
        "frequency_col": [str],
        "monetary_col": [str],
        "recency_higher_is_better": ["boolean"],
        "n_bins": [Interval(Integral, 2, 9, closed="both")],
    }

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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Score each customer and assign the RFM tier."""
        X = validate_data(self, X, dtype=float)
        positions = _column_positions(
            self,
            {"r": self.recency_col, "f": self.frequency_col, "m": self.monetary_col},
        )
        recency = X[:, positions["r"]]
        # rfm_scores reads its recency column as "time since the last purchase" (lower is
        # better) and reverses it; negate a higher-is-better recency so the reversal restores it
        rfm = pd.DataFrame(
            {
                "recency": -recency if self.recency_higher_is_better else recency,
                "frequency": X[:, positions["f"]],
                "monetary": X[:, positions["m"]],
            }
        )  # a RangeIndex: rfm_scores splits ties by index, here the row order
        scored = rfm_scores(
            rfm,
            n_bins=self.n_bins,
            recency_col="recency",
            frequency_col="frequency",
            monetary_col="monetary",
            ties="split",
        )
        self.rfm_scores_ = scored[["r_score", "f_score", "m_score"]].to_numpy()
        mean_score = self.rfm_scores_.mean(axis=1)
        self.labels_ = (np.floor(mean_score + 0.5).astype(int) - 1).clip(0, self.n_bins - 1)
        return self
