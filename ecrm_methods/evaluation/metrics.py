"""Metrics for the five eCRM problems, computed on one test fold.

* **Churn** (binary classification): :func:`classification_metrics`, with the F1 threshold from
  :func:`choose_threshold` (chosen on the training folds), :func:`top_decile_lift` and the
  expected maximum profit of Verbraken, Verbeke & Baesens (2013),
  :func:`expected_maximum_profit`.
* **Campaign response** (who responds, how deep to go): :func:`response_metrics`, built from
  :func:`profit_curve` (realised profit of contacting the top ``k`` customers, every ``k``),
  :func:`max_profit` (its maximum, the MP of Verbeke et al. 2012), :func:`choose_campaign_depth`
  (the depth chosen on training predictions) and :func:`campaign_profit` (its held-out profit),
  :func:`cumulative_gains`, :func:`lift_at` and :func:`captured_response_at`.
* **Satisfaction** (ordinal ratings): :func:`ordinal_metrics`.
* **Customer value** (holdout purchases and spend): :func:`value_metrics`.
* **Segmentation**: :func:`clustering_metrics` (every customer scored, unassigned ones at
  the nearest segment centre), :func:`segment_outcome_metrics` (how the segments differ in
  holdout spend and churn, which no method optimised) and :func:`bootstrap_stability`.
* **Intervals for a single split**: :func:`bootstrap_metric_interval` (bootstrap over the
  test rows).

:data:`HIGHER_IS_BETTER` records the direction of every metric these functions report.
Every metric function validates its input first and raises a ``ValueError`` / ``TypeError``
that names the argument, the bad value and the fix.

See Also
--------
ecrm_methods.evaluation.splits : the leakage-safe folds the metrics are computed on.
ecrm_methods.evaluation.stats : summaries and statistical comparison over folds and seeds.

Examples
--------
>>> from ecrm_methods.evaluation.metrics import choose_threshold, top_decile_lift
>>> choose_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.35
>>> top_decile_lift([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.0])
10.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats
from sklearn import metrics as skm
from sklearn.base import clone
from sklearn.utils import check_random_state

from ecrm_methods.evaluation._checks import _as_1d, _check_same_length

__all__ = [
    "HIGHER_IS_BETTER",
    "RESPONSE_DEPTHS",
    "bootstrap_metric_interval",
    "bootstrap_stability",
    "campaign_profit",
    "captured_response_at",
    "choose_campaign_depth",
    "choose_threshold",
    "classification_metrics",
    "clustering_metrics",
    "cumulative_gains",
    "expected_maximum_profit",
    "lift_at",
    "max_profit",
    "ordinal_metrics",
    "profit_curve",
    "response_metrics",
    "segment_outcome_metrics",
    "top_decile_lift",
    "value_metrics",
]

#: Direction of every metric this module reports: ``True`` when a larger value is better.
HIGHER_IS_BETTER: dict[str, bool] = {
    # churn (binary classification)
    "roc_auc": True,
    "pr_auc": True,
    "f1": True,
    "top_decile_lift": True,
    "emp": True,
    "brier": False,
    # satisfaction (ordinal)
    "qwk": True,
    "macro_f1": True,
    "mae": False,
    "roc_auc_low": True,
    # customer value
    "mae_purchases": False,
    "rmse_purchases": False,
    "mae_spend": False,
    "rmse_spend": False,
    "spearman_spend": True,
    "top20_revenue_capture": True,
    "top20_revenue_capture_ratio": True,
    "aggregate_error_purchases": False,
    # segmentation
    "silhouette": True,
    "davies_bouldin": False,
    "calinski_harabasz": True,
    "bootstrap_stability": True,
    "top_segment_revenue_share": True,
    "unassigned_share": False,
    # segments judged by later behaviour (segment_outcome_metrics)
    "eta_squared_holdout_spend": True,
    "churn_rate_range": True,
    # descriptive, like n_segments
    "n_segments_used": False,
    # Descriptive rather than a quality score; fewer segments are easier to act on, so a
    # ranking (if one is asked for) prefers parsimony.
    "n_segments": False,
    # response (campaign)
    "lift_at_10": True,
    "lift_at_20": True,
    "captured_response_at_10": True,
    "captured_response_at_20": True,
    "max_profit": True,
    "deployed_profit": True,
    # depths describe the campaign rather than judge it; for the same profit a shallower
    # campaign is preferable, so a ranking (if one is asked for) lists shallow first
    "max_profit_depth": False,
    "deployed_depth": False,
}


# ---------------------------------------------------------------------------------------------
# input checks used by the metrics
# ---------------------------------------------------------------------------------------------


def _check_binary_target(y_true: Any, name: str = "y_true") -> np.ndarray:
    """Return ``y_true`` as an int array of 0/1 (1 = positive, e.g. churner)."""
    y = _as_1d(y_true, name)
    n_missing = int(pd.isna(y).sum())
    if n_missing:
        raise ValueError(
            f"{name} contains {n_missing} missing values; drop those rows or impute the label "
            "before scoring."
        )
    if y.dtype == bool:
        return y.astype(int)
    labels = pd.unique(y)
    if not set(labels.tolist()) <= {0, 1}:
        raise ValueError(
            f"{name} must hold the binary labels 0/1 (or False/True) with 1 = positive class, "
            f"got values {sorted(map(str, labels))[:10]}; encode the positive class as 1."
        )
    return y.astype(int)


def _check_both_classes(y: np.ndarray, name: str, metric: str) -> None:
    if np.unique(y).size < 2:
        raise ValueError(
            f"{name} holds only the class {int(y[0])}; {metric} needs both classes. Use "
            "stratified folds (make_splits) so every test fold holds positives and negatives."
        )


def _check_proba(proba: Any, n_rows: int | None = None, name: str = "proba") -> np.ndarray:
    """Return ``proba`` as a float array of probabilities in [0, 1]."""
    p = _as_1d(proba, name)
    try:
        p = p.astype(float)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be numeric probabilities, got dtype {p.dtype}; pass predict_proba(X)[:, 1]."
        ) from error
    n_nan = int(np.isnan(p).sum())
    if n_nan:
        raise ValueError(
            f"{name} contains {n_nan} NaN values (first at row {int(np.flatnonzero(np.isnan(p))[0])});"
            " the model produced no score for those rows: fix the model or impute its inputs."
        )
    if np.isinf(p).any() or p.min() < 0 or p.max() > 1:
        raise ValueError(
            f"{name} must lie in [0, 1], got values from {p.min()} to {p.max()}; pass "
            "probabilities (predict_proba(X)[:, 1]), not decision scores."
        )
    if n_rows is not None and p.shape[0] != n_rows:
        raise ValueError(
            f"length mismatch: y_true has {n_rows} rows and {name} has {p.shape[0]}; pass "
            "scores for the same customers in the same order."
        )
    return p


def _check_finite(values: np.ndarray, name: str) -> np.ndarray:
    try:
        values = values.astype(float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be numeric, got dtype {values.dtype}.") from error
    if not np.isfinite(values).all():
        bad = int((~np.isfinite(values)).sum())
        raise ValueError(
            f"{name} contains {bad} NaN or infinite values; drop or impute them before scoring."
        )
    return values


def _top_fraction_weights(scores: np.ndarray, fraction: float) -> np.ndarray:
    """Weights in [0, 1] that select the top ``fraction`` of rows by ``scores``.

    Exactly ``fraction * n`` rows of weight are selected. Rows tied at the boundary share the
    remaining weight equally, which is the expected selection under random tie-breaking, so the
    result does not depend on the row order.
    """
    n = scores.shape[0]
    k = fraction * n
    unique_scores, inverse, counts = np.unique(-scores, return_inverse=True, return_counts=True)
    del unique_scores
    before = np.concatenate([[0], np.cumsum(counts)[:-1]])
    group_weight = np.clip((k - before) / counts, 0.0, 1.0)
    return group_weight[inverse]


# ---------------------------------------------------------------------------------------------
# churn: binary classification
# ---------------------------------------------------------------------------------------------


def choose_threshold(y_true: Any, proba: Any) -> float:
    """Probability threshold that maximises F1 (predict positive when ``proba >= threshold``).

    Call it on predictions for the *training* folds (e.g. out-of-fold predictions inside the
    training part) and apply the threshold to the test fold; choosing it on the test fold
    inflates F1.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Binary labels, 1 = positive class (churner).
    proba : array-like of shape (n_rows,)
        Predicted probability of the positive class.

    Returns
    -------
    threshold : float
        One of the observed probabilities; the lowest one among ties in F1.

    References
    ----------
    Lipton, Z. C., Elkan, C. & Naryanaswamy, B. (2014). Optimal thresholding of classifiers to
    maximize F1 measure. *ECML PKDD*, 225-239.
    """
    y = _check_binary_target(y_true)
    p = _check_proba(proba, y.shape[0])
    if y.sum() == 0:
        raise ValueError(
            "y_true holds no positive rows; F1 is undefined, so no threshold can be chosen. "
            "Use stratified folds so every training part holds positives."
        )
    precision, recall, thresholds = skm.precision_recall_curve(y, p)
    precision, recall = precision[:-1], recall[:-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    best = np.flatnonzero(f1 == f1.max())
    return float(thresholds[best].min())


def top_decile_lift(y_true: Any, proba: Any) -> float:
    """Churn rate among the 10 % highest-scored customers divided by the overall churn rate.

    Exactly 10 % of the customers are selected; customers tied with the boundary score share
    the remaining places equally (the expectation under random tie-breaking), so the value does
    not depend on the row order.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Binary labels, 1 = churner.
    proba : array-like of shape (n_rows,)
        Predicted churn probability.

    Returns
    -------
    lift : float
        1.0 for a random ranking; at most ``1 / churn_rate`` (capped by 10).

    References
    ----------
    Verbeke, W., Dejaeger, K., Martens, D., Hur, J. & Baesens, B. (2012). New insights into
    churn prediction in the telecommunication sector: a profit driven data mining approach.
    *European Journal of Operational Research* 218(1), 211-229.
    """
    y = _check_binary_target(y_true)
    p = _check_proba(proba, y.shape[0])
    if y.sum() == 0:
        raise ValueError(
            "y_true holds no positive rows; lift divides by the churn rate, which is 0 here."
        )
    weights = _top_fraction_weights(p, 0.1)
    top_rate = float((weights * y).sum() / weights.sum())
    return top_rate / float(y.mean())


def _roc_convex_hull(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (fpr, tpr) of the upper convex hull of the ROC curve, from (0, 0) to (1, 1)."""
    fpr, tpr, _ = skm.roc_curve(y, p, drop_intermediate=False)
    points = np.unique(np.column_stack([fpr, tpr]), axis=0)  # sorted by fpr, then tpr
    hull: list[np.ndarray] = []
    for point in points:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            cross = (x2 - x1) * (point[1] - y1) - (y2 - y1) * (point[0] - x1)
            if cross >= 0:  # hull[-1] is on or below the chord: not a vertex of the upper hull
                hull.pop()
            else:
                break
        hull.append(point)
    vertices = np.array(hull)
    return vertices[:, 0], vertices[:, 1]


