"""Fuzzy customer scoring: fuzzy RFM segments and fuzzy value tiers."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from ._cmeans import FuzzyCMeans, fuzzy_memberships
from ._rules import (
    CompiledRuleBase,
    build_variable,
    default_term_names,
    fuzzify,
    parse_rule,
    quantile_partition,
)

__all__ = [
    "DEFAULT_RFM_SEGMENTS",
    "FuzzyRFMScorer",
    "FuzzyValueTierRegressor",
    "fuzzy_rfm_segments",
]

#: Segment definitions on the roles ``recency`` (time since the last purchase: high = long
#: ago), ``frequency`` and ``monetary``, each with terms low / medium / high.
DEFAULT_RFM_SEGMENTS = {
    "high_value": "recency IS low AND frequency IS high AND monetary IS high",
    "loyal": "recency IS NOT high AND frequency IS high",
    "promising": "recency IS low AND frequency IS medium",
    "new": "recency IS low AND frequency IS low",
    "at_risk": "recency IS high AND frequency IS high OR recency IS high AND monetary IS high",
    "lost": "recency IS high AND frequency IS low AND monetary IS low",
}
_ROLES = ("recency", "frequency", "monetary")


class FuzzyRFMScorer(TransformerMixin, BaseEstimator):
    """Degree to which each customer belongs to RFM segments ("high value", "at risk", ...).

    Each of recency, frequency and monetary value is mapped to its training percentile (mid-rank
    for ties, so heavily tied counts such as one-time buyers stay usable) and partitioned into
    ``low``, ``medium`` and ``high`` with membership functions centred at ``quantiles``. A
    segment is a fuzzy condition on these terms (AND = ``t_norm``, OR = its dual, NOT = 1 - mu);
    its degree is the condition's truth value, in [0, 1]. Degrees are not exclusive: a customer
    can be 0.7 "loyal" and 0.4 "high_value".

    Parameters
    ----------
    columns : sequence of 3 str, default=("recency_days", "frequency", "monetary")
        Columns playing the roles recency (time since last purchase), frequency and monetary,
        in that order. The default matches ``ecrm_methods.features.rfm_table``. For BTYD-style
        recency (time between first and last purchase, high = good) pass ``T - recency``.
    segments : dict of str to str or None, default=None
        ``{segment: condition}`` with conditions written on the roles, e.g.
        ``"recency IS low AND frequency IS high"``; default :data:`DEFAULT_RFM_SEGMENTS`.
    quantiles : sequence of 3 float, default=(0.1, 0.5, 0.9)
        Percentile levels at which ``low``, ``medium`` and ``high`` peak (outer terms are
        shoulders).
    mf_shape : {"triangular", "trapezoidal", "gaussian"}, default="triangular"
        Membership function shape.
    t_norm : {"min", "product"}, default="min"
        AND operator.

    Attributes
    ----------
    segment_names_ : list of str
        Output columns, in ``segments`` order.
    rules_ : list of FuzzyRule
        Segment definitions as rules.
    membership_functions_ : dict of str to dict of str to ndarray
        Per role, the term membership arrays on the percentile universe ``universe_``.
    universe_ : ndarray
        Percentile universe [0, 1].
    n_features_in_, feature_names_in_
        As in scikit-learn.

    References
    ----------
    .. [1] Hughes, A. M. (1994). *Strategic Database Marketing*. Probus. (RFM scoring)
    .. [2] Zadeh, L. A. (1965). Fuzzy sets. *Information and Control*, 8(3), 338-353.
    """

    _parameter_constraints: dict = {
        "columns": [list, tuple],
        "segments": [dict, None],
        "quantiles": [list, tuple],
        "mf_shape": [StrOptions({"triangular", "trapezoidal", "gaussian"})],
        "t_norm": [StrOptions({"min", "product"})],
    }

    def __init__(
        self,
        columns=("recency_days", "frequency", "monetary"),
        *,
        segments=None,
        quantiles=(0.1, 0.5, 0.9),
        mf_shape="triangular",
        t_norm="min",
    ):
        self.columns = columns
        self.segments = segments
        self.quantiles = quantiles
        self.mf_shape = mf_shape
        self.t_norm = t_norm

    def _select(self, X):
        columns = list(self.columns)
        if len(columns) != 3:
            raise ValueError(
                f"columns must name 3 columns (recency, frequency, monetary); got {columns}."
            )
        if isinstance(X, pd.DataFrame):
            missing = [c for c in columns if c not in X.columns]
            if missing:
                raise ValueError(
                    f"X lacks column(s) {missing}; it has {list(X.columns)}. Pass "
                    "columns=(recency_col, frequency_col, monetary_col)."
                )
            return X[columns]
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the percentile scale of each role and compile the segment conditions.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_customers, 3)
            RFM table (extra DataFrame columns are ignored).
        y : Ignored
            Not used.

        Returns
        -------
        self : FuzzyRFMScorer
            Fitted scorer.
        """
        X = validate_data(self, self._select(X), dtype=np.float64)
        if X.shape[1] != 3:
            raise ValueError(
                f"X has {X.shape[1]} columns; an array needs exactly 3 (recency, frequency, "
                "monetary), or pass a DataFrame with the named columns."
            )
        quantiles = np.asarray(self.quantiles, dtype=float)
        if quantiles.shape != (3,) or np.any(np.diff(quantiles) <= 0) or quantiles.min() < 0:
            raise ValueError(f"quantiles={self.quantiles!r} must be 3 increasing levels in [0, 1].")
        self.sorted_values_ = [np.sort(X[:, j]) for j in range(3)]
        bounds = (0.0, 1.0)
        specs, _ = quantile_partition(quantiles, 3, self.mf_shape)
        # place the terms on the [0, 1] percentile scale (outer shoulders reach 0 and 1)
        specs = _stretch_shoulders(specs, bounds)
        terms = default_term_names(3)
        self.universe_, mfs = build_variable(specs, bounds, 101)
        self.membership_functions_ = {role: dict(zip(terms, mfs, strict=True)) for role in _ROLES}
        segments = DEFAULT_RFM_SEGMENTS if self.segments is None else self.segments
        if not segments:
            raise ValueError("segments is empty; give at least one {name: condition}.")
        self.segment_names_ = [str(name) for name in segments]
        input_terms = {role: terms for role in _ROLES}
        self.rules_ = [
            parse_rule(
                f"IF {condition} THEN segment IS {name}",
                input_terms,
                "segment",
                self.segment_names_,
            )
            for name, condition in segments.items()
        ]
        self._rule_base = CompiledRuleBase(
            self.rules_, list(_ROLES), input_terms, self.segment_names_, self.t_norm
        )
        self._n_features_out = len(self.segment_names_)
        return self

    def percentiles(self, X):
        """Training percentile (mid-rank) of each customer's recency, frequency and monetary.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_customers, 3)
            RFM table.

        Returns
        -------
        percentiles : ndarray of shape (n_customers, 3)
            Values in [0, 1].
        """
        check_is_fitted(self)
        X = validate_data(self, self._select(X), dtype=np.float64, reset=False)
        out = np.empty_like(X)
        for j, sorted_values in enumerate(self.sorted_values_):
            below = np.searchsorted(sorted_values, X[:, j], side="left")
            not_above = np.searchsorted(sorted_values, X[:, j], side="right")
            out[:, j] = (below + not_above) / (2.0 * sorted_values.shape[0])
        return out

    def transform(self, X):
        """Segment degrees of each customer.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_customers, 3)
            RFM table.

        Returns
        -------
        degrees : ndarray of shape (n_customers, n_segments)
            Degree in [0, 1] of each segment (``get_feature_names_out`` names them; use
            ``set_output(transform="pandas")`` for a DataFrame).
        """
        percentiles = self.percentiles(X)
        mfs = np.vstack(list(self.membership_functions_["recency"].values()))
        memberships = [fuzzify(percentiles[:, j], self.universe_, mfs) for j in range(3)]
        return self._rule_base.firing(memberships)

    def get_feature_names_out(self, input_features=None):
        """Segment names.

        Parameters
        ----------
        input_features : ignored
            Present for API consistency.

        Returns
        -------
        names : ndarray of str
            ``segment_names_``.
        """
        check_is_fitted(self)
        return np.asarray(self.segment_names_, dtype=object)

    def top_segment(self, X, *, min_degree=0.0):
        """Segment of highest degree per customer.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_customers, 3)
            RFM table.
        min_degree : float, default=0.0
            Customers whose best degree is <= this get ``"unassigned"``.

        Returns
        -------
        segment : pandas.Series of str
            Indexed like ``X`` when it is a DataFrame.
        """
        index = X.index if isinstance(X, pd.DataFrame) else None
        degrees = np.asarray(self.transform(X))
        names = np.asarray(self.segment_names_, dtype=object)[np.argmax(degrees, axis=1)]
        names[degrees.max(axis=1) <= min_degree] = "unassigned"
        return pd.Series(names, index=index, name="segment")


