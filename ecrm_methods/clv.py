"""Customer-lifetime-value models: BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma (BTYD).

- maximum likelihood in scipy, vectorised over customers, for the three purchase models:

  * BG/NBD (Fader, Hardie & Lee 2005): :func:`fit_bgnbd_mle`, :func:`bgnbd_log_likelihood`,
    :func:`bgnbd_expected_purchases`, :func:`bgnbd_probability_alive`,
    :func:`bgnbd_expected_purchases_new_customer`;
  * Pareto/NBD (Schmittlein, Morrison & Colombo 1987): :func:`fit_pareto_nbd_mle`,
    :func:`pareto_nbd_log_likelihood`, :func:`pareto_nbd_expected_purchases`,
    :func:`pareto_nbd_probability_alive`, :func:`pareto_nbd_expected_purchases_new_customer`;
  * MBG/NBD (Batislam, Denizel & Filiztekin 2007): :func:`fit_mbgnbd_mle`,
    :func:`mbgnbd_log_likelihood`, :func:`mbgnbd_expected_purchases`,
    :func:`mbgnbd_probability_alive`, :func:`mbgnbd_expected_purchases_new_customer`;

  and the Gamma-Gamma spend model: :func:`fit_gamma_gamma_mle`,
  :func:`gamma_gamma_expected_spend`. The BG/NBD, Pareto/NBD and Gamma-Gamma fits reproduce
  Fader, Hardie & Lee's published CDNOW parameters;
- :class:`BetaGeoMLE`, :class:`ParetoNBDMLE`, :class:`ModifiedBetaGeoMLE`: one small
  object API over those functions (``fit``, ``params_``, ``log_likelihood_``,
  ``expected_purchases``, ``probability_alive``, ``expected_purchases_new_customer``,
  ``bootstrap``);
- :func:`customer_lifetime_value` (PyMC-Marketing's name and meaning: discounted expected
  revenue over a horizon in months) and :func:`bootstrap_parameters` (CLVTools-style
  bootstrap intervals over customers);
- :class:`BGNBDGammaGammaForecaster`, :class:`ParetoNBDGammaGammaForecaster`,
  :class:`MBGNBDGammaGammaForecaster`: the value-problem estimators on a calibration summary
  (``frequency, recency, T, monetary_value`` as made by
  :func:`ecrm_methods.features.rfm_train_test_split`); the BG/NBD one can also fit by MAP with
  PyMC-Marketing's ``BetaGeoModel`` / ``GammaGammaModel`` and flat priors.

Conventions follow PyMC-Marketing and lifetimes: ``frequency`` counts repeat purchases,
``recency`` is the time from the first to the last purchase and ``T`` the time from the first
purchase to the end of the calibration period, all in one time unit (weeks in this project's
value problem).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = [
    "BGNBDGammaGammaForecaster",
    "BetaGeoMLE",
    "MBGNBDGammaGammaForecaster",
    "ModifiedBetaGeoMLE",
    "ParetoNBDGammaGammaForecaster",
    "ParetoNBDMLE",
    "bgnbd_expected_purchases",
    "bgnbd_expected_purchases_new_customer",
    "bgnbd_log_likelihood",
    "bgnbd_probability_alive",
    "bootstrap_parameters",
    "customer_lifetime_value",
    "fit_bgnbd_mle",
    "fit_gamma_gamma_mle",
    "fit_mbgnbd_mle",
    "fit_pareto_nbd_mle",
    "gamma_gamma_expected_spend",
    "mbgnbd_expected_purchases",
    "mbgnbd_expected_purchases_new_customer",
    "mbgnbd_log_likelihood",
    "mbgnbd_probability_alive",
    "pareto_nbd_expected_purchases",
    "pareto_nbd_expected_purchases_new_customer",
    "pareto_nbd_log_likelihood",
    "pareto_nbd_probability_alive",
]

# --------------------------------------------------------------------------------------------
# Input checks and the shared maximum-likelihood driver
# --------------------------------------------------------------------------------------------


def _as_float_array(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    if array.size == 0:
        raise ValueError(f"`{name}` is empty; pass one value per customer.")
    if not np.all(np.isfinite(array)):
        bad = int(np.argmin(np.isfinite(array)))
        raise ValueError(
            f"`{name}` contains NaN or infinite values (customer at position {bad}: "
            f"{array[bad]}); drop or fill those customers."
        )
    if np.any(array < 0):
        bad = int(np.argmin(array))
        raise ValueError(
            f"`{name}` contains negative values (min {array[bad]}, customer at position {bad}); "
            "it must be >= 0."
        )
    return array


def _check_rft(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = _as_float_array(frequency, "frequency")
    t_x = _as_float_array(recency, "recency")
    T_arr = _as_float_array(T, "T")
    if not (x.shape == t_x.shape == T_arr.shape):
        raise ValueError(
            f"`frequency`, `recency` and `T` must have the same length, got "
            f"{x.size}, {t_x.size} and {T_arr.size}."
        )
    if np.any(t_x > T_arr + 1e-9):
        bad = int(np.argmax(t_x > T_arr + 1e-9))
        raise ValueError(
            f"`recency` exceeds `T` for customer at position {bad} "
            f"(recency={t_x[bad]}, T={T_arr[bad]}); recency and T must be measured from the "
            "first purchase in the same time unit."
        )
    silent = (x == 0) & (t_x > 0)
    if np.any(silent):
        bad = int(np.argmax(silent))
        raise ValueError(
            f"`recency` must be 0 for customers without repeat purchases, but the customer at "
            f"position {bad} has frequency=0 and recency={t_x[bad]}; recency is the time from "
            "the first to the last purchase (BTYD convention, `features.rfm_summary`), not the "
            "time since the last purchase."
        )
    return x, t_x, T_arr


def _check_horizon(t, shape) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError(f"`t` (the forecast horizon) must be finite and >= 0, got {t}.")
    try:
        return np.broadcast_to(t, shape)
    except ValueError:
        raise ValueError(
            f"`t` must be a number or one value per customer ({shape[0]}), got shape {t.shape}."
        ) from None


def _check_params(params: Mapping, names: tuple[str, ...], model: str) -> tuple[float, ...]:
    if not isinstance(params, Mapping):
        raise TypeError(f"{model} parameters must be a dict with {names}, got {type(params)}.")
    missing = [name for name in names if name not in params]
    if missing:
        raise ValueError(f"{model} parameters {missing} missing; pass all of {names}.")
    values = tuple(float(params[name]) for name in names)
    bad = [f"{n}={v}" for n, v in zip(names, values, strict=True) if not (v > 0 and v < np.inf)]
    if bad:
        raise ValueError(f"{model} parameters must be positive and finite, got {bad}.")
    return values


def _maximize_log_likelihood(
    per_customer_ll: Callable,
    names: tuple[str, ...],
    start: Mapping | None,
    data: tuple[np.ndarray, ...],
    tol: float = 1e-8,
    polish: bool = True,
    model: str = "model",
) -> dict:
    """Maximise ``sum(per_customer_ll(*params, *data))`` over the log parameters.

    L-BFGS-B (numerical gradient) gets close; a Nelder-Mead polish then settles a flat optimum.
    """
    start = start or dict.fromkeys(names, 1.0)
    theta0 = np.log(_check_params(start, names, f"{model} starting"))

    def negative_ll(theta):
        with np.errstate(all="ignore"):
            value = -np.sum(per_customer_ll(*np.exp(np.clip(theta, -30, 30)), *data))
        return value if np.isfinite(value) else 1e300

    result = minimize(negative_ll, theta0, method="L-BFGS-B")
    best, converged = result, bool(result.success)
    if polish:
        refined = minimize(
            negative_ll,
            result.x,
            method="Nelder-Mead",
            # about 230 evaluations on CDNOW; the cap stops a long crawl along a flat ridge
            # (data without heterogeneity, where the MLE runs off to infinity)
            options={"xatol": tol, "fatol": tol, "maxiter": 2000, "maxfev": 2000},
        )
        best = refined if refined.fun <= result.fun else result
        converged = converged or bool(refined.success)
    values = np.exp(np.clip(best.x, -30, 30))  # the parameters the likelihood was evaluated at
    fitted = dict(zip(names, (float(v) for v in values), strict=True))
    fitted["log_likelihood"] = float(-best.fun)
    fitted["converged"] = converged
    return fitted


# --------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------

_BGNBD = ("r", "alpha", "a", "b")


def bgnbd_log_likelihood(params: dict, frequency, recency, T) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD model.

    Parameters
    ----------
    params : dict
        ``r, alpha, a, b`` (all > 0).
    frequency, recency, T : array-like of shape (n_customers,)
        Repeat purchases ``x``, time of the last purchase ``t_x`` and length of the calibration
        period ``T``, both measured from the customer's first purchase in one time unit.

    Returns
    -------
    ndarray of shape (n_customers,)
        ``log L(r, alpha, a, b | x, t_x, T)`` for each customer.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284, equation (6).

    Examples
    --------
    >>> from ecrm_methods.clv import bgnbd_log_likelihood
    >>> params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> bgnbd_log_likelihood(params, [0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
    array([-0.555, -9.459])
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    return _bgnbd_ll(*_check_params(params, _BGNBD, "BG/NBD"), x, t_x, T_arr)


def _bgnbd_ll(r, alpha, a, b, x, t_x, T):
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    term_alive = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    term_dropped = np.full_like(x, -np.inf)
    term_dropped[repeat] = (
        np.log(a) - np.log(b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + t_x[repeat])
    )
    return common + np.logaddexp(term_alive, term_dropped)


def fit_bgnbd_mle(
    frequency,
    recency,
    T,
    initial: dict | None = None,
    tol: float = 1e-8,
    polish: bool = True,
) -> dict:
    """Fit the BG/NBD model by maximum likelihood (scipy).

    Parameters
    ----------
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary in BTYD convention: repeat purchases, time from the first to the
        last purchase, time from the first purchase to the end of the calibration period.
    initial : dict, optional
        Starting values for ``r, alpha, a, b`` (default all 1).
    tol : float, default=1e-8
        Tolerance of the Nelder-Mead polish (on the log parameters and the log-likelihood).
    polish : bool, default=True
        Run the Nelder-Mead polish after L-BFGS-B (off in the bootstrap, where the refits start
        next to the optimum and a 1e-8 precision is not needed).

    Returns
    -------
    dict
        ``{"r", "alpha", "a", "b", "log_likelihood", "converged"}``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284. On the CDNOW
    sample (39 weeks, 2,357 customers) they report r = 0.243, alpha = 4.414, a = 0.793,
    b = 2.426.
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    return _maximize_log_likelihood(
        _bgnbd_ll, _BGNBD, initial, (x, t_x, T_arr), tol=tol, polish=polish, model="BG/NBD"
    )