def expected_maximum_profit(
    y_true: Any,
    proba: Any,
    clv: float = 200,
    incentive: float = 10,
    contact_cost: float = 1,
    alpha: float = 6,
    beta: float = 14,
) -> float:
    """Expected maximum profit (EMP) of a churn model per customer.

    A retention campaign contacts the customers above a score threshold. A contacted churner
    accepts the offer with probability ``gamma`` and is then retained (worth ``clv`` minus the
    ``incentive``); every contact costs ``contact_cost``; a contacted non-churner takes the
    incentive. The profit per customer of a threshold ``t`` is

    ``P(t; gamma) = clv * (gamma * (1 - delta) - phi) * pi0 * F0(t) - clv * (delta + phi) * pi1 * F1(t)``

    with ``delta = incentive / clv``, ``phi = contact_cost / clv``, ``pi0`` / ``pi1`` the shares
    of churners / non-churners and ``F0`` / ``F1`` the shares of churners / non-churners that
    are contacted (true and false positive rates). The acceptance rate ``gamma`` is unknown and
    follows ``Beta(alpha, beta)``; EMP is the expectation over ``gamma`` of the best profit over
    thresholds. The best threshold lies on the convex hull of the ROC curve, and between two hull
    vertices the optimum switches at

    ``gamma_i = pi1 * (delta + phi) * (F1[i+1] - F1[i]) / (pi0 * (1 - delta) * (F0[i+1] - F0[i])) + phi / (1 - delta)``

    so the integral is a sum of incomplete beta functions (exact, no numerical quadrature).

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Binary labels, 1 = churner.
    proba : array-like of shape (n_rows,)
        Predicted churn probability (only its ranking matters).
    clv : float, default=200
        Customer lifetime value of a retained churner.
    incentive : float, default=10
        Cost of the retention offer (``d`` in the paper); must be below ``clv``.
    contact_cost : float, default=1
        Cost of contacting one customer (``f`` in the paper).
    alpha, beta : float, default=6, 14
        Parameters of the beta distribution of the acceptance rate (mean 0.3).

    Returns
    -------
    emp : float
        Expected maximum profit per customer, in the currency of ``clv`` (0 when the best
        campaign is to contact nobody).

    References
    ----------
    Verbraken, T., Verbeke, W. & Baesens, B. (2013). A novel profit maximizing metric for
    measuring classification performance of customer churn prediction models. *IEEE
    Transactions on Knowledge and Data Engineering* 25(5), 961-973.
    """
    y = _check_binary_target(y_true)
    p = _check_proba(proba, y.shape[0])
    _check_both_classes(y, "y_true", "expected_maximum_profit")
    for name, value in {"clv": clv, "alpha": alpha, "beta": beta}.items():
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}.")
    for name, value in {"incentive": incentive, "contact_cost": contact_cost}.items():
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a non-negative number, got {value!r}.")
    if incentive >= clv:
        raise ValueError(
            f"incentive ({incentive}) must be smaller than clv ({clv}); otherwise retaining a "
            "churner never pays and EMP is 0 by construction."
        )
    delta = incentive / clv
    phi = contact_cost / clv
    pi0 = float(y.mean())  # churners
    pi1 = 1.0 - pi0
    false_positive_rate, true_positive_rate = _roc_convex_hull(y, p)
    d_fpr = np.diff(false_positive_rate)
    d_tpr = np.diff(true_positive_rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma_switch = np.where(
            d_tpr > 0,
            pi1 * (delta + phi) * d_fpr / (pi0 * (1 - delta) * d_tpr) + phi / (1 - delta),
            np.inf,
        )
    # vertex i is optimal for gamma in [gamma_switch[i-1], gamma_switch[i]]
    lower = np.clip(np.concatenate([[0.0], gamma_switch]), 0.0, 1.0)
    upper = np.clip(np.concatenate([gamma_switch, [np.inf]]), 0.0, 1.0)
    probability = special.betainc(alpha, beta, upper) - special.betainc(alpha, beta, lower)
    first_moment = (alpha / (alpha + beta)) * (
        special.betainc(alpha + 1, beta, upper) - special.betainc(alpha + 1, beta, lower)
    )
    profit = (
        clv * pi0 * true_positive_rate * ((1 - delta) * first_moment - phi * probability)
        - clv * (delta + phi) * pi1 * false_positive_rate * probability
    )
    return float(profit.sum())


def classification_metrics(y_true: Any, proba: Any, threshold: float) -> dict[str, float]:
    """All churn metrics for one test fold.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Binary labels, 1 = churner.
    proba : array-like of shape (n_rows,)
        Predicted churn probability.
    threshold : float
        Decision threshold for F1, chosen on the training folds (:func:`choose_threshold`).

    Returns
    -------
    metrics : dict
        ``roc_auc``; ``pr_auc`` (average precision, the step-wise area under the
        precision-recall curve); ``f1`` at ``proba >= threshold``; ``top_decile_lift``;
        ``emp`` (expected maximum profit per customer with the default campaign parameters of
        :func:`expected_maximum_profit`); ``brier`` (mean squared error of the probabilities).

    References
    ----------
    Brier, G. W. (1950). Verification of forecasts expressed in terms of probability. *Monthly
    Weather Review* 78(1), 1-3. Verbraken, Verbeke & Baesens (2013), see
    :func:`expected_maximum_profit`.
    """
    y = _check_binary_target(y_true)
    p = _check_proba(proba, y.shape[0])
    _check_both_classes(y, "y_true", "roc_auc / pr_auc / emp")
    if threshold is None or not np.isfinite(threshold) or not 0 <= threshold <= 1:
        raise ValueError(
            f"threshold must be a probability in [0, 1], got {threshold!r}; choose it with "
            "choose_threshold on the training folds."
        )
    predicted = (p >= threshold).astype(int)
    return {
        "roc_auc": float(skm.roc_auc_score(y, p)),
        "pr_auc": float(skm.average_precision_score(y, p)),
        "f1": float(skm.f1_score(y, predicted, zero_division=0.0)),
        "top_decile_lift": top_decile_lift(y, p),
        "emp": expected_maximum_profit(y, p),
        "brier": float(skm.brier_score_loss(y, p)),
    }


# ---------------------------------------------------------------------------------------------
# response: who will answer a campaign, and how deep it should go
# ---------------------------------------------------------------------------------------------

#: The top fractions the response problem reports lift and captured responses at.
RESPONSE_DEPTHS = (0.1, 0.2)


def _check_scores(scores: Any, n_rows: int, name: str = "scores") -> np.ndarray:
    """Return ``scores`` as finite floats, one per row (any scale: only the ranking matters)."""
    s = _as_1d(scores, name)
    try:
        s = s.astype(float)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be numeric scores (higher = more likely to respond), got dtype "
            f"{s.dtype}; pass predict_proba(X)[:, 1] or decision_function(X)."
        ) from error
    if not np.isfinite(s).all():
        bad = np.flatnonzero(~np.isfinite(s))
        raise ValueError(
            f"{name} contains {bad.size} NaN or infinite values (first at row {int(bad[0])}); "
            "the model produced no score for those rows: fix the model or impute its inputs."
        )
    if s.shape[0] != n_rows:
        raise ValueError(
            f"length mismatch: y_true has {n_rows} rows and {name} has {s.shape[0]}; pass "
            "scores for the same customers in the same order."
        )
    return s