def _stretch_shoulders(specs, bounds):
    """Make the outer terms of a 3-term partition reach the universe bounds."""
    low, high = bounds
    out = []
    for k, (shape, params) in enumerate(specs):
        params = list(params)
        if shape == "trapezoidal" and k == 0:
            params[0], params[1] = low, low
        elif shape == "trapezoidal" and k == len(specs) - 1:
            params[2], params[3] = high, high
        elif shape == "gauss2" and k == 0:
            params[0] = low
        elif shape == "gauss2" and k == len(specs) - 1:
            params[2] = high
        out.append((shape, params))
    return out


def fuzzy_rfm_segments(rfm, columns=("recency_days", "frequency", "monetary"), **scorer_params):
    """Fuzzy RFM segment degrees and the top segment of every customer.

    Parameters
    ----------
    rfm : pandas.DataFrame
        One row per customer with the three RFM columns (e.g. from
        ``ecrm_methods.features.rfm_table``).
    columns : sequence of 3 str, default=("recency_days", "frequency", "monetary")
        Recency (time since last purchase), frequency and monetary columns.
    **scorer_params
        Further :class:`FuzzyRFMScorer` parameters.

    Returns
    -------
    segments : pandas.DataFrame
        Indexed like ``rfm``: one degree column per segment and ``segment`` (the top one).

    References
    ----------
    .. [1] Zadeh, L. A. (1965). Fuzzy sets. *Information and Control*, 8(3), 338-353.
    """
    scorer = FuzzyRFMScorer(columns, **scorer_params).fit(rfm)
    degrees = pd.DataFrame(scorer.transform(rfm), columns=scorer.segment_names_, index=rfm.index)
    degrees["segment"] = scorer.top_segment(rfm)
    return degrees