def bgnbd_expected_purchases(params: dict, t, frequency, recency, T) -> np.ndarray:
    """Expected number of purchases in the next ``t`` time units, given each customer's history.

    Parameters
    ----------
    params : dict
        Fitted ``r, alpha, a, b``.
    t : float or array-like
        Length of the forecast (holdout) period in the calibration time unit.
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary (see :func:`fit_bgnbd_mle`).

    Returns
    -------
    ndarray of shape (n_customers,)
        ``E[Y(t) | x, t_x, T]``.

    References
    ----------
    Fader, Hardie & Lee (2005), Marketing Science 24(2), equation (10).

    Examples
    --------
    >>> from ecrm_methods.clv import bgnbd_expected_purchases
    >>> params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> bgnbd_expected_purchases(params, 39, [2], [30.43], [38.86]).round(3)
    array([1.226])
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    r, alpha, a, b = _check_params(params, _BGNBD, "BG/NBD")
    t = _check_horizon(t, x.shape)
    z = t / (alpha + T_arr + t)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    log_ratio = (r + x) * (np.log(alpha + T_arr) - np.log(alpha + T_arr + t))
    numerator = (a + b + x - 1) / (a - 1) * (1 - np.exp(log_ratio) * hyp)
    expected = numerator * _bgnbd_alive(r, alpha, a, b, x, t_x, T_arr)
    return np.where(np.isfinite(expected), np.maximum(expected, 0.0), 0.0)


def _bgnbd_alive(r, alpha, a, b, x, t_x, T):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_odds = (
            np.log(a)
            - np.log(np.maximum(b + x - 1, 1e-300))
            + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        )
        return np.where(x > 0, 1.0 / (1.0 + np.exp(log_odds)), 1.0)


def bgnbd_probability_alive(params: dict, frequency, recency, T) -> np.ndarray:
    """Probability that each customer is still active at the end of the calibration period.

    A BG/NBD customer can only drop out right after a repeat purchase, so a customer without
    repeat purchases (``frequency = 0``) is alive with probability 1.

    Parameters
    ----------
    params : dict
        Fitted ``r, alpha, a, b``.
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary (see :func:`fit_bgnbd_mle`).

    Returns
    -------
    ndarray of shape (n_customers,)
        ``P(alive | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) /
        (alpha + t_x))^(r + x))``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284, equation (13);
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2008). Computing P(alive) using the BG/NBD
    model. http://brucehardie.com/notes/021/

    Examples
    --------
    >>> from ecrm_methods.clv import bgnbd_probability_alive
    >>> params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> bgnbd_probability_alive(params, [0, 2, 2], [0.0, 30.43, 5.0], [38.86] * 3).round(3)
    array([1.   , 0.727, 0.124])
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    return _bgnbd_alive(*_check_params(params, _BGNBD, "BG/NBD"), x, t_x, T_arr)


def bgnbd_expected_purchases_new_customer(params: dict, t) -> np.ndarray:
    """Expected repeat purchases of a randomly chosen new customer in ``(0, t]``.

    Parameters
    ----------
    params : dict
        Fitted ``r, alpha, a, b``.
    t : float or array-like
        Time since the customer's first purchase, in the calibration time unit.

    Returns
    -------
    ndarray
        ``E[X(t)] = (a + b - 1) / (a - 1) [1 - (alpha / (alpha + t))^r
        2F1(r, b; a + b - 1; t / (alpha + t))]``, the shape of ``t``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284, equation (9).

    Examples
    --------
    >>> from ecrm_methods.clv import bgnbd_expected_purchases_new_customer
    >>> params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> bgnbd_expected_purchases_new_customer(params, [0.0, 39.0, 78.0]).round(3)
    array([0.   , 1.197, 1.861])
    """
    r, alpha, a, b = _check_params(params, _BGNBD, "BG/NBD")
    t = _check_horizon(t, np.shape(t))
    hyp = hyp2f1(r, b, a + b - 1, t / (alpha + t))
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)
    return np.maximum(expected, 0.0) + 0.0  # + 0.0: no negative zero at t = 0


# --------------------------------------------------------------------------------------------
# Pareto/NBD
# --------------------------------------------------------------------------------------------

_PARETO_NBD = ("r", "alpha", "s", "beta")


def _pareto_nbd_log_terms(r, alpha, s, beta, x, t_x, T):
    """``log C``, ``log`` of the alive term and ``log L`` of each customer (Fader & Hardie 2005).

    ``L = C [(alpha + T)^-(r + x) (beta + T)^-s + s / (r + s + x) A0]`` with
    ``C = Gamma(r + x) alpha^r beta^s / Gamma(r)``, where ``A0 = F(t_x) - F(T)`` is ``s``
    times the integral over the death time tau in ``(t_x, T]`` of
    ``(alpha + tau)^-(r + x) (beta + tau)^-(s + 1)``. The note writes ``F`` with
    ``2F1(r + s + x, s + 1; r + s + x + 1; z)`` (``alpha >= beta``) or
    ``2F1(r + s + x, r + x; r + s + x + 1; z)`` (``alpha < beta``); Euler's transformation
    ``2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z)`` turns both into a
    ``2F1(1, .; r + s + x + 1; z)`` with ``0 <= z < 1`` whose prefactor cancels against the
    powers of ``alpha + u`` and ``beta + u``:

    - ``alpha >= beta``: ``F(u) = 2F1(1, r + x; r + s + x + 1; (alpha - beta) / (alpha + u))
      (alpha + u)^-(r + x) (beta + u)^-s``;
    - ``alpha < beta``: ``F(u) = 2F1(1, s + 1; r + s + x + 1; (beta - alpha) / (beta + u))
      (alpha + u)^(1 - r - x) (beta + u)^-(s + 1)``.

    ``log A0 = log F(t_x) + log(1 - F(T) / F(t_x))`` is then taken with ``log1p``-type
    arithmetic, so no large numbers are subtracted.
    """
    rx = r + x
    rsx = r + s + x
    if alpha >= beta:

        def log_f(u):
            z = (alpha - beta) / (alpha + u)
            return (
                np.log(hyp2f1(1.0, rx, rsx + 1.0, z))
                - rx * np.log(alpha + u)
                - s * np.log(beta + u)
            )

    else:

        def log_f(u):
            z = (beta - alpha) / (beta + u)
            return (
                np.log(hyp2f1(1.0, s + 1.0, rsx + 1.0, z))
                + (1.0 - rx) * np.log(alpha + u)
                - (s + 1.0) * np.log(beta + u)
            )

    with np.errstate(divide="ignore"):
        log_f_tx = log_f(t_x)
        log_a0 = log_f_tx + np.log(-np.expm1(np.minimum(log_f(T) - log_f_tx, 0.0)))
        log_alive = -rx * np.log(alpha + T) - s * np.log(beta + T)
        log_c = gammaln(rx) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        log_l = log_c + np.logaddexp(log_alive, np.log(s) - np.log(rsx) + log_a0)
    return log_c, log_alive, log_l