def _check_economics(contact_cost: Any, response_revenue: Any) -> tuple[float, float]:
    values = {}
    for name, value in {"contact_cost": contact_cost, "response_revenue": response_revenue}.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}.")
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
        values[name] = float(value)
    return values["contact_cost"], values["response_revenue"]


def _check_fraction(fraction: Any, name: str, allow_zero: bool = False) -> float:
    if isinstance(fraction, bool) or not isinstance(fraction, int | float | np.number):
        raise TypeError(f"{name} must be a number in (0, 1], got {fraction!r}.")
    low_ok = fraction >= 0 if allow_zero else fraction > 0
    if not (np.isfinite(fraction) and low_ok and fraction <= 1):
        interval = "[0, 1]" if allow_zero else "(0, 1]"
        raise ValueError(
            f"{name} must be a share of the customers in {interval} (0.1 = the top 10 %), got "
            f"{fraction!r}."
        )
    return float(fraction)


def _expected_responders(y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Responders among the top ``k`` customers by score, for ``k = 0..n``.

    Customers with equal scores form one block; contacting part of a block reaches its share
    of the block's responders (the expectation under random tie-breaking), so the curve is
    deterministic and does not depend on the row order.
    """
    order = np.argsort(-scores, kind="stable")
    ranked_scores, ranked_y = scores[order], y[order]
    starts = np.flatnonzero(np.r_[True, ranked_scores[1:] != ranked_scores[:-1]])
    sizes = np.diff(np.r_[starts, ranked_scores.size])
    positives = np.add.reduceat(ranked_y.astype(float), starts)
    block = np.repeat(np.arange(starts.size), sizes)
    before = np.r_[0.0, np.cumsum(positives)[:-1]]
    position_in_block = np.arange(1, ranked_scores.size + 1) - starts[block]
    responders = before[block] + position_in_block * positives[block] / sizes[block]
    return np.r_[0.0, responders]


def profit_curve(
    y_true: Any, scores: Any, contact_cost: float, response_revenue: float
) -> pd.DataFrame:
    """Realised profit of contacting the top ``k`` customers by score, for every ``k``.

    The campaign contacts the ``k`` highest-scored customers; each contact costs
    ``contact_cost`` and each responder among them brings ``response_revenue``, so the profit
    is ``response_revenue * responders(k) - contact_cost * k``. Customers tied on a score share
    the contacts of their block: contacting ``j`` of a block of ``m`` customers with ``r``
    responders reaches ``j * r / m`` of them (the expectation under random tie-breaking), so
    the curve is deterministic and the same for any row order. With one cost and one revenue
    for everybody, contacting the top of the ranking is the best selection of ``k`` customers,
    so the curve is the whole campaign answer: its maximum is the MP measure of Verbeke et al.
    (2012) (:func:`max_profit`), its argmax the best depth.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded, 0 = did not.
    scores : array-like of shape (n_customers,)
        Response scores (higher = contact first); any scale.
    contact_cost : float
        Cost of one contact (> 0).
    response_revenue : float
        Revenue of one response (> 0).

    Returns
    -------
    curve : pandas.DataFrame
        ``n + 1`` rows for ``k = 0..n``: ``n_contacted`` (k), ``depth`` (k / n, the share of
        customers contacted), ``responders`` (expected under ties), ``captured_response``
        (responders / all responders; NaN when there are none), ``profit`` (total) and
        ``profit_per_customer`` (profit / n).

    References
    ----------
    Verbeke, W., Dejaeger, K., Martens, D., Hur, J. & Baesens, B. (2012). New insights into
    churn prediction in the telecommunication sector: a profit driven data mining approach.
    *European Journal of Operational Research* 218(1), 211-229.

    Examples
    --------
    >>> curve = profit_curve([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], contact_cost=3, response_revenue=11)
    >>> curve["profit"].tolist()
    [0.0, 8.0, 5.0, 13.0, 10.0]
    """
    y = _check_binary_target(y_true)
    s = _check_scores(scores, y.shape[0])
    cost, revenue = _check_economics(contact_cost, response_revenue)
    responders = _expected_responders(y, s)
    n = y.shape[0]
    contacted = np.arange(n + 1)
    profit = revenue * responders - cost * contacted
    total = float(y.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        captured = responders / total if total > 0 else np.full(n + 1, np.nan)
    return pd.DataFrame(
        {
            "n_contacted": contacted,
            "depth": contacted / n,
            "responders": responders,
            "captured_response": captured,
            "profit": profit,
            "profit_per_customer": profit / n,
        }
    )


def cumulative_gains(y_true: Any, scores: Any) -> pd.DataFrame:
    """Cumulative gains: share of all responders among the top ``k`` customers, every ``k``.

    Ties are handled as in :func:`profit_curve` (a block's responders spread evenly over its
    customers). A random ranking gives the diagonal; the lift at a depth is the gain divided by
    the depth.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded; needs at least one responder.
    scores : array-like of shape (n_customers,)
        Response scores (higher = contact first).

    Returns
    -------
    gains : pandas.DataFrame
        ``n + 1`` rows: ``depth`` (share contacted, 0..1), ``captured_response`` (share of the
        responders reached) and ``lift`` (captured_response / depth; NaN at depth 0).

    Examples
    --------
    >>> cumulative_gains([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1])["captured_response"].tolist()
    [0.0, 0.5, 0.5, 1.0, 1.0]
    """
    y = _check_binary_target(y_true)
    s = _check_scores(scores, y.shape[0])
    if y.sum() == 0:
        raise ValueError(
            "y_true holds no responder; the captured share divides by the number of responders."
        )
    responders = _expected_responders(y, s)
    n = y.shape[0]
    depth = np.arange(n + 1) / n
    captured = responders / float(y.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        lift = np.where(depth > 0, captured / np.where(depth > 0, depth, 1.0), np.nan)
    return pd.DataFrame({"depth": depth, "captured_response": captured, "lift": lift})


def lift_at(y_true: Any, scores: Any, fraction: float = 0.1) -> float:
    """Response rate among the top ``fraction`` of customers divided by the overall rate.

    Exactly ``fraction * n`` customers are selected; customers tied with the boundary score
    share the remaining places equally, so the value does not depend on the row order
    (``lift_at(y, s, 0.1)`` equals :func:`top_decile_lift` on probabilities).

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded; needs at least one responder.
    scores : array-like of shape (n_customers,)
        Response scores (higher = contact first).
    fraction : float, default=0.1
        The top share of customers, in (0, 1].

    Returns
    -------
    lift : float
        1 for a random ranking, at most ``min(1 / fraction, 1 / response_rate)``.

    Examples
    --------
    >>> lift_at([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [9, 1, 2, 3, 4, 5, 6, 7, 8, 0], 0.1)
    10.0
    """
    y = _check_binary_target(y_true)
    s = _check_scores(scores, y.shape[0])
    fraction = _check_fraction(fraction, "fraction")
    if y.sum() == 0:
        raise ValueError("y_true holds no responder; lift divides by the response rate, 0 here.")
    weights = _top_fraction_weights(s, fraction)
    return float((weights * y).sum() / weights.sum()) / float(y.mean())


def captured_response_at(y_true: Any, scores: Any, fraction: float = 0.1) -> float:
    """Share of all responders found among the top ``fraction`` of customers (the gain).

    Ties at the boundary are shared as in :func:`lift_at`.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded; needs at least one responder.
    scores : array-like of shape (n_customers,)
        Response scores.
    fraction : float, default=0.1
        The top share of customers, in (0, 1].

    Returns
    -------
    share : float
        In [0, 1]; ``fraction`` for a random ranking.

    Examples
    --------
    >>> captured_response_at([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 0.5)
    0.5
    """
    y = _check_binary_target(y_true)
    s = _check_scores(scores, y.shape[0])
    fraction = _check_fraction(fraction, "fraction")
    if y.sum() == 0:
        raise ValueError("y_true holds no responder; the captured share is undefined.")
    weights = _top_fraction_weights(s, fraction)
    return float((weights * y).sum() / y.sum())


def max_profit(
    y_true: Any, scores: Any, contact_cost: float, response_revenue: float
) -> tuple[float, float]:
    """The maximum of the profit curve per customer (MP) and the depth that reaches it.

    This is the maximum profit measure (MP) of Verbeke et al. (2012) for a campaign with one
    contact cost and one response revenue: the best the scores allow *on these customers*,
    read off the very curve it is scored on, so it is an upper bound, not a deployable result
    (a deployed campaign chooses its depth beforehand, see :func:`choose_campaign_depth`).
    Contacting nobody (profit 0) is always possible, so MP >= 0. It equals
    ``empulse.metrics.max_profit_score(y, s, tp_cost=-(revenue - cost), fp_cost=cost)``.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded.
    scores : array-like of shape (n_customers,)
        Response scores.
    contact_cost, response_revenue : float
        Cost of a contact, revenue of a response (> 0).

    Returns
    -------
    mp : float
        Maximum profit per customer of ``y_true``.
    depth : float
        The smallest share of customers contacted at which it is reached (0: contact nobody).

    References
    ----------
    Verbeke, W., Dejaeger, K., Martens, D., Hur, J. & Baesens, B. (2012). New insights into
    churn prediction in the telecommunication sector: a profit driven data mining approach.
    *European Journal of Operational Research* 218(1), 211-229.

    Examples
    --------
    >>> max_profit([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], contact_cost=3, response_revenue=11)
    (3.25, 0.75)
    """
    curve = profit_curve(y_true, scores, contact_cost, response_revenue)
    profit = curve["profit"].to_numpy()
    best = int(np.flatnonzero(profit >= profit.max() - 1e-9 * max(1.0, abs(profit.max())))[0])
    return float(profit[best] / (len(profit) - 1)), float(curve["depth"].iloc[best])


def choose_campaign_depth(
    y_true: Any, scores: Any, contact_cost: float, response_revenue: float
) -> float:
    """The campaign depth a user would deploy: the argmax of the profit curve of these rows.

    Call it on out-of-fold predictions for the *training* customers and apply the depth to the
    held-out customers (:func:`campaign_profit`); reading it off the held-out curve instead is
    :func:`max_profit`, an optimistic bound.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded.
    scores : array-like of shape (n_customers,)
        Response scores.
    contact_cost, response_revenue : float
        Cost of a contact, revenue of a response (> 0).

    Returns
    -------
    depth : float
        Share of customers to contact, in [0, 1] (the smallest among equally profitable ones).
    """
    return max_profit(y_true, scores, contact_cost, response_revenue)[1]


def campaign_profit(
    y_true: Any, scores: Any, contact_cost: float, response_revenue: float, depth: float
) -> float:
    """Profit per customer of contacting the top ``depth`` share of these customers.

    ``depth * n`` customers are contacted (a fractional customer and ties at the boundary are
    shared as in :func:`lift_at`); 0 contacts nobody (profit 0).

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded.
    scores : array-like of shape (n_customers,)
        Response scores.
    contact_cost, response_revenue : float
        Cost of a contact, revenue of a response (> 0).
    depth : float
        Share of customers to contact, in [0, 1] (from :func:`choose_campaign_depth`).

    Returns
    -------
    profit : float
        Realised profit per customer of ``y_true``.

    Examples
    --------
    >>> campaign_profit([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 3, 11, depth=0.25)
    2.0
    """
    y = _check_binary_target(y_true)
    s = _check_scores(scores, y.shape[0])
    cost, revenue = _check_economics(contact_cost, response_revenue)
    depth = _check_fraction(depth, "depth", allow_zero=True)
    if depth == 0:
        return 0.0
    weights = _top_fraction_weights(s, depth)
    return float((weights * (revenue * y - cost)).sum() / y.shape[0])


def response_metrics(
    y_true: Any,
    scores: Any,
    contact_cost: float,
    response_revenue: float,
    deployed_depth: float,
) -> dict[str, float]:
    """Every response metric for one held-out set of customers.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 = responded; both classes needed.
    scores : array-like of shape (n_customers,)
        Response scores of a model fitted without these customers.
    contact_cost, response_revenue : float
        Cost of a contact, revenue of a response.
    deployed_depth : float
        The depth chosen on the training customers (:func:`choose_campaign_depth` on
        out-of-fold predictions).

    Returns
    -------
    metrics : dict
        ``roc_auc``; ``pr_auc`` (average precision); ``lift_at_10`` / ``lift_at_20`` and
        ``captured_response_at_10`` / ``captured_response_at_20`` (lift and share of the
        responders in the top 10 % and 20 %); ``max_profit`` (MP, the maximum of the held-out
        profit curve per customer: an upper bound) and ``max_profit_depth`` (where it is);
        ``deployed_profit`` (profit per customer at ``deployed_depth``, the campaign a user
        would run) and ``deployed_depth``. Profits are in the currency of the cost and
        revenue, per customer of the held-out set.

    References
    ----------
    Verbeke et al. (2012), see :func:`max_profit`.

    Examples
    --------
    >>> metrics = response_metrics([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 3, 11, 0.25)
    >>> metrics["max_profit"], metrics["deployed_profit"]
    (3.25, 2.0)
    """
    y = _check_binary_target(y_true)
    s = _check_scores(scores, y.shape[0])
    _check_both_classes(y, "y_true", "roc_auc / lift / profit")
    mp, mp_depth = max_profit(y, s, contact_cost, response_revenue)
    metrics = {
        "roc_auc": float(skm.roc_auc_score(y, s)),
        "pr_auc": float(skm.average_precision_score(y, s)),
    }
    for fraction in RESPONSE_DEPTHS:
        percent = round(fraction * 100)
        metrics[f"lift_at_{percent}"] = lift_at(y, s, fraction)
        metrics[f"captured_response_at_{percent}"] = captured_response_at(y, s, fraction)
    metrics.update(
        {
            "max_profit": mp,
            "max_profit_depth": mp_depth,
            "deployed_profit": campaign_profit(
                y, s, contact_cost, response_revenue, deployed_depth
            ),
            "deployed_depth": float(deployed_depth),
        }
    )
    return metrics


# ---------------------------------------------------------------------------------------------
# satisfaction: ordinal ratings
# ---------------------------------------------------------------------------------------------


def _rating_categories(scale: Any, truth: np.ndarray, predicted: np.ndarray) -> np.ndarray | None:
    """The categories ``lowest..highest`` of ``scale`` (None: the ratings present)."""
    if scale is None:
        return None
    try:
        lowest, highest = (int(bound) for bound in scale)
        valid = all(float(bound) == int(bound) for bound in scale)
    except (TypeError, ValueError):
        valid = False
    if not valid or lowest >= highest:
        raise ValueError(
            f"scale must be a pair of whole ratings (lowest, highest) with lowest < highest, "
            f"e.g. (1, 5), got {scale!r}; pass None to weigh on the ratings present only."
        )
    for name, values in (("y_true", truth), ("y_pred", predicted)):
        outside = values[(values < lowest) | (values > highest)]
        if outside.size:
            raise ValueError(
                f"{name} holds ratings {sorted(set(outside.tolist()))[:10]} outside scale="
                f"({lowest}, {highest}); pass the full scale of the data (e.g. "
                "ProblemData.rating_scale) or clip the predictions to it."
            )
    return np.arange(lowest, highest + 1)


def ordinal_metrics(
    y_true: Any,
    y_pred: Any,
    proba_low: Any = None,
    low_values: Sequence[Any] = (1, 2),
    *,
    scale: tuple[int, int] | None = (1, 5),
) -> dict[str, float]:
    """Metrics for an ordinal rating such as a 1-5 satisfaction score.

    The quadratic weights of ``qwk`` are taken on the full rating ``scale``: a test fold in
    which no customer gave (or was predicted) a 3 still counts a 2-versus-4 disagreement as two
    steps, so folds and methods are weighted alike. Inferring the categories from the ratings
    present (``scale=None``, what ``cohen_kappa_score`` does by default) would renumber the
    categories and call that disagreement one step.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_rows,)
        Observed and predicted ratings (integers on one ordinal scale).
    proba_low : array-like of shape (n_rows,), default=None
        Predicted probability that the rating is low (in ``low_values``).
    low_values : sequence, default=(1, 2)
        Ratings that count as low (dissatisfied).
    scale : tuple of int (lowest, highest) or None, default=(1, 5)
        The full rating scale; ``qwk`` is weighted on ``lowest..highest``. Ratings outside it
        raise a ``ValueError``. ``None`` weights on the ratings present in ``y_true`` and
        ``y_pred`` only (the behaviour before this keyword existed; not comparable across
        folds).

    Returns
    -------
    metrics : dict
        ``qwk`` (Cohen's kappa with quadratic weights on the full ``scale``); ``macro_f1``; ``mae`` (on the rating
        scale); ``roc_auc_low`` (ROC-AUC of ``proba_low`` for low versus the rest; NaN when
        ``proba_low`` is None).

    References
    ----------
    Cohen, J. (1968). Weighted kappa: nominal scale agreement with provision for scaled
    disagreement or partial credit. *Psychological Bulletin* 70(4), 213-220.

    Examples
    --------
    >>> from ecrm_methods.evaluation.metrics import ordinal_metrics
    >>> round(ordinal_metrics([1, 2, 4, 5], [2, 1, 5, 4])["qwk"], 4)  # no 3 in this fold
    0.8
    >>> round(ordinal_metrics([1, 2, 4, 5], [2, 1, 5, 4], scale=None)["qwk"], 4)
    0.6
    """
    truth = _check_finite(_as_1d(y_true, "y_true"), "y_true")
    predicted = _check_finite(_as_1d(y_pred, "y_pred"), "y_pred")
    _check_same_length(y_true=truth, y_pred=predicted)
    if not (np.equal(np.mod(truth, 1), 0).all() and np.equal(np.mod(predicted, 1), 0).all()):
        raise ValueError(
            "y_true and y_pred must be whole ratings (e.g. 1..5); round or take the argmax "
            "class of an ordinal model before scoring."
        )
    truth_int = truth.astype(np.int64)
    predicted_int = predicted.astype(np.int64)
    categories = _rating_categories(scale, truth_int, predicted_int)
    if np.unique(np.concatenate([truth_int, predicted_int])).size < 2:
        qwk = float("nan")  # kappa is 0/0 when both raters use a single category
    else:
        qwk = float(
            skm.cohen_kappa_score(truth_int, predicted_int, labels=categories, weights="quadratic")
        )
    result = {
        "qwk": qwk,
        "macro_f1": float(
            skm.f1_score(truth_int, predicted_int, average="macro", zero_division=0.0)
        ),
        "mae": float(np.abs(truth - predicted).mean()),
        "roc_auc_low": float("nan"),
    }
    if proba_low is not None:
        p = _check_proba(proba_low, truth.shape[0], name="proba_low")
        is_low = np.isin(truth, np.asarray(list(low_values), dtype=float)).astype(int)
        if np.unique(is_low).size < 2:
            raise ValueError(
                f"y_true has {'only' if is_low.all() else 'no'} low ratings (low_values="
                f"{tuple(low_values)}); roc_auc_low needs both low and other ratings."
            )
        result["roc_auc_low"] = float(skm.roc_auc_score(is_low, p))
    return result


# ---------------------------------------------------------------------------------------------
# customer value
# ---------------------------------------------------------------------------------------------


def _as_two_columns(values: Any, name: str) -> np.ndarray:
    array = values.to_numpy() if isinstance(values, pd.DataFrame) else np.asarray(values)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(
            f"{name} must have 2 columns [holdout purchases, holdout spend], got shape "
            f"{array.shape}; stack them with np.column_stack([purchases, spend])."
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} has no rows.")
    return _check_finite(array, name)


def value_metrics(y_true: Any, y_pred: Any) -> dict[str, float]:
    """Metrics for holdout purchase and spend forecasts (customer value).

    Parameters
    ----------
    y_true : array-like of shape (n_customers, 2)
        Observed holdout ``[purchases, spend]`` per customer (columns in this order).
    y_pred : array-like of shape (n_customers, 2)
        Forecast holdout ``[purchases, spend]`` per customer.

    Returns
    -------
    metrics : dict
        ``mae_purchases``, ``rmse_purchases``, ``mae_spend``, ``rmse_spend``;
        ``spearman_spend`` (rank correlation of forecast and observed spend; **0.0 when the
        forecast is constant**, since a constant forecast carries no ranking information, and
        NaN only when the observed spend is constant); ``top20_revenue_capture`` (share of
        holdout revenue held by the 20 % of customers with the highest forecast spend, ties at
        the boundary sharing places, so a constant forecast captures exactly 0.2);
        ``top20_revenue_capture_ratio`` (that share divided by the share the true top 20 %
        hold, so 1 is perfect); ``aggregate_error_purchases`` (absolute relative error of the
        summed purchase forecast, ``|sum(forecast) - sum(observed)| / sum(observed)``).

    Notes
    -----
    The ranking metrics (``spearman_spend``, ``top20_revenue_capture``) are the ones a trivial
    forecast cannot win: a constant forecast scores 0 and 0.2 on them. The error metrics can be
    won by a trivial forecast. When most customers spend nothing in the holdout window (the
    usual case), the median of the holdout spend is 0, and the all-zero forecast minimises the
    absolute error of a constant; ``mae_spend`` therefore rewards shrinking forecasts toward
    zero, and a model that ranks customers well can lose to it on MAE. Read the error metrics
    next to the ranking metrics, with the zero forecast in the table as the floor.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.
    Gneiting, T. (2011). Making and evaluating point forecasts. *Journal of the American
    Statistical Association* 106(494), 746-762 (the absolute error is minimised by the median).

    Examples
    --------
    >>> import numpy as np
    >>> from ecrm_methods.evaluation.metrics import value_metrics
    >>> observed = np.column_stack([[0, 0, 0, 1, 3], [0.0, 0.0, 0.0, 20.0, 80.0]])
    >>> zero = value_metrics(observed, np.zeros((5, 2)))
    >>> zero["spearman_spend"], round(zero["top20_revenue_capture"], 3), zero["mae_spend"]
    (0.0, 0.2, 20.0)
    """
    truth = _as_two_columns(y_true, "y_true")
    forecast = _as_two_columns(y_pred, "y_pred")
    _check_same_length(y_true=truth, y_pred=forecast)
    purchases_error = forecast[:, 0] - truth[:, 0]
    spend_error = forecast[:, 1] - truth[:, 1]
    spend_true, spend_forecast = truth[:, 1], forecast[:, 1]
    total_spend = spend_true.sum()
    if total_spend <= 0:
        raise ValueError(
            f"y_true spend sums to {total_spend}; revenue capture needs positive holdout revenue."
        )
    total_purchases = truth[:, 0].sum()
    if np.ptp(spend_true) == 0:
        spearman = float("nan")  # nothing to rank: the correlation is undefined
    elif np.ptp(spend_forecast) == 0:
        spearman = 0.0  # a constant forecast carries no ranking information
    else:
        spearman = float(stats.spearmanr(spend_true, spend_forecast).statistic)
    capture = float((_top_fraction_weights(spend_forecast, 0.2) * spend_true).sum() / total_spend)
    oracle = float((_top_fraction_weights(spend_true, 0.2) * spend_true).sum() / total_spend)
    return {
        "mae_purchases": float(np.abs(purchases_error).mean()),
        "rmse_purchases": float(np.sqrt((purchases_error**2).mean())),
        "mae_spend": float(np.abs(spend_error).mean()),
        "rmse_spend": float(np.sqrt((spend_error**2).mean())),
        "spearman_spend": spearman,
        "top20_revenue_capture": capture,
        "top20_revenue_capture_ratio": capture / oracle,
        "aggregate_error_purchases": (
            float(abs(forecast[:, 0].sum() - total_purchases) / total_purchases)
            if total_purchases > 0
            else float("nan")
        ),
    }


# ---------------------------------------------------------------------------------------------
# segmentation
# ---------------------------------------------------------------------------------------------


def _numeric_matrix(X: Any, name: str = "X") -> np.ndarray:
    array = X.to_numpy() if isinstance(X, pd.DataFrame) else np.asarray(X)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional, got shape {array.shape}.")
    return _check_finite(array, name)


def _nearest_centre_labels(features: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Labels with every ``-1`` customer moved to the segment whose centre is nearest.

    A segment's centre is the mean, in ``features``, of its assigned customers.
    """
    assigned = segment != -1
    if assigned.all() or not assigned.any():
        return segment
    names, inverse = np.unique(segment[assigned], return_inverse=True)
    counts = np.bincount(inverse, minlength=names.size).astype(float)
    centres = np.zeros((names.size, features.shape[1]))
    np.add.at(centres, inverse, features[assigned])
    centres /= counts[:, None]
    boundary = features[~assigned]
    squared_distance = (
        (boundary**2).sum(axis=1)[:, None]
        - 2.0 * boundary @ centres.T
        + (centres**2).sum(axis=1)[None, :]
    )
    reassigned = segment.copy()
    reassigned[~assigned] = names[np.argmin(squared_distance, axis=1)]
    return reassigned


def clustering_metrics(
    X: Any,
    labels: Any,
    revenue: Any = None,
    *,
    random_state: int | None = 0,
    sample_size: int | None = 5000,
    unassigned: str = "nearest",
) -> dict[str, float]:
    """Geometric and business metrics of a customer segmentation, on every customer.

    Customers labelled ``-1`` (the boundary customers of rough k-means, the noise of a density
    method) are not left out: by default each is placed in the segment whose centre (the mean
    of that segment's assigned customers in ``X``) is nearest, and the indices are computed on
    all customers. Dropping them would let a method improve its own score by declining to
    assign the customers that are hard to place; how many it declined is reported as
    ``unassigned_share``.

    Parameters
    ----------
    X : array-like of shape (n_customers, n_features)
        The (scaled) features the segmentation was computed on.
    labels : array-like of shape (n_customers,)
        Segment of every customer; ``-1`` marks customers left unassigned (boundary, noise).
    revenue : array-like of shape (n_customers,), default=None
        Revenue of every customer, for ``top_segment_revenue_share``.
    random_state : int or None, default=0
        Seed of the silhouette subsample.
    sample_size : int or None, default=5000
        The silhouette costs O(n^2); above ``sample_size`` customers it is computed on a
        seeded random subsample of that size. ``None`` always uses every customer.
    unassigned : {"nearest", "drop"}, default="nearest"
        ``"nearest"`` places ``-1`` customers at the nearest segment centre before scoring;
        ``"drop"`` scores the assigned customers only (the behaviour before this keyword
        existed, which flatters methods that leave customers out).

    Returns
    -------
    metrics : dict
        ``silhouette``, ``davies_bouldin``, ``calinski_harabasz`` (NaN when fewer than 2
        segments exist); ``n_segments`` (segments with assigned customers);
        ``top_segment_revenue_share`` (share of all revenue held by the segment with the
        highest revenue per customer; NaN without ``revenue``); ``unassigned_share`` (share of
        customers labelled ``-1``).

    References
    ----------
    Rousseeuw, P. J. (1987). Silhouettes. *Journal of Computational and Applied Mathematics*
    20, 53-65. Davies, D. L. & Bouldin, D. W. (1979). *IEEE TPAMI* 1(2), 224-227.
    Calinski, T. & Harabasz, J. (1974). *Communications in Statistics* 3(1), 1-27.
    Lingras, P. & West, C. (2004). Interval set clustering of web users with rough k-means.
    *Journal of Intelligent Information Systems* 23(1), 5-16 (the boundary customers).

    Examples
    --------
    >>> import numpy as np
    >>> from ecrm_methods.evaluation.metrics import clustering_metrics
    >>> X = np.array([[0.0], [0.2], [0.4], [5.0], [5.2], [2.0]])
    >>> result = clustering_metrics(X, [0, 0, 0, 1, 1, -1])  # the -1 customer joins segment 0
    >>> result["n_segments"], round(result["unassigned_share"], 3)
    (2.0, 0.167)
    """
    features = _numeric_matrix(X)
    segment = _as_1d(labels, "labels")
    _check_same_length(X=features, labels=segment)
    if pd.isna(segment).any():
        raise ValueError("labels contains missing values; mark unassigned customers with -1.")
    if unassigned not in ("nearest", "drop"):
        raise ValueError(
            f"unassigned must be 'nearest' (score every customer) or 'drop', got {unassigned!r}."
        )
    if sample_size is not None and (
        isinstance(sample_size, bool)
        or not isinstance(sample_size, int | np.integer)
        or sample_size < 2
    ):
        raise ValueError(f"sample_size must be an integer >= 2 or None, got {sample_size!r}.")
    assigned = segment != -1
    n_segments = int(pd.unique(segment[assigned]).size)
    result: dict[str, float] = {
        "silhouette": float("nan"),
        "davies_bouldin": float("nan"),
        "calinski_harabasz": float("nan"),
        "n_segments": float(n_segments),
        "top_segment_revenue_share": float("nan"),
        "unassigned_share": float((~assigned).mean()),
    }
    if unassigned == "nearest":
        scored_labels = _nearest_centre_labels(features, segment)
        scored = scored_labels != -1  # all rows, unless nobody was assigned
    else:
        scored_labels = segment
        scored = assigned
    scored_features = features[scored]
    scored_labels = scored_labels[scored]
    if 2 <= n_segments < scored_labels.shape[0]:
        n_scored = scored_labels.shape[0]
        subsample = sample_size if sample_size is not None and n_scored > sample_size else None
        result["silhouette"] = float(
            skm.silhouette_score(
                scored_features,
                scored_labels,
                sample_size=subsample,
                random_state=check_random_state(random_state),
            )
        )
        result["davies_bouldin"] = float(skm.davies_bouldin_score(scored_features, scored_labels))
        result["calinski_harabasz"] = float(
            skm.calinski_harabasz_score(scored_features, scored_labels)
        )
    if revenue is not None:
        value = _check_finite(_as_1d(revenue, "revenue"), "revenue")
        _check_same_length(labels=segment, revenue=value)
        total = value.sum()
        if total <= 0:
            raise ValueError(f"revenue sums to {total}; the revenue share needs positive revenue.")
        if n_segments >= 1:
            per_segment = pd.Series(value[scored]).groupby(scored_labels)
            best = per_segment.mean().idxmax()
            result["top_segment_revenue_share"] = float(per_segment.sum()[best] / total)
    return result


def segment_outcome_metrics(
    labels: Any, holdout_spend: Any, holdout_churn: Any = None, min_share: float = 0.05
) -> dict[str, float]:
    """How much the segments differ in later behaviour that no segmentation method optimised.

    A segmentation is useful when its segments behave differently afterwards. The features a
    method clusters on are the ones the geometric indices of :func:`clustering_metrics` reward,
    so those indices favour the method whose objective they resemble. The customers' spend and
    churn in a holdout window after the segmentation was fitted were seen by no method; how
    strongly they differ between segments is a yardstick none of them was tuned to.

    Parameters
    ----------
    labels : array-like of shape (n_customers,)
        Segment of every customer. ``-1`` (unassigned) is not allowed: place those customers
        in a segment first (e.g. at the nearest segment centre, as :func:`clustering_metrics`
        does), so that every customer is judged.
    holdout_spend : array-like of shape (n_customers,)
        Each customer's spend in the holdout window (0 for customers who bought nothing).
    holdout_churn : array-like of shape (n_customers,), default=None
        1 for a customer who churned in the holdout window (e.g. made no purchase), else 0.
    min_share : float, default=0.05
        Segments holding fewer than this share of the customers are ignored by
        ``churn_rate_range`` (a rate on a handful of customers is noise).

    Returns
    -------
    metrics : dict
        ``eta_squared_holdout_spend``: the share of the variance of the holdout spend that
        lies between segments (between-segment sum of squares / total sum of squares, in
        [0, 1]; NaN when the holdout spend is constant). ``churn_rate_range``: the highest
        minus the lowest churn rate over the segments holding at least ``min_share`` of the
        customers (NaN without ``holdout_churn`` or with fewer than 2 such segments).
        ``n_segments_used``: the number of segments holding at least ``min_share``.

    Notes
    -----
    Eta squared never decreases when a segment is split, so it favours segmentations with more
    segments (one customer per segment gives 1). Compare segmentations with similar numbers of
    segments, and read ``n_segments_used`` beside it.

    References
    ----------
    Wedel, M. & Kamakura, W. A. (2000). *Market Segmentation: Conceptual and Methodological
    Foundations* (2nd ed.). Kluwer, chapter 2 (segments are judged by how they differ in
    behaviour: identifiable, substantial, responsive). Cohen, J. (1973). Eta-squared and
    partial eta-squared in fixed factor ANOVA designs. *Educational and Psychological
    Measurement* 33(1), 107-112.

    Examples
    --------
    >>> from ecrm_methods.evaluation.metrics import segment_outcome_metrics
    >>> result = segment_outcome_metrics([0, 0, 1, 1], [10.0, 30.0, 0.0, 0.0], [0, 0, 1, 0])
    >>> round(result["eta_squared_holdout_spend"], 3), result["churn_rate_range"]
    (0.667, 0.5)
    """
    segment = _as_1d(labels, "labels")
    if pd.isna(segment).any():
        raise ValueError("labels contains missing values; give every customer a segment.")
    is_unassigned = segment == -1
    if np.any(is_unassigned):
        raise ValueError(
            f"labels holds {int(np.sum(is_unassigned))} unassigned customers (-1); place them in "
            "a segment first (e.g. at the nearest segment centre) so that every customer is "
            "judged."
        )
    spend = _check_finite(_as_1d(holdout_spend, "holdout_spend"), "holdout_spend")
    _check_same_length(labels=segment, holdout_spend=spend)
    if not (isinstance(min_share, int | float) and 0 <= min_share < 1):
        raise ValueError(f"min_share must be a share in [0, 1), got {min_share!r}.")
    _, inverse, counts = np.unique(segment, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    n_customers = segment.shape[0]
    large = counts / n_customers >= min_share
    total_ss = float(((spend - spend.mean()) ** 2).sum())
    segment_means = np.bincount(inverse, weights=spend) / counts
    between_ss = float((counts * (segment_means - spend.mean()) ** 2).sum())
    result = {
        "eta_squared_holdout_spend": between_ss / total_ss if total_ss > 0 else float("nan"),
        "churn_rate_range": float("nan"),
        "n_segments_used": float(large.sum()),
    }
    if holdout_churn is not None:
        churn = _check_binary_target(holdout_churn, "holdout_churn")
        _check_same_length(labels=segment, holdout_churn=churn)
        if large.sum() >= 2:
            rates = (np.bincount(inverse, weights=churn) / counts)[large]
            result["churn_rate_range"] = float(rates.max() - rates.min())
    return result


def bootstrap_stability(
    estimator_factory: Any,
    X: Any,
    n_resamples: int = 20,
    random_state: int | None = 0,
    max_samples: int | None = None,
) -> float:
    """Mean adjusted Rand index of a clustering against its refits on bootstrap resamples.

    The clustering fitted on all customers is compared with the clustering refitted on each
    bootstrap resample: on all customers when the estimator has ``predict``, otherwise on the
    distinct customers drawn into the resample.

    Parameters
    ----------
    estimator_factory : callable or estimator
        A function with no arguments that returns a fresh unfitted clusterer, or a scikit-learn
        clusterer (cloned for every fit). The clusterer exposes ``labels_`` after ``fit`` (or
        has ``fit_predict``).
    X : array-like of shape (n_customers, n_features)
        Features to cluster.
    n_resamples : int, default=20
        Number of bootstrap resamples.
    random_state : int or None, default=0
        Seed of the resampling.
    max_samples : int or None, default=None
        When ``X`` has more rows, the procedure runs on a seeded random subsample of this many
        customers (the reference clustering included): each refit then costs a fixed amount
        however large the customer base, at the price of a noisier estimate.

    Returns
    -------
    stability : float
        Mean adjusted Rand index (1 = the same segments every time, about 0 = chance).

    References
    ----------
    Hennig, C. (2007). Cluster-wise assessment of cluster stability. *Computational Statistics
    & Data Analysis* 52(1), 258-271. Hubert, L. & Arabie, P. (1985). Comparing partitions.
    *Journal of Classification* 2(1), 193-218.
    """
    if hasattr(estimator_factory, "get_params") and hasattr(estimator_factory, "fit"):
        template = estimator_factory

        def make_estimator() -> Any:
            return clone(template)

    elif callable(estimator_factory):
        make_estimator = estimator_factory
    else:
        raise TypeError(
            "estimator_factory must be a callable returning a fresh clusterer (e.g. "
            "lambda: KMeans(4, random_state=0)) or a scikit-learn clusterer, got "
            f"{type(estimator_factory).__name__}."
        )
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}.")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}.")
    features = X if isinstance(X, pd.DataFrame) else np.asarray(X)
    rng = check_random_state(random_state)
    if max_samples is not None:
        if isinstance(max_samples, bool) or not isinstance(max_samples, int | np.integer):
            raise ValueError(f"max_samples must be an integer >= 2 or None, got {max_samples!r}.")
        if max_samples < 2:
            raise ValueError(f"max_samples must be an integer >= 2 or None, got {max_samples!r}.")
        if features.shape[0] > max_samples:
            subsample = np.sort(rng.choice(features.shape[0], size=int(max_samples), replace=False))
            features = (
                features.iloc[subsample]
                if isinstance(features, pd.DataFrame)
                else features[subsample]
            )
    n_rows = features.shape[0]
    if n_rows < 2:
        raise ValueError(f"X has {n_rows} rows; stability needs at least 2 customers.")

    def take(rows: np.ndarray) -> Any:
        return features.iloc[rows] if isinstance(features, pd.DataFrame) else features[rows]

    def fit_labels(estimator: Any, data: Any) -> np.ndarray:
        if hasattr(estimator, "fit_predict"):
            return np.asarray(estimator.fit_predict(data))
        estimator.fit(data)
        if not hasattr(estimator, "labels_"):
            raise TypeError(
                f"{type(estimator).__name__} has neither fit_predict nor labels_ after fit; "
                "bootstrap_stability needs one of them."
            )
        return np.asarray(estimator.labels_)

    full_labels = fit_labels(make_estimator(), features)
    scores = []
    for _ in range(int(n_resamples)):
        rows = rng.randint(0, n_rows, size=n_rows)
        estimator = make_estimator()
        resample_labels = fit_labels(estimator, take(rows))
        if hasattr(estimator, "predict"):
            scores.append(skm.adjusted_rand_score(full_labels, estimator.predict(features)))
        else:
            distinct_rows, first = np.unique(rows, return_index=True)
            scores.append(
                skm.adjusted_rand_score(full_labels[distinct_rows], resample_labels[first])
            )
    return float(np.mean(scores))


# ---------------------------------------------------------------------------------------------
# intervals for a single split
# ---------------------------------------------------------------------------------------------


def _take_rows(array: Any, rows: np.ndarray) -> Any:
    if array is None:
        return None
    if isinstance(array, pd.DataFrame | pd.Series):
        return array.iloc[rows]
    return np.asarray(array)[rows]


def bootstrap_metric_interval(
    metric_fn: Callable[..., Any],
    *arrays: Any,
    n_resamples: int = 200,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = None,
) -> tuple[float, float] | dict[str, tuple[float, float]]:
    """Percentile bootstrap interval of a metric over the rows of one test set.

    A single split (a segmentation fitted on all customers, a value model scored on one
    calibration / holdout split) has no folds to average over; the uncertainty that remains is
    that of the finite set of customers it is scored on. The rows are resampled with
    replacement (all ``arrays`` together, so each customer keeps its own features, label and
    forecast), the metric is recomputed on every resample, and the percentiles
    ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` of those values are the interval.

    Parameters
    ----------
    metric_fn : callable
        Called as ``metric_fn(*resampled_arrays)``; returns a float, or a dict of floats (as
        the metric functions of this module do), in which case every entry gets an interval.
    *arrays : array-like
        Row-aligned inputs of ``metric_fn`` (numpy arrays, DataFrames, Series; ``None`` is
        passed through unchanged). All must have the same number of rows.
    n_resamples : int, default=200
        Number of bootstrap resamples.
    confidence : float, default=0.95
        Coverage of the interval.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of :func:`numpy.random.default_rng`; pass an int for reproducible bounds.

    Returns
    -------
    interval : tuple of float (low, high), or dict of str to (low, high)
        The percentile bounds (a dict when ``metric_fn`` returns a dict). Resamples on which
        the metric is undefined (``metric_fn`` raises ``ValueError`` or returns NaN, e.g. a
        resample with one class only) are left out; when more than half of them are, the
        bounds are NaN.

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall,
    chapter 13 (the percentile interval).

    Examples
    --------
    >>> import numpy as np
    >>> from ecrm_methods.evaluation.metrics import bootstrap_metric_interval
    >>> values = np.arange(100.0)
    >>> low, high = bootstrap_metric_interval(np.mean, values, random_state=0)
    >>> bool(40 < low < 49.5 < high < 59)
    True
    """
    if not callable(metric_fn):
        raise TypeError(
            f"metric_fn must be a callable such as value_metrics, got {type(metric_fn).__name__}."
        )
    if not arrays or all(array is None for array in arrays):
        raise ValueError("bootstrap_metric_interval needs at least one array of rows to resample.")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise ValueError(f"n_resamples must be an integer >= 2, got {n_resamples!r}.")
    if n_resamples < 2:
        raise ValueError(f"n_resamples must be an integer >= 2, got {n_resamples!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}.")
    lengths = {}
    for position, array in enumerate(arrays):
        if array is None:
            continue
        shape = np.shape(array)
        if len(shape) == 0:
            raise ValueError(
                f"arrays[{position}] is a scalar; pass row-aligned arrays (one entry per row)."
            )
        lengths[f"arrays[{position}]"] = shape[0]
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"length mismatch: {described} rows; pass row-aligned arrays.")
    n_rows = next(iter(lengths.values()))
    if n_rows < 2:
        raise ValueError(f"the arrays have {n_rows} row(s); a bootstrap needs at least 2.")
    rng = np.random.default_rng(random_state)
    draws: list[Any] = []
    for _ in range(int(n_resamples)):
        rows = rng.integers(0, n_rows, size=n_rows)
        try:
            draws.append(metric_fn(*(_take_rows(array, rows) for array in arrays)))
        except ValueError:
            draws.append(None)
    tail = (1 - confidence) / 2

    def bounds(values: list[float]) -> tuple[float, float]:
        finite = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
        if finite.size * 2 < len(values):
            return (float("nan"), float("nan"))
        low, high = np.quantile(finite, [tail, 1 - tail])
        return (float(low), float(high))

    first = next((draw for draw in draws if draw is not None), None)
    if isinstance(first, Mapping):
        return {
            name: bounds([None if draw is None else float(draw[name]) for draw in draws])
            for name in first
        }
    return bounds([None if draw is None else float(draw) for draw in draws])