class FuzzyValueTierRegressor(RegressorMixin, BaseEstimator):
    """Predict future purchases and spend from fuzzy customer-value tiers.

    Customers are clustered with fuzzy c-means into ``n_tiers`` tiers; each tier's target is
    the membership^m-weighted mean of its customers' targets, and a customer's prediction is
    the membership-weighted average of the tier targets (a zero-order Takagi-Sugeno system
    whose rules are the fuzzy clusters). Tiers are ordered by their mean of the last target
    column (spend), so tier 0 is the lowest-value tier.

    Parameters
    ----------
    n_tiers : int, default=3
        Number of value tiers (e.g. exploration, growth and mature customers).
    m : float, default=2.0
        Fuzzifier of the c-means step.
    tol : float, default=1e-4
        Convergence tolerance of the c-means step.
    max_iter : int, default=300
        Maximum c-means iterations.
    n_init : int, default=3
        c-means restarts.
    standardize : bool, default=True
        Scale features to zero mean and unit variance before clustering.
    random_state : int, RandomState instance or None, default=None
        Seed of the c-means initialisation.

    Attributes
    ----------
    tier_centers_ : ndarray of shape (n_tiers, n_features)
        Tier centers in the (standardized) feature space, lowest value first.
    tier_targets_ : ndarray of shape (n_tiers, n_outputs)
        Target value of each tier.
    tier_names_ : list of str
        ``low``, ``medium``, ``high``, ... value.
    n_iter_ : int
        Iterations of the c-means step.
    n_features_in_, feature_names_in_
        As in scikit-learn.

    References
    ----------
    .. [1] Bezdek, J. C. (1981). *Pattern Recognition with Fuzzy Objective Function
       Algorithms*. Plenum Press.
    .. [2] Takagi, T., & Sugeno, M. (1985). Fuzzy identification of systems and its
       applications to modeling and control. *IEEE Transactions on Systems, Man, and
       Cybernetics*, 15(1), 116-132.
    """

    _parameter_constraints: dict = {
        "n_tiers": [Interval(numbers.Integral, 1, None, closed="left")],
        "m": [Interval(numbers.Real, 1, None, closed="neither")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_tiers=3,
        *,
        m=2.0,
        tol=1e-4,
        max_iter=300,
        n_init=3,
        standardize=True,
        random_state=None,
    ):
        self.n_tiers = n_tiers
        self.m = m
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.standardize = standardize
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        # A few tier means is a coarse, piecewise-smooth model: it is not meant to reach
        # R^2 >= 0.5 on generic regression data.
        tags.regressor_tags.poor_score = True
        return tags

    def _scaled(self, X):
        return (X - self.feature_mean_) / self.feature_scale_

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Cluster customers into tiers and compute each tier's targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Customer features (e.g. calibration frequency, recency, T, monetary value).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets (e.g. holdout purchases and spend).

        Returns
        -------
        self : FuzzyValueTierRegressor
            Fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        self._y_1d = y.ndim == 1
        Y = y.reshape(-1, 1) if self._y_1d else y
        if self.standardize:
            self.feature_mean_ = X.mean(axis=0)
            scale = X.std(axis=0)
            self.feature_scale_ = np.where(scale > 0, scale, 1.0)
        else:
            self.feature_mean_ = np.zeros(X.shape[1])
            self.feature_scale_ = np.ones(X.shape[1])
        n_tiers = min(self.n_tiers, X.shape[0])
        rng = check_random_state(self.random_state)
        fcm = FuzzyCMeans(
            n_tiers,
            m=self.m,
            tol=self.tol,
            max_iter=self.max_iter,
            n_init=self.n_init,
            random_state=rng.randint(np.iinfo(np.int32).max),
        ).fit(self._scaled(X))
        weights = np.maximum(fcm.membership_, 0.0) ** float(self.m)
        tier_targets = (weights.T @ Y) / np.maximum(weights.sum(axis=0), 1e-300)[:, None]
        order = np.argsort(tier_targets[:, -1], kind="stable")
        self.tier_centers_ = fcm.cluster_centers_[order]
        self.tier_targets_ = tier_targets[order]
        self.tier_names_ = default_term_names(n_tiers)
        self.n_iter_ = fcm.n_iter_
        return self

    def predict_membership(self, X):
        """Membership of each customer in each value tier (lowest value first).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Customer features.

        Returns
        -------
        membership : ndarray of shape (n_samples, n_tiers)
            Rows sum to 1.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return fuzzy_memberships(self._scaled(X), self.tier_centers_, float(self.m))

    def predict(self, X):
        """Membership-weighted tier targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Customer features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Same number of outputs as ``y`` in ``fit``.
        """
        prediction = self.predict_membership(X) @ self.tier_targets_
        return prediction[:, 0] if self._y_1d else prediction