def _pareto_nbd_ll(r, alpha, s, beta, x, t_x, T):
    return _pareto_nbd_log_terms(r, alpha, s, beta, x, t_x, T)[2]


def pareto_nbd_log_likelihood(params: dict, frequency, recency, T) -> np.ndarray:
    """Per-customer log-likelihood of the Pareto/NBD model.

    The Gaussian hypergeometric terms are evaluated in a form that stays finite and accurate in
    both branches (``alpha >= beta`` and ``alpha < beta``) of Fader & Hardie's (2005)
    expression: Euler's transformation turns them into ``2F1(1, .; c; z)`` with ``0 <= z < 1``,
    and the difference of the two terms is taken in logs.

    Parameters
    ----------
    params : dict
        ``r, alpha`` (gamma heterogeneity of the purchase rate), ``s, beta`` (gamma
        heterogeneity of the dropout rate); all > 0.
    frequency, recency, T : array-like of shape (n_customers,)
        Repeat purchases ``x``, time of the last purchase ``t_x`` and length of the calibration
        period ``T``, both measured from the customer's first purchase in one time unit.

    Returns
    -------
    ndarray of shape (n_customers,)
        ``log L(r, alpha, s, beta | x, t_x, T)`` for each customer.

    References
    ----------
    Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your customers: who are
    they and what will they do next? Management Science, 33(1), 1-24.
    Fader, P. S., & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
    expressions. http://brucehardie.com/notes/009/, equations (16)-(22).

    Examples
    --------
    >>> from ecrm_methods.clv import pareto_nbd_log_likelihood
    >>> params = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    >>> pareto_nbd_log_likelihood(params, [0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
    array([-0.521, -9.554])
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    return _pareto_nbd_ll(*_check_params(params, _PARETO_NBD, "Pareto/NBD"), x, t_x, T_arr)


def fit_pareto_nbd_mle(
    frequency,
    recency,
    T,
    initial: dict | None = None,
    tol: float = 1e-8,
    polish: bool = True,
) -> dict:
    """Fit the Pareto/NBD model by maximum likelihood (scipy).

    Parameters
    ----------
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary in BTYD convention (see :func:`fit_bgnbd_mle`).
    initial : dict, optional
        Starting values for ``r, alpha, s, beta`` (default all 1).
    tol : float, default=1e-8
        Tolerance of the Nelder-Mead polish (on the log parameters and the log-likelihood).
    polish : bool, default=True
        Run the Nelder-Mead polish after L-BFGS-B.

    Returns
    -------
    dict
        ``{"r", "alpha", "s", "beta", "log_likelihood", "converged"}``.

    References
    ----------
    Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your customers: who are
    they and what will they do next? Management Science, 33(1), 1-24.
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284: on the CDNOW
    sample (39 weeks, 2,357 customers) r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669,
    log-likelihood -9,595.0.
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    return _maximize_log_likelihood(
        _pareto_nbd_ll,
        _PARETO_NBD,
        initial,
        (x, t_x, T_arr),
        tol=tol,
        polish=polish,
        model="Pareto/NBD",
    )


def _pareto_nbd_alive(r, alpha, s, beta, x, t_x, T):
    log_c, log_alive, log_l = _pareto_nbd_log_terms(r, alpha, s, beta, x, t_x, T)
    return np.minimum(np.exp(log_c + log_alive - log_l), 1.0)


def _survival_integral(s, u):
    """``(1 - (1 + u)^-(s - 1)) / (s - 1)``, and its limit ``log(1 + u)`` at ``s = 1``."""
    log1p_u = np.log1p(u)
    if abs(s - 1.0) < 1e-10:
        return log1p_u
    return -np.expm1(-(s - 1.0) * log1p_u) / (s - 1.0)


def pareto_nbd_probability_alive(params: dict, frequency, recency, T) -> np.ndarray:
    """Probability that each Pareto/NBD customer is still active at the end of calibration.

    Parameters
    ----------
    params : dict
        Fitted ``r, alpha, s, beta``.
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary (see :func:`fit_bgnbd_mle`).

    Returns
    -------
    ndarray of shape (n_customers,)
        ``P(alive | x, t_x, T) = C (alpha + T)^-(r + x) (beta + T)^-s / L``.

    References
    ----------
    Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Management Science, 33(1), 1-24.
    Fader, P. S., & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
    expressions. http://brucehardie.com/notes/009/, equation (18).

    Examples
    --------
    >>> from ecrm_methods.clv import pareto_nbd_probability_alive
    >>> params = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    >>> pareto_nbd_probability_alive(params, [0, 2, 2], [0.0, 30.43, 5.0], [38.86] * 3).round(3)
    array([0.295, 0.869, 0.13 ])
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    return _pareto_nbd_alive(*_check_params(params, _PARETO_NBD, "Pareto/NBD"), x, t_x, T_arr)


def pareto_nbd_expected_purchases(params: dict, t, frequency, recency, T) -> np.ndarray:
    """Expected number of Pareto/NBD purchases in the next ``t`` time units, given the history.

    Parameters
    ----------
    params : dict
        Fitted ``r, alpha, s, beta``.
    t : float or array-like
        Length of the forecast (holdout) period in the calibration time unit.
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary (see :func:`fit_bgnbd_mle`).

    Returns
    -------
    ndarray of shape (n_customers,)
        ``E[Y(t) | x, t_x, T] = P(alive) (r + x) (beta + T) / ((alpha + T) (s - 1))
        [1 - ((beta + T) / (beta + T + t))^(s - 1)]`` (the limit at ``s = 1``:
        ``P(alive) (r + x) (beta + T) / (alpha + T) log(1 + t / (beta + T))``).

    References
    ----------
    Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Management Science, 33(1), 1-24.
    Fader, P. S., & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
    expressions. http://brucehardie.com/notes/009/, equation (24).

    Examples
    --------
    >>> from ecrm_methods.clv import pareto_nbd_expected_purchases
    >>> params = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    >>> pareto_nbd_expected_purchases(params, 39, [2], [30.43], [38.86]).round(3)
    array([1.455])
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    r, alpha, s, beta = _check_params(params, _PARETO_NBD, "Pareto/NBD")
    t = _check_horizon(t, x.shape)
    alive = _pareto_nbd_alive(r, alpha, s, beta, x, t_x, T_arr)
    rate = (r + x) * (beta + T_arr) / (alpha + T_arr)
    return alive * rate * _survival_integral(s, t / (beta + T_arr))


def pareto_nbd_expected_purchases_new_customer(params: dict, t) -> np.ndarray:
    """Expected repeat purchases of a randomly chosen new Pareto/NBD customer in ``(0, t]``.

    Parameters
    ----------
    params : dict
        Fitted ``r, alpha, s, beta``.
    t : float or array-like
        Time since the customer's first purchase, in the calibration time unit.

    Returns
    -------
    ndarray
        ``E[X(t)] = r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)]`` (limit
        ``r beta / alpha log(1 + t / beta)`` at ``s = 1``), the shape of ``t``.

    References
    ----------
    Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Management Science, 33(1), 1-24.
    Fader, P. S., & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
    expressions. http://brucehardie.com/notes/009/, equation (17).

    Examples
    --------
    >>> from ecrm_methods.clv import pareto_nbd_expected_purchases_new_customer
    >>> params = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    >>> pareto_nbd_expected_purchases_new_customer(params, [0.0, 39.0, 78.0]).round(3)
    array([0.   , 1.213, 1.909])
    """
    r, alpha, s, beta = _check_params(params, _PARETO_NBD, "Pareto/NBD")
    t = _check_horizon(t, np.shape(t))
    return r * beta / alpha * _survival_integral(s, t / beta)


# --------------------------------------------------------------------------------------------
# MBG/NBD
# --------------------------------------------------------------------------------------------

_MBGNBD = ("r", "alpha", "a", "b")


def _mbgnbd_ll(r, alpha, a, b, x, t_x, T):
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x + 1) - betaln(a, b)
    term_alive = -(r + x) * np.log(alpha + T)
    term_dropped = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + t_x)
    return common + np.logaddexp(term_alive, term_dropped)


def mbgnbd_log_likelihood(params: dict, frequency, recency, T) -> np.ndarray:
    """Per-customer log-likelihood of the MBG/NBD model.

    The MBG/NBD differs from the BG/NBD in one assumption: a customer may also drop out right
    after the first purchase, so a customer without repeat purchases is not surely alive.

    Parameters
    ----------
    params : dict
        ``r, alpha`` (gamma heterogeneity of the purchase rate), ``a, b`` (beta heterogeneity
        of the dropout probability); all > 0.
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary (see :func:`bgnbd_log_likelihood`).

    Returns
    -------
    ndarray of shape (n_customers,)
        ``log L = log[Gamma(r + x) alpha^r / Gamma(r) B(a, b + x + 1) / B(a, b)
        ((alpha + T)^-(r + x) + a / (b + x) (alpha + t_x)^-(r + x))]``.

    References
    ----------
    Batislam, E. P., Denizel, M., & Filiztekin, A. (2007). Empirical validation and comparison of
    models for customer base analysis. International Journal of Research in Marketing, 24(3),
    201-209. Wagner, U., & Hoppe, D. (2008). Erratum on the MBG/NBD model. International
    Journal of Research in Marketing, 25(3), 225-226.

    Examples
    --------
    >>> from ecrm_methods.clv import mbgnbd_log_likelihood
    >>> params = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
    >>> mbgnbd_log_likelihood(params, [0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
    array([-0.54 , -9.486])
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    return _mbgnbd_ll(*_check_params(params, _MBGNBD, "MBG/NBD"), x, t_x, T_arr)


def fit_mbgnbd_mle(
    frequency,
    recency,
    T,
    initial: dict | None = None,
    tol: float = 1e-8,
    polish: bool = True,
) -> dict:
    """Fit the MBG/NBD model by maximum likelihood (scipy).

    Parameters
    ----------
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary in BTYD convention (see :func:`fit_bgnbd_mle`).
    initial : dict, optional
        Starting values for ``r, alpha, a, b`` (default all 1).
    tol : float, default=1e-8
        Tolerance of the Nelder-Mead polish (on the log parameters and the log-likelihood).
    polish : bool, default=True
        Run the Nelder-Mead polish after L-BFGS-B.

    Returns
    -------
    dict
        ``{"r", "alpha", "a", "b", "log_likelihood", "converged"}``.

    References
    ----------
    Batislam, E. P., Denizel, M., & Filiztekin, A. (2007). Empirical validation and comparison of
    models for customer base analysis. International Journal of Research in Marketing, 24(3),
    201-209.
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    return _maximize_log_likelihood(
        _mbgnbd_ll, _MBGNBD, initial, (x, t_x, T_arr), tol=tol, polish=polish, model="MBG/NBD"
    )


def _mbgnbd_alive(r, alpha, a, b, x, t_x, T):
    with np.errstate(over="ignore"):
        log_odds = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return 1.0 / (1.0 + np.exp(log_odds))


def mbgnbd_probability_alive(params: dict, frequency, recency, T) -> np.ndarray:
    """Probability that each MBG/NBD customer is still active at the end of calibration.

    Parameters
    ----------
    params : dict
        Fitted ``r, alpha, a, b``.
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary (see :func:`fit_bgnbd_mle`).

    Returns
    -------
    ndarray of shape (n_customers,)
        ``P(alive | x, t_x, T) = 1 / (1 + a / (b + x) ((alpha + T) / (alpha + t_x))^(r + x))``;
        below 1 also for customers without repeat purchases.

    References
    ----------
    Batislam, E. P., Denizel, M., & Filiztekin, A. (2007). International Journal of Research in
    Marketing, 24(3), 201-209, equation (5).

    Examples
    --------
    >>> from ecrm_methods.clv import mbgnbd_probability_alive
    >>> params = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
    >>> mbgnbd_probability_alive(params, [0, 2, 2], [0.0, 30.43, 5.0], [38.86] * 3).round(3)
    array([0.39 , 0.706, 0.107])
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    return _mbgnbd_alive(*_check_params(params, _MBGNBD, "MBG/NBD"), x, t_x, T_arr)


def mbgnbd_expected_purchases(params: dict, t, frequency, recency, T) -> np.ndarray:
    """Expected number of MBG/NBD purchases in the next ``t`` time units, given the history.

    Parameters
    ----------
    params : dict
        Fitted ``r, alpha, a, b``.
    t : float or array-like
        Length of the forecast (holdout) period in the calibration time unit.
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary (see :func:`fit_bgnbd_mle`).

    Returns
    -------
    ndarray of shape (n_customers,)
        ``E[Y(t) | x, t_x, T] = P(alive) (a + b + x) / (a - 1) [1 - ((alpha + T) /
        (alpha + T + t))^(r + x) 2F1(r + x, b + x + 1; a + b + x; t / (alpha + T + t))]``.

    References
    ----------
    Batislam, E. P., Denizel, M., & Filiztekin, A. (2007). International Journal of Research in
    Marketing, 24(3), 201-209, equation (6).

    Examples
    --------
    >>> from ecrm_methods.clv import mbgnbd_expected_purchases
    >>> params = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
    >>> mbgnbd_expected_purchases(params, 39, [2], [30.43], [38.86]).round(3)
    array([1.263])
    """
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    r, alpha, a, b = _check_params(params, _MBGNBD, "MBG/NBD")
    t = _check_horizon(t, x.shape)
    hyp = hyp2f1(r + x, b + x + 1, a + b + x, t / (alpha + T_arr + t))
    log_ratio = (r + x) * (np.log(alpha + T_arr) - np.log(alpha + T_arr + t))
    numerator = (a + b + x) / (a - 1) * (1 - np.exp(log_ratio) * hyp)
    expected = numerator * _mbgnbd_alive(r, alpha, a, b, x, t_x, T_arr)
    return np.where(np.isfinite(expected), np.maximum(expected, 0.0), 0.0)


def mbgnbd_expected_purchases_new_customer(params: dict, t) -> np.ndarray:
    """Expected repeat purchases of a randomly chosen new MBG/NBD customer in ``(0, t]``.

    Parameters
    ----------
    params : dict
        Fitted ``r, alpha, a, b``.
    t : float or array-like
        Time since the customer's first purchase, in the calibration time unit.

    Returns
    -------
    ndarray
        ``E[X(t)] = b / (a - 1) [1 - (alpha / (alpha + t))^r 2F1(r, b + 1; a + b;
        t / (alpha + t))]``, the shape of ``t``.

    References
    ----------
    Batislam, E. P., Denizel, M., & Filiztekin, A. (2007). International Journal of Research in
    Marketing, 24(3), 201-209, equation (4).

    Examples
    --------
    >>> from ecrm_methods.clv import mbgnbd_expected_purchases_new_customer
    >>> params = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
    >>> mbgnbd_expected_purchases_new_customer(params, [0.0, 39.0, 78.0]).round(3)
    array([0.   , 1.183, 1.805])
    """
    r, alpha, a, b = _check_params(params, _MBGNBD, "MBG/NBD")
    t = _check_horizon(t, np.shape(t))
    hyp = hyp2f1(r, b + 1, a + b, t / (alpha + t))
    expected = b / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)
    return np.maximum(expected, 0.0) + 0.0  # + 0.0: no negative zero at t = 0


# --------------------------------------------------------------------------------------------
# Gamma-Gamma spend
# --------------------------------------------------------------------------------------------


def _check_gamma_gamma(frequency, monetary_value) -> tuple[np.ndarray, np.ndarray]:
    x = _as_float_array(frequency, "frequency")
    m = _as_float_array(monetary_value, "monetary_value")
    if x.shape != m.shape:
        raise ValueError(
            f"`frequency` and `monetary_value` must have the same length, got {x.size} and {m.size}."
        )
    return x, m


def fit_gamma_gamma_mle(frequency, monetary_value, initial: dict | None = None) -> dict:
    """Fit the Gamma-Gamma spend model by maximum likelihood (scipy).

    Only customers with at least one repeat purchase and a positive mean repeat-transaction value
    enter the likelihood.

    Parameters
    ----------
    frequency : array-like of shape (n_customers,)
        Number of repeat transactions ``x``.
    monetary_value : array-like of shape (n_customers,)
        Mean value of the repeat transactions ``m``.
    initial : dict, optional
        Starting values for ``p, q, gamma`` (default all 1).

    Returns
    -------
    dict
        ``{"p", "q", "gamma", "log_likelihood", "n_customers"}``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
    customer base analysis. Journal of Marketing Research, 42(4), 415-430 (CDNOW: p = 6.25,
    q = 3.74, gamma = 15.44). Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of
    monetary value. http://brucehardie.com/notes/025/
    """
    x, m = _check_gamma_gamma(frequency, monetary_value)
    keep = (x > 0) & (m > 0)
    if keep.sum() < 3:
        raise ValueError(
            f"Gamma-Gamma needs customers with repeat purchases and positive `monetary_value`; "
            f"only {int(keep.sum())} found."
        )
    x, m = x[keep], m[keep]
    names = ("p", "q", "gamma")
    start = initial or {"p": 1.0, "q": 1.0, "gamma": 1.0}
    theta0 = np.log([float(start[name]) for name in names])

    def negative_ll(theta):
        p, q, gamma = np.exp(np.clip(theta, -30, 30))
        ll = (
            gammaln(p * x + q)
            - gammaln(p * x)
            - gammaln(q)
            + q * np.log(gamma)
            + (p * x - 1) * np.log(m)
            + (p * x) * np.log(x)
            - (p * x + q) * np.log(gamma + x * m)
        )
        value = -np.sum(ll)
        return value if np.isfinite(value) else 1e300

    result = minimize(negative_ll, theta0, method="L-BFGS-B")
    refined = minimize(
        negative_ll,
        result.x,
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-8, "maxiter": 20000},
    )
    best = refined if refined.fun <= result.fun else result
    fitted = dict(zip(names, (float(v) for v in np.exp(best.x)), strict=True))
    fitted["log_likelihood"] = float(-best.fun)
    fitted["n_customers"] = int(keep.sum())
    return fitted


def gamma_gamma_expected_spend(params: dict, frequency, monetary_value) -> np.ndarray:
    """Expected mean transaction value of each customer under the Gamma-Gamma model.

    Parameters
    ----------
    params : dict
        Fitted ``p, q, gamma`` (``q > 1`` for a finite population mean).
    frequency, monetary_value : array-like of shape (n_customers,)
        Repeat purchases and their mean value; customers without repeats get the population mean.

    Returns
    -------
    ndarray of shape (n_customers,)
        ``E[Z | x, m] = p (gamma + x m) / (p x + q - 1)``.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value, equation (5).
    """
    x, m = _check_gamma_gamma(frequency, monetary_value)
    p, q, gamma = params["p"], params["q"], params["gamma"]
    m = np.where(x > 0, m, 0.0)
    return p * (gamma + x * m) / (p * x + q - 1)


# --------------------------------------------------------------------------------------------
# One object API over the three purchase models, CLV and bootstrap intervals
# --------------------------------------------------------------------------------------------


class _PurchaseModelMLE:
    """Shared implementation of :class:`BetaGeoMLE`, :class:`ParetoNBDMLE` and
    :class:`ModifiedBetaGeoMLE`; subclasses name their parameters and functions."""

    _parameter_names: tuple[str, ...] = ()
    _model_name = ""
    # subclasses set the model's functions as staticmethods: _fit_function, _ll_function,
    # _expected_function, _alive_function, _new_customer_function

    def __init__(self, tol: float = 1e-8):
        self.tol = tol

    @classmethod
    def from_params(cls, params: Mapping):
        """A model with known parameters (published, or fitted elsewhere), without fitting.

        Parameters
        ----------
        params : mapping
            The model's parameters by name; other keys (``log_likelihood``...) are ignored.

        Returns
        -------
        model
            ``params_`` set; ``log_likelihood_`` is NaN (no data was seen).
        """
        values = _check_params(params, cls._parameter_names, cls._model_name)
        model = cls()
        model.params_ = dict(zip(cls._parameter_names, values, strict=True))
        model.log_likelihood_ = float("nan")
        model.converged_ = True
        model.n_customers_ = 0
        return model

    def fit(self, frequency, recency, T, initial: Mapping | None = None, polish: bool = True):
        """Fit the parameters by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T : array-like of shape (n_customers,)
            Calibration summary in BTYD convention (repeat purchases, time from the first to
            the last purchase, time from the first purchase to the end of calibration).
        initial : mapping, optional
            Starting values (default all 1).
        polish : bool, default=True
            Polish the L-BFGS-B optimum with Nelder-Mead.

        Returns
        -------
        self
        """
        fitted = self._fit_function(
            frequency, recency, T, initial=initial, tol=self.tol, polish=polish
        )
        self.params_ = {name: fitted[name] for name in self._parameter_names}
        self.log_likelihood_ = fitted["log_likelihood"]
        self.converged_ = fitted["converged"]
        self.n_customers_ = int(np.size(frequency))
        return self

    def _check_fitted(self) -> dict:
        if not hasattr(self, "params_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"This {type(self).__name__} has no parameters yet; call `fit(frequency, "
                f"recency, T)` or build it with `{type(self).__name__}.from_params(...)`."
            )
        return self.params_

    def log_likelihood(self, frequency, recency, T) -> np.ndarray:
        """Per-customer log-likelihood at the fitted parameters.

        Parameters
        ----------
        frequency, recency, T : array-like of shape (n_customers,)
            Calibration summary.

        Returns
        -------
        ndarray of shape (n_customers,)
        """
        return self._ll_function(self._check_fitted(), frequency, recency, T)

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected purchases in the next ``t`` time units given each customer's history.

        Parameters
        ----------
        t : float or array-like
            Forecast horizon in the calibration time unit.
        frequency, recency, T : array-like of shape (n_customers,)
            Calibration summary.

        Returns
        -------
        ndarray of shape (n_customers,)
            ``E[Y(t) | x, t_x, T]``.
        """
        return self._expected_function(self._check_fitted(), t, frequency, recency, T)

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """Probability that each customer is still active at the end of calibration.

        Parameters
        ----------
        frequency, recency, T : array-like of shape (n_customers,)
            Calibration summary.

        Returns
        -------
        ndarray of shape (n_customers,)
        """
        return self._alive_function(self._check_fitted(), frequency, recency, T)

    def expected_purchases_new_customer(self, t) -> np.ndarray:
        """Expected repeat purchases of a new customer within ``t`` of the first purchase.

        Parameters
        ----------
        t : float or array-like
            Time since the first purchase, in the calibration time unit.

        Returns
        -------
        ndarray, the shape of ``t``
        """
        return self._new_customer_function(self._check_fitted(), t)

    def bootstrap(
        self,
        frequency,
        recency,
        T,
        n_bootstrap: int = 200,
        confidence: float = 0.95,
        random_state=None,
        verbose: int = 1,
    ) -> pd.DataFrame:
        """Bootstrap intervals of the parameters (see :func:`bootstrap_parameters`).

        The draws are kept in ``bootstrap_draws_``.

        Parameters
        ----------
        frequency, recency, T : array-like of shape (n_customers,)
            The calibration summary the model was (or will be) fitted to.
        n_bootstrap, confidence, random_state, verbose
            As in :func:`bootstrap_parameters`.

        Returns
        -------
        DataFrame
            One row per parameter: ``estimate, std_error, lower, upper``.
        """
        intervals, draws = bootstrap_parameters(
            self,
            frequency,
            recency,
            T,
            n_bootstrap=n_bootstrap,
            confidence=confidence,
            random_state=random_state,
            verbose=verbose,
            return_draws=True,
        )
        self.bootstrap_draws_ = draws
        return intervals

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}(tol={self.tol!r})"
        shown = ", ".join(f"{name}={value:.4g}" for name, value in self.params_.items())
        return f"{type(self).__name__}({shown})"


class BetaGeoMLE(_PurchaseModelMLE):
    """BG/NBD purchase model fitted by maximum likelihood.

    Parameters
    ----------
    tol : float, default=1e-8
        Tolerance of the Nelder-Mead polish of the fit.

    Attributes
    ----------
    params_ : dict
        ``r, alpha`` (gamma heterogeneity of the purchase rate), ``a, b`` (beta heterogeneity
        of the dropout probability after each repeat purchase).
    log_likelihood_ : float
        Maximised log-likelihood (NaN for :meth:`from_params`).
    converged_ : bool
    n_customers_ : int

    See Also
    --------
    bgnbd_log_likelihood, bgnbd_expected_purchases, bgnbd_probability_alive

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.

    Examples
    --------
    >>> from ecrm_methods.clv import BetaGeoMLE
    >>> model = BetaGeoMLE.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> model
    BetaGeoMLE(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> model.expected_purchases(39, [2], [30.43], [38.86]).round(3)
    array([1.226])
    """

    _parameter_names = _BGNBD
    _model_name = "BG/NBD"
    _fit_function = staticmethod(fit_bgnbd_mle)
    _ll_function = staticmethod(bgnbd_log_likelihood)
    _expected_function = staticmethod(bgnbd_expected_purchases)
    _alive_function = staticmethod(bgnbd_probability_alive)
    _new_customer_function = staticmethod(bgnbd_expected_purchases_new_customer)


class ParetoNBDMLE(_PurchaseModelMLE):
    """Pareto/NBD purchase model fitted by maximum likelihood.

    Parameters
    ----------
    tol : float, default=1e-8
        Tolerance of the Nelder-Mead polish of the fit.

    Attributes
    ----------
    params_ : dict
        ``r, alpha`` (gamma heterogeneity of the purchase rate), ``s, beta`` (gamma
        heterogeneity of the exponential dropout rate).
    log_likelihood_ : float
        Maximised log-likelihood (NaN for :meth:`from_params`).
    converged_ : bool
    n_customers_ : int

    See Also
    --------
    pareto_nbd_log_likelihood, pareto_nbd_expected_purchases, pareto_nbd_probability_alive

    References
    ----------
    Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your customers: who are
    they and what will they do next? Management Science, 33(1), 1-24.
    Fader, P. S., & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
    expressions. http://brucehardie.com/notes/009/

    Examples
    --------
    >>> from ecrm_methods.clv import ParetoNBDMLE
    >>> model = ParetoNBDMLE.from_params({"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669})
    >>> model.probability_alive([0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
    array([0.295, 0.869])
    """

    _parameter_names = _PARETO_NBD
    _model_name = "Pareto/NBD"
    _fit_function = staticmethod(fit_pareto_nbd_mle)
    _ll_function = staticmethod(pareto_nbd_log_likelihood)
    _expected_function = staticmethod(pareto_nbd_expected_purchases)
    _alive_function = staticmethod(pareto_nbd_probability_alive)
    _new_customer_function = staticmethod(pareto_nbd_expected_purchases_new_customer)


class ModifiedBetaGeoMLE(_PurchaseModelMLE):
    """MBG/NBD purchase model fitted by maximum likelihood.

    Parameters
    ----------
    tol : float, default=1e-8
        Tolerance of the Nelder-Mead polish of the fit.

    Attributes
    ----------
    params_ : dict
        ``r, alpha`` (gamma heterogeneity of the purchase rate), ``a, b`` (beta heterogeneity
        of the dropout probability at the first and after each repeat purchase).
    log_likelihood_ : float
        Maximised log-likelihood (NaN for :meth:`from_params`).
    converged_ : bool
    n_customers_ : int

    See Also
    --------
    mbgnbd_log_likelihood, mbgnbd_expected_purchases, mbgnbd_probability_alive

    References
    ----------
    Batislam, E. P., Denizel, M., & Filiztekin, A. (2007). Empirical validation and comparison of
    models for customer base analysis. International Journal of Research in Marketing, 24(3),
    201-209.

    Examples
    --------
    >>> from ecrm_methods.clv import ModifiedBetaGeoMLE
    >>> model = ModifiedBetaGeoMLE.from_params({"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614})
    >>> model.probability_alive([0], [0.0], [38.86]).round(3)
    array([0.39])
    """

    _parameter_names = _MBGNBD
    _model_name = "MBG/NBD"
    _fit_function = staticmethod(fit_mbgnbd_mle)
    _ll_function = staticmethod(mbgnbd_log_likelihood)
    _expected_function = staticmethod(mbgnbd_expected_purchases)
    _alive_function = staticmethod(mbgnbd_probability_alive)
    _new_customer_function = staticmethod(mbgnbd_expected_purchases_new_customer)


def _check_purchase_model(model, name: str = "transaction_model") -> _PurchaseModelMLE:
    if not isinstance(model, _PurchaseModelMLE):
        raise TypeError(
            f"`{name}` must be a BetaGeoMLE, ParetoNBDMLE or ModifiedBetaGeoMLE (a forecaster's "
            f"`purchase_model_`), got {type(model).__name__}."
        )
    model._check_fitted()
    return model


def bootstrap_parameters(
    model: _PurchaseModelMLE,
    frequency,
    recency,
    T,
    n_bootstrap: int = 200,
    confidence: float = 0.95,
    random_state=None,
    verbose: int = 1,
    return_draws: bool = False,
):
    """Bootstrap intervals of a purchase model's parameters, resampling customers.

    Customers are drawn with replacement (the same number as in the data) and the model is
    refitted on each resample, starting from the full-data estimate (L-BFGS-B without the
    Nelder-Mead polish: the refits start next to their optimum). The intervals are the
    percentiles of the refits, as CLVTools reports them.

    Parameters
    ----------
    model : BetaGeoMLE, ParetoNBDMLE or ModifiedBetaGeoMLE
        Fitted to this summary (its ``params_`` are the point estimates); an unfitted model is
        fitted first.
    frequency, recency, T : array-like of shape (n_customers,)
        Calibration summary in BTYD convention.
    n_bootstrap : int, default=200
        Number of resamples (>= 2).
    confidence : float, default=0.95
        Coverage of the percentile intervals, in (0, 1).
    random_state : int, RandomState instance or None, default=None
        Seeds the resampling.
    verbose : int, default=1
        0 hides the tqdm progress bar.
    return_draws : bool, default=False
        Also return the refitted parameters.

    Returns
    -------
    intervals : DataFrame
        One row per parameter: ``estimate`` (full-data fit), ``std_error`` (standard deviation
        of the refits), ``lower``, ``upper``.
    draws : DataFrame of shape (n_bootstrap, n_parameters + 2)
        Only with ``return_draws``: the refitted parameters, ``log_likelihood`` and
        ``converged``.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
    Meierer, P., Bachmann, P., Naef, J., Jung, N., & Zhang, Y. CLVTools: tools for customer
    lifetime value estimation (R package), ``confint`` and ``predict(uncertainty = "boots")``.

    Examples
    --------
    >>> from ecrm_methods.clv import BetaGeoMLE, bootstrap_parameters
    >>> from ecrm_methods.features import rfm_summary
    >>> from ecrm_methods.synthetic import simulate_transactions
    >>> log = simulate_transactions(500, random_state=0)  # BG/NBD log, CDNOW parameters
    >>> rft = rfm_summary(log, "customer_id", "date", time_scaler=7,
    ...                   observation_period_end=log.attrs["observation_period_end"])
    >>> model = BetaGeoMLE().fit(rft["frequency"], rft["recency"], rft["T"])
    >>> intervals = bootstrap_parameters(model, rft["frequency"], rft["recency"], rft["T"],
    ...                                  n_bootstrap=5, random_state=0, verbose=0)
    >>> list(intervals.columns)
    ['estimate', 'std_error', 'lower', 'upper']
    >>> bool((intervals["lower"] <= intervals["upper"]).all())
    True
    """
    if not isinstance(model, _PurchaseModelMLE):
        raise TypeError(
            f"`model` must be a BetaGeoMLE, ParetoNBDMLE or ModifiedBetaGeoMLE, got "
            f"{type(model).__name__}."
        )
    if not isinstance(n_bootstrap, Integral) or isinstance(n_bootstrap, bool) or n_bootstrap < 2:
        raise ValueError(f"`n_bootstrap` must be an integer >= 2, got {n_bootstrap!r}.")
    if not isinstance(confidence, Real) or not 0 < confidence < 1:
        raise ValueError(f"`confidence` must be in (0, 1), got {confidence!r}.")
    x, t_x, T_arr = _check_rft(frequency, recency, T)
    if not hasattr(model, "params_"):
        model.fit(x, t_x, T_arr)
    estimate = model._check_fitted()
    names = model._parameter_names
    rng = check_random_state(random_state)
    from tqdm.auto import tqdm

    rows = []
    for _ in tqdm(range(n_bootstrap), desc=f"{model._model_name} bootstrap", disable=not verbose):
        index = rng.randint(0, x.size, x.size)
        refit = model._fit_function(
            x[index], t_x[index], T_arr[index], initial=estimate, tol=model.tol, polish=False
        )
        rows.append({key: refit[key] for key in (*names, "log_likelihood", "converged")})
    draws = pd.DataFrame(rows)
    tail = (1 - confidence) / 2
    intervals = pd.DataFrame(
        {
            "estimate": [estimate[name] for name in names],
            "std_error": draws[list(names)].std(ddof=1).to_numpy(),
            "lower": draws[list(names)].quantile(tail).to_numpy(),
            "upper": draws[list(names)].quantile(1 - tail).to_numpy(),
        },
        index=pd.Index(names, name="parameter"),
    )
    return (intervals, draws) if return_draws else intervals


#: Periods of each ``time_unit`` per month, as PyMC-Marketing's ``customer_lifetime_value``.
_PERIODS_PER_MONTH = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24, "h": 30.0 * 24}


def customer_lifetime_value(
    transaction_model: _PurchaseModelMLE,
    data: pd.DataFrame,
    future_t: int = 12,
    discount_rate: float = 0.0,
    *,
    time_unit: str,
    gamma_gamma_params: Mapping | None = None,
) -> pd.Series:
    """Discounted expected revenue of each customer over the next ``future_t`` months.

    PyMC-Marketing's ``customer_lifetime_value`` (from lifetimes), on this module's models:
    for each month ``i = 1..future_t`` the expected purchases in that month (the difference of
    the conditional expectations at ``i`` and ``i - 1`` months) times the expected spend per
    purchase, discounted by ``(1 + discount_rate)^i``, summed. A month is 4.345 weeks, 30 days
    or 720 hours, as in PyMC-Marketing.

    Parameters
    ----------
    transaction_model : BetaGeoMLE, ParetoNBDMLE or ModifiedBetaGeoMLE
        Fitted purchase model (``time_unit`` is the unit it was fitted in).
    data : DataFrame
        ``frequency, recency, T`` (in ``time_unit``) and either ``future_spend`` (expected
        value per future purchase) or, with ``gamma_gamma_params``, ``monetary_value`` (mean
        value of the repeat purchases; 0 or NaN without repeats).
    future_t : int, default=12
        Horizon in months (>= 1), whatever ``time_unit`` is.
    discount_rate : float, default=0.0
        Monthly discount rate (0.01 = 1 % a month), >= 0.
    time_unit : {"D", "W", "M", "H"}
        Unit of ``recency`` and ``T`` (and of the model's rates): days, weeks, months, hours.
        Required: PyMC-Marketing's default "D" would silently misread this project's weekly
        summaries.
    gamma_gamma_params : mapping, optional
        ``p, q, gamma`` (:func:`fit_gamma_gamma_mle`, ``q > 1``): the spend per purchase is
        :func:`gamma_gamma_expected_spend` of ``frequency, monetary_value``.

    Returns
    -------
    Series
        ``clv`` per customer, indexed like ``data``, in the currency of the spend.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
    customer base analysis. Journal of Marketing Research, 42(4), 415-430.
    PyMC-Marketing, ``pymc_marketing.clv.utils.customer_lifetime_value``; Davidson-Pilon, C.
    lifetimes, ``lifetimes.utils._customer_lifetime_value``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecrm_methods.clv import BetaGeoMLE, customer_lifetime_value
    >>> model = BetaGeoMLE.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> data = pd.DataFrame({"frequency": [0, 2, 2], "recency": [0.0, 30.43, 5.0],
    ...                      "T": [38.86] * 3, "monetary_value": [0.0, 40.0, 40.0]})
    >>> clv = customer_lifetime_value(model, data, future_t=12, discount_rate=0.01,
    ...                               time_unit="W",
    ...                               gamma_gamma_params={"p": 6.25, "q": 3.74, "gamma": 15.44})
    >>> clv.round(2).tolist()
    [8.37, 57.59, 9.8]
    """
    model = _check_purchase_model(transaction_model)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"`data` must be a pandas DataFrame, got {type(data).__name__}.")
    spend_column = "monetary_value" if gamma_gamma_params is not None else "future_spend"
    missing = [c for c in ("frequency", "recency", "T", spend_column) if c not in data.columns]
    if missing:
        hint = (
            "pass `gamma_gamma_params` to derive the spend from `monetary_value`"
            if spend_column == "future_spend"
            else "`monetary_value` is the mean value of the repeat purchases"
        )
        raise ValueError(f"`data` lacks the columns {missing} (has {list(data.columns)}); {hint}.")
    if time_unit not in _PERIODS_PER_MONTH:
        raise ValueError(
            f"`time_unit` must be one of {sorted(set(_PERIODS_PER_MONTH) - {'h'})}, the unit of "
            f"recency and T; got {time_unit!r}."
        )
    if not isinstance(future_t, Integral) or isinstance(future_t, bool) or future_t < 1:
        raise ValueError(f"`future_t` (months) must be an integer >= 1, got {future_t!r}.")
    if not isinstance(discount_rate, Real) or not 0 <= discount_rate < np.inf:
        raise ValueError(
            f"`discount_rate` (per month) must be a finite number >= 0, got {discount_rate!r}."
        )
    x, t_x, T_arr = _check_rft(data["frequency"], data["recency"], data["T"])
    if gamma_gamma_params is not None:
        p, q, gamma = _check_params(gamma_gamma_params, ("p", "q", "gamma"), "Gamma-Gamma")
        if q <= 1:
            raise ValueError(
                f"Gamma-Gamma q={q} <= 1: the mean spend is infinite; no CLV can be computed."
            )
        monetary = np.nan_to_num(np.asarray(data["monetary_value"], dtype=float))
        spend = gamma_gamma_expected_spend({"p": p, "q": q, "gamma": gamma}, x, monetary)
    else:
        spend = _as_float_array(data["future_spend"], "future_spend")
    factor = _PERIODS_PER_MONTH[time_unit]
    value = np.zeros(x.size)
    previous = np.zeros(x.size)
    for month in range(1, int(future_t) + 1):
        cumulative = model.expected_purchases(month * factor, x, t_x, T_arr)
        value += spend * (cumulative - previous) / (1.0 + discount_rate) ** month
        previous = cumulative
    return pd.Series(value, index=data.index, name="clv")


# --------------------------------------------------------------------------------------------
# Value-problem estimators (the benchmark's BTYD baselines)
# --------------------------------------------------------------------------------------------


def _column_positions(estimator, columns: dict[str, str]) -> dict[str, int]:
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        raise ValueError(
            f"{type(estimator).__name__} needs a pandas DataFrame with the columns "
            f"{sorted(columns.values())}; got an array without column names."
        )
    names = list(names)
    missing = [col for col in columns.values() if col not in names]
    if missing:
        raise ValueError(
            f"{type(estimator).__name__}: columns {missing} not found in X (columns: {names}); "
            "pass the calibration summary from `features.rfm_train_test_split`."
        )
    return {role: names.index(col) for role, col in columns.items()}


class _CalibrationSummaryMixin:
    def _roles(self) -> dict[str, str]:
        return {
            "frequency": self.frequency_col,
            "recency": self.recency_col,
            "T": self.T_col,
            "monetary_value": self.monetary_col,
        }

    def _check_holdout_length(self):
        """``holdout_length`` has no sensible default; its constraint lets None through to here."""
        if self.holdout_length is None:
            raise ValueError(
                f"{type(self).__name__} needs `holdout_length`, the length of the holdout period "
                "in the calibration time unit (e.g. holdout_length=39 for 39 weeks); got None."
            )

    def _summary(self, X) -> dict[str, np.ndarray]:
        return {role: np.asarray(X[:, pos], dtype=float) for role, pos in self.positions_.items()}


class _BTYDGammaGammaForecaster(_CalibrationSummaryMixin, RegressorMixin, BaseEstimator):
    """Shared fit/predict of the BTYD + Gamma-Gamma forecasters.

    Subclasses set ``_purchase_model_class`` (the MLE class) and ``_params_attribute`` (where
    the fitted purchase parameters are stored) and may override ``_fit_purchase_model``.
    """

    _purchase_model_class: type[_PurchaseModelMLE] = _PurchaseModelMLE
    _params_attribute = ""

    def _fit_purchase_model(self, frequency, recency, T, monetary) -> tuple[dict, dict]:
        model = self._purchase_model_class().fit(frequency, recency, T)
        params = {
            **model.params_,
            "log_likelihood": model.log_likelihood_,
            "converged": model.converged_,
        }
        return params, fit_gamma_gamma_mle(frequency, monetary)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the purchase model on (frequency, recency, T) and Gamma-Gamma on repeat customers.

        Parameters
        ----------
        X : DataFrame
            Calibration summary with the ``frequency_col, recency_col, T_col, monetary_col``
            columns.
        y : ignored
            The holdout targets are never seen.

        Returns
        -------
        self
        """
        self._check_holdout_length()
        X = validate_data(self, X, dtype=float, ensure_all_finite="allow-nan")
        self.positions_ = _column_positions(self, self._roles())
        summary = self._summary(X)
        frequency = summary["frequency"]
        monetary = np.nan_to_num(summary["monetary_value"])
        params, gamma_gamma = self._fit_purchase_model(
            frequency, summary["recency"], summary["T"], monetary
        )
        setattr(self, self._params_attribute, params)
        self.gamma_gamma_params_ = gamma_gamma
        self.purchase_model_ = self._purchase_model_class.from_params(params)
        return self

    def predict(self, X):
        """Return an (n, 2) array: expected holdout repeat purchases and holdout spend.

        Parameters
        ----------
        X : DataFrame
            Calibration summary, as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_customers, 2)
        """
        check_is_fitted(self, self._params_attribute)
        X = validate_data(self, X, reset=False, dtype=float, ensure_all_finite="allow-nan")
        summary = self._summary(X)
        purchases = self.purchase_model_.expected_purchases(
            self.holdout_length, summary["frequency"], summary["recency"], summary["T"]
        )
        gg = self.gamma_gamma_params_
        if gg["q"] > 1:
            mean_value = gamma_gamma_expected_spend(
                gg, summary["frequency"], np.nan_to_num(summary["monetary_value"])
            )
        else:  # infinite population mean: fall back to the customer's own mean value
            mean_value = np.nan_to_num(summary["monetary_value"])
        return np.column_stack([purchases, purchases * mean_value])


_FORECASTER_CONSTRAINTS: dict = {
    "holdout_length": [Interval(Real, 0, np.inf, closed="neither"), None],
    "frequency_col": [str],
    "recency_col": [str],
    "T_col": [str],
    "monetary_col": [str],
}


class BGNBDGammaGammaForecaster(_BTYDGammaGammaForecaster):
    """BG/NBD purchase forecast with a Gamma-Gamma spend model.

    Predicted holdout repeat purchases are the BG/NBD conditional expectation over
    ``holdout_length``; predicted holdout spend multiplies them by the Gamma-Gamma expected mean
    transaction value.

    Parameters
    ----------
    holdout_length : float
        Length of the holdout period in the calibration time unit, > 0. Required: the default
        None only exists so that ``fit`` can say so.
    backend : {"mle", "pymc"}, default="mle"
        ``"mle"``: scipy maximum likelihood (:func:`fit_bgnbd_mle`, :func:`fit_gamma_gamma_mle`).
        ``"pymc"``: PyMC-Marketing ``BetaGeoModel`` and ``GammaGammaModel`` with flat priors on
        the parameters, fitted by MAP (equal to the MLE up to optimizer tolerance).
    frequency_col, recency_col, T_col, monetary_col : str
        Column names of the calibration summary in ``X``.

    Attributes
    ----------
    bgnbd_params_ : dict
        ``r, alpha, a, b``.
    gamma_gamma_params_ : dict
        ``p, q, gamma``.
    purchase_model_ : BetaGeoMLE
        The fitted purchase model (for P(alive), CLV and the plots).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way:
    an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
    customer base analysis. Journal of Marketing Research, 42(4), 415-430.
    """

    _parameter_constraints: dict = {
        **_FORECASTER_CONSTRAINTS,
        "backend": [StrOptions({"mle", "pymc"})],
    }
    _purchase_model_class = BetaGeoMLE
    _params_attribute = "bgnbd_params_"

    def __init__(
        self,
        holdout_length=None,
        backend="mle",
        frequency_col="frequency",
        recency_col="recency",
        T_col="T",
        monetary_col="monetary_value",
    ):
        self.holdout_length = holdout_length
        self.backend = backend
        self.frequency_col = frequency_col
        self.recency_col = recency_col
        self.T_col = T_col
        self.monetary_col = monetary_col

    def _fit_purchase_model(self, frequency, recency, T, monetary) -> tuple[dict, dict]:
        if self.backend == "mle":
            return fit_bgnbd_mle(frequency, recency, T), fit_gamma_gamma_mle(frequency, monetary)
        return _fit_pymc_map(frequency, recency, T, monetary)


class ParetoNBDGammaGammaForecaster(_BTYDGammaGammaForecaster):
    """Pareto/NBD purchase forecast with a Gamma-Gamma spend model.

    Predicted holdout repeat purchases are the Pareto/NBD conditional expectation over
    ``holdout_length`` (:func:`pareto_nbd_expected_purchases`); predicted holdout spend
    multiplies them by the Gamma-Gamma expected mean transaction value. Both models are fitted
    by scipy maximum likelihood.

    Parameters
    ----------
    holdout_length : float
        Length of the holdout period in the calibration time unit, > 0. Required: the default
        None only exists so that ``fit`` can say so.
    frequency_col, recency_col, T_col, monetary_col : str
        Column names of the calibration summary in ``X``.

    Attributes
    ----------
    pareto_nbd_params_ : dict
        ``r, alpha, s, beta``, ``log_likelihood``, ``converged``.
    gamma_gamma_params_ : dict
        ``p, q, gamma``.
    purchase_model_ : ParetoNBDMLE
        The fitted purchase model (for P(alive), CLV and the plots).

    References
    ----------
    Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your customers: who are
    they and what will they do next? Management Science, 33(1), 1-24.
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
    customer base analysis. Journal of Marketing Research, 42(4), 415-430.

    Examples
    --------
    >>> from ecrm_methods.clv import ParetoNBDGammaGammaForecaster
    >>> from ecrm_methods.problems import load_problem
    >>> data = load_problem("value", "cdnow-sample")  # CDNOW 1/10 sample, 39 + 39 weeks
    >>> model = ParetoNBDGammaGammaForecaster(holdout_length=data.holdout_length).fit(data.X)
    >>> {name: round(value, 3) for name, value in model.purchase_model_.params_.items()}
    {'r': 0.553, 'alpha': 10.578, 's': 0.606, 'beta': 11.669}
    >>> model.predict(data.X).shape  # holdout repeat purchases and spend per customer
    (2357, 2)
    """

    _parameter_constraints: dict = dict(_FORECASTER_CONSTRAINTS)
    _purchase_model_class = ParetoNBDMLE
    _params_attribute = "pareto_nbd_params_"

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


class MBGNBDGammaGammaForecaster(_BTYDGammaGammaForecaster):
    """MBG/NBD purchase forecast with a Gamma-Gamma spend model.

    Predicted holdout repeat purchases are the MBG/NBD conditional expectation over
    ``holdout_length`` (:func:`mbgnbd_expected_purchases`); predicted holdout spend multiplies
    them by the Gamma-Gamma expected mean transaction value. Both models are fitted by scipy
    maximum likelihood.

    Parameters
    ----------
    holdout_length : float
        Length of the holdout period in the calibration time unit, > 0. Required: the default
        None only exists so that ``fit`` can say so.
    frequency_col, recency_col, T_col, monetary_col : str
        Column names of the calibration summary in ``X``.

    Attributes
    ----------
    mbgnbd_params_ : dict
        ``r, alpha, a, b``, ``log_likelihood``, ``converged``.
    gamma_gamma_params_ : dict
        ``p, q, gamma``.
    purchase_model_ : ModifiedBetaGeoMLE
        The fitted purchase model (for P(alive), CLV and the plots).

    References
    ----------
    Batislam, E. P., Denizel, M., & Filiztekin, A. (2007). Empirical validation and comparison of
    models for customer base analysis. International Journal of Research in Marketing, 24(3),
    201-209.
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
    customer base analysis. Journal of Marketing Research, 42(4), 415-430.
    """

    _parameter_constraints: dict = dict(_FORECASTER_CONSTRAINTS)
    _purchase_model_class = ModifiedBetaGeoMLE
    _params_attribute = "mbgnbd_params_"

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


def _fit_pymc_map(frequency, recency, T, monetary) -> tuple[dict, dict]:
    """BG/NBD and Gamma-Gamma MAP fits with PyMC-Marketing (flat priors -> MAP = MLE)."""
    from pymc_extras.prior import Prior
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel

    customer_id = np.arange(frequency.size)
    rft = pd.DataFrame(
        {"customer_id": customer_id, "frequency": frequency, "recency": recency, "T": T}
    )
    flat = {name: Prior("HalfFlat") for name in ("r", "alpha", "a", "b")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bgnbd = BetaGeoModel(model_config=flat)
        bgnbd.fit(data=rft, method="map", progressbar=False)
        posterior = bgnbd.fit_result
        bgnbd_params = {k: float(posterior[k].values.ravel()[0]) for k in ("r", "alpha", "a", "b")}
        repeat = (frequency > 0) & (monetary > 0)
        spend = pd.DataFrame(
            {
                "customer_id": customer_id[repeat],
                "frequency": frequency[repeat],
                "monetary_value": monetary[repeat],
            }
        )
        gg_model = GammaGammaModel()
        gg_model.fit(data=spend, method="map", progressbar=False)
        posterior = gg_model.fit_result
        gg = {
            "p": float(posterior["p"].values.ravel()[0]),
            "q": float(posterior["q"].values.ravel()[0]),
            "gamma": float(posterior["v"].values.ravel()[0]),
        }
    return bgnbd_params, gg
