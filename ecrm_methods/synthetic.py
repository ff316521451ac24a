"""Model-based transaction logs of any size: BG/NBD purchasing, Gamma-Gamma spend.

Real retailers have millions of customers; the public datasets have tens of thousands. This
module simulates a customer base from the generative story of the BG/NBD model (Fader, Hardie
& Lee 2005) and the Gamma-Gamma spend model (Fader, Hardie & Lee 2005b; Fader & Hardie 2013),
so that the feature pipeline and the CLV models can be measured at scale against a known truth:

* customers are acquired uniformly over a cohort window, each with a first purchase at
  acquisition;
* while active, customer ``i`` buys at the rate ``lambda_i ~ Gamma(r, alpha)`` (a Poisson
  process); after each *repeat* purchase the customer drops out with probability
  ``p_i ~ Beta(a, b)``;
* each purchase's value is ``Gamma(p, nu_i)`` with ``nu_i ~ Gamma(q, gamma)``.

The log is a tidy pandas DataFrame ``customer_id, date, amount`` that
:func:`ecrm_methods.features.rfm_summary` reads directly. :func:`bgnbd_standard_errors` and
:func:`bgnbd_expected_count_histogram` are the validation tools: refit the model on the
simulated log and check the parameters within their standard errors, and compare the
repeat-purchase histogram with the model's ``P(X(t) = x)``.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.

Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
customer base analysis. Journal of Marketing Research, 42(4), 415-430.

Fader, P. S., & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
http://brucehardie.com/notes/025/
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import betaln
from scipy.stats import nbinom

__all__ = [
    "BGNBD_PARAMETERS",
    "CDNOW_PARAMETERS",
    "GAMMA_GAMMA_PARAMETERS",
    "bgnbd_expected_count_histogram",
    "bgnbd_purchase_count_probability",
    "bgnbd_standard_errors",
    "fit_btyd_parameters",
    "simulate_transactions",
    "write_transactions_parquet",
]

#: Names of the BG/NBD parameters (purchase rate ``r, alpha``; dropout ``a, b``).
BGNBD_PARAMETERS = ("r", "alpha", "a", "b")
#: Names of the Gamma-Gamma parameters (spend shape ``p``; ``q, gamma`` of the spend scale).
GAMMA_GAMMA_PARAMETERS = ("p", "q", "gamma")

#: Published CDNOW fits, time unit one week: BG/NBD from Fader, Hardie & Lee (2005, Marketing
#: Science), Gamma-Gamma from Fader, Hardie & Lee (2005, JMR), both on the 2,357-customer
#: sample with a 39-week calibration period.
CDNOW_PARAMETERS: dict[str, float] = {
    "r": 0.243,
    "alpha": 4.414,
    "a": 0.793,
    "b": 2.426,
    "p": 6.25,
    "q": 3.74,
    "gamma": 15.44,
}

_NS_PER_SECOND = 1_000_000_000


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------
def _check_params(params: Mapping | None) -> dict[str, float]:
    if params is None:
        return dict(CDNOW_PARAMETERS)
    if not isinstance(params, Mapping):
        raise TypeError(
            f"params must be a mapping such as {CDNOW_PARAMETERS}, got {type(params).__name__}"
        )
    names = BGNBD_PARAMETERS + GAMMA_GAMMA_PARAMETERS
    missing = [name for name in names if name not in params]
    if missing:
        raise ValueError(
            f"params lacks {missing}; pass all of {list(names)} (fit_btyd_parameters returns "
            "them for a dataset, CDNOW_PARAMETERS holds the published CDNOW values)"
        )
    checked = {}
    for name in names:
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
            raise ValueError(f"params[{name!r}] must be a positive number, got {value!r}")
        if value <= 0:
            raise ValueError(f"params[{name!r}] must be > 0, got {value!r}")
        checked[name] = float(value)
    return checked


def _check_positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


def _check_count(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _time_unit(time_unit) -> pd.Timedelta:
    try:
        unit = pd.Timedelta(time_unit) if not isinstance(time_unit, str) else None
        if unit is None:
            unit = pd.Timedelta(time_unit if time_unit[:1].isdigit() else "1" + time_unit)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"time_unit={time_unit!r} is not a duration; pass 'W' (weeks), 'D' (days) or a "
            "pandas Timedelta"
        ) from error
    if unit <= pd.Timedelta(0):
        raise ValueError(f"time_unit must be a positive duration, got {time_unit!r}")
    return unit


# --------------------------------------------------------------------------------------------
# simulation
# --------------------------------------------------------------------------------------------
def _simulate(
    n_customers: int,
    params: dict[str, float],
    cohort_length: float,
    observation_length: float,
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Latent customer draws, then the purchase times (in model units) and amounts."""
    n = n_customers
    purchase_rate = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    dropout_probability = rng.beta(params["a"], params["b"], n)
    spend_rate = rng.gamma(params["q"], 1.0 / params["gamma"], n)
    acquisition = rng.uniform(0.0, cohort_length, n)
    age = observation_length - acquisition  # BTYD's T: first purchase to the end
    # Repeat purchases: a Poisson process on (0, T] stopped by the dropout after the N-th
    # repeat purchase, N ~ Geometric(p) on {1, 2, ...}. The number seen is X = min(K, N) with
    # K ~ Poisson(lambda T); given K and X the X purchase times are the X smallest of K
    # uniform points on (0, T]: the last is T * Beta(X, K - X + 1), the others uniform below it.
    poisson_count = rng.poisson(purchase_rate * age)
    purchases_before_dropout = rng.geometric(dropout_probability)
    repeats = np.minimum(poisson_count, purchases_before_dropout)
    buyers = np.flatnonzero(repeats > 0)
    last_repeat = np.zeros(n)
    last_repeat[buyers] = age[buyers] * rng.beta(
        repeats[buyers], poisson_count[buyers] - repeats[buyers] + 1
    )
    rows_per_customer = repeats + 1
    owner = np.repeat(np.arange(n), rows_per_customer)
    start_row = np.cumsum(rows_per_customer) - rows_per_customer
    position = np.arange(owner.size) - start_row[owner]
    # row 0 of a customer: the first purchase (time 0); the last row: the last repeat;
    # rows in between: uniform on (0, last repeat).
    offset = last_repeat[owner] * rng.uniform(0.0, 1.0, owner.size)
    is_last = position == repeats[owner]
    offset[is_last] = last_repeat[owner[is_last]]
    offset[position == 0] = 0.0
    order = np.lexsort((offset, owner))
    owner, offset = owner[order], offset[order]
    time = acquisition[owner] + offset
    amount = rng.gamma(params["p"], 1.0 / spend_rate[owner])
    # a Gamma draw is > 0 in exact arithmetic; guard the (astronomically rare) underflow
    amount = np.maximum(amount, np.finfo(float).tiny)
    latent = {
        "purchase_rate": purchase_rate,
        "dropout_probability": dropout_probability,
        "spend_rate": spend_rate,
        "acquisition": acquisition,
        "T": age,
        "repeat_purchases": repeats,
        "alive": purchases_before_dropout > poisson_count,
    }
    return latent, owner, time, amount


def simulate_transactions(
    n_customers: int,
    params: Mapping | None = None,
    *,
    cohort_start="1997-01-01",
    cohort_length: float = 12.0,
    observation_length: float = 78.0,
    time_unit="W",
    first_customer_id: int = 1,
    random_state: int | np.random.Generator | None = None,
    return_latent: bool = False,
):
    """Simulate a transaction log from the BG/NBD and Gamma-Gamma models.

    Every customer makes a first purchase at acquisition, uniformly distributed over the
    cohort window ``[cohort_start, cohort_start + cohort_length]``; repeat purchases follow
    the BG/NBD story (Poisson purchasing at rate ``lambda ~ Gamma(r, alpha)`` while active,
    dropout with probability ``p ~ Beta(a, b)`` after each repeat purchase) until the end of
    the observation period ``cohort_start + observation_length``; each purchase's value is
    drawn from the Gamma-Gamma model (``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)``).
    Everything is vectorised: one million customers take about a second.

    Parameters
    ----------
    n_customers : int
        Number of customers (each has at least one purchase).
    params : mapping, optional
        ``r, alpha, a, b`` (BG/NBD) and ``p, q, gamma`` (Gamma-Gamma), rates per
        ``time_unit``. Defaults to :data:`CDNOW_PARAMETERS` (the published CDNOW fits, per
        week); :func:`fit_btyd_parameters` fits them to a dataset.
    cohort_start : date-like, default="1997-01-01"
        Start of the acquisition window.
    cohort_length : float, default=12.0
        Length of the acquisition window in ``time_unit`` (CDNOW's cohort: 12 weeks).
    observation_length : float, default=78.0
        Time from ``cohort_start`` to the end of the observation period, in ``time_unit``;
        at least ``cohort_length`` (CDNOW: 78 weeks).
    time_unit : str or Timedelta, default="W"
        The time unit of the rates and lengths: ``"W"`` (week), ``"D"`` (day), ``"7D"``, ...
    first_customer_id : int, default=1
        Customers are numbered ``first_customer_id, first_customer_id + 1, ...``.
    random_state : int, numpy Generator or None
        Seed of the ``numpy.random.Generator`` used for every draw (the global RNG is never
        touched); the same seed gives the same log.
    return_latent : bool, default=False
        Also return the per-customer latent draws.

    Returns
    -------
    log : DataFrame
        One row per purchase, sorted by customer and time: ``customer_id`` (int64), ``date``
        (datetime64[ns], to the second) and ``amount`` (float64, > 0). ``log.attrs`` holds
        ``params``, ``cohort_start`` and ``observation_period_end`` (ISO 8601 strings) and
        ``time_unit`` (an ISO 8601 duration), plain values that ``to_parquet`` can store:
        pass ``observation_period_end`` to :func:`ecrm_methods.features.rfm_summary`.
    latent : DataFrame
        Only with ``return_latent=True``: one row per customer (``customer_id``) with the
        drawn ``purchase_rate``, ``dropout_probability``, ``spend_rate``, ``acquisition`` and
        ``T`` (in ``time_unit`` from ``cohort_start`` and from acquisition), the number of
        ``repeat_purchases`` and whether the customer is still ``alive`` at the end.

    Notes
    -----
    The model lives in continuous time; the log stores times to the second. Summarising it
    with ``freq="D"`` merges same-day purchases, as real logs are summarised, which changes
    the counts of the most frequent buyers; ``freq="s"`` (with ``time_scaler`` the number of
    seconds per time unit) reproduces the model's counts exactly. The difference matters for
    validation at scale: on a million customers, hourly periods already move the refitted
    ``alpha`` by half a standard error.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
    way: an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.

    Fader, P. S., & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
    http://brucehardie.com/notes/025/

    Examples
    --------
    >>> from ecrm_methods.features import rfm_summary
    >>> log = simulate_transactions(1000, random_state=0)
    >>> list(log.columns), bool((log["amount"] > 0).all())
    (['customer_id', 'date', 'amount'], True)
    >>> summary = rfm_summary(log, "customer_id", "date", "amount",
    ...                       observation_period_end=log.attrs["observation_period_end"],
    ...                       time_scaler=7)
    >>> len(summary)
    1000
    """
    n_customers = _check_count(n_customers, "n_customers")
    first_customer_id = _check_count(first_customer_id, "first_customer_id", minimum=0)
    checked = _check_params(params)
    cohort_length = _check_positive(cohort_length, "cohort_length")
    observation_length = _check_positive(observation_length, "observation_length")
    if observation_length < cohort_length:
        raise ValueError(
            f"observation_length={observation_length} is shorter than cohort_length="
            f"{cohort_length}: customers would be acquired after the end of the observation "
            "period. Pass observation_length >= cohort_length"
        )
    unit = _time_unit(time_unit)
    try:
        start = pd.Timestamp(cohort_start)
    except (ValueError, TypeError) as error:
        raise ValueError(f"cohort_start={cohort_start!r} is not a date") from error
    if start is pd.NaT:
        raise ValueError("cohort_start is missing (NaT); pass a date")
    rng = np.random.default_rng(random_state)

    latent, owner, time, amount = _simulate(
        n_customers, checked, cohort_length, observation_length, rng
    )
    unit_ns = unit.value
    start_ns = start.as_unit("ns").value
    # floor to the second: a purchase never moves past the end of the observation period
    since_start = np.floor(time * (unit_ns / _NS_PER_SECOND)).astype(np.int64) * _NS_PER_SECOND
    dates = (since_start + start_ns).view("datetime64[ns]")
    log = pd.DataFrame(
        {
            "customer_id": owner.astype(np.int64) + first_customer_id,
            "date": dates,
            "amount": amount,
        }
    )
    # plain strings and floats, so that ``to_parquet`` can store the attrs
    log.attrs = {
        "params": checked,
        "cohort_start": start.isoformat(),
        "observation_period_end": (start + observation_length * unit).isoformat(),
        "time_unit": unit.isoformat(),
    }
    if not return_latent:
        return log
    customers = pd.DataFrame(
        {"customer_id": np.arange(n_customers, dtype=np.int64) + first_customer_id, **latent}
    )
    return log, customers


def write_transactions_parquet(
    path,
    n_customers: int,
    params: Mapping | None = None,
    *,
    chunk_customers: int = 1_000_000,
    random_state: int | None = None,
    **simulate_kwargs,
) -> dict:
    """Simulate a log too large for memory and write it to one parquet file, chunk by chunk.

    Parameters
    ----------
    path : str or Path
        Output parquet file (overwritten).
    n_customers : int
        Number of customers in all.
    params : mapping, optional
        As in :func:`simulate_transactions`.
    chunk_customers : int, default=1_000_000
        Customers simulated (and held in memory) at a time; each chunk is one row group
        (or more, of at most 10 million rows). The log depends on it: chunk ``k`` is drawn
        from the ``k``-th child of ``numpy.random.SeedSequence(random_state)``.
    random_state : int or None
        Seed.
    **simulate_kwargs
        ``cohort_start``, ``cohort_length``, ``observation_length``, ``time_unit`` of
        :func:`simulate_transactions`.

    Returns
    -------
    dict
        ``n_rows``, ``n_customers``, ``path`` and the ``attrs`` of the simulated log
        (``observation_period_end`` included).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    n_customers = _check_count(n_customers, "n_customers")
    chunk_customers = _check_count(chunk_customers, "chunk_customers")
    if "first_customer_id" in simulate_kwargs or "random_state" in simulate_kwargs:
        raise ValueError("first_customer_id and the per-chunk seeds are set by chunk")
    n_chunks = -(-n_customers // chunk_customers)
    seeds = np.random.SeedSequence(random_state).spawn(n_chunks)
    path = Path(path)
    n_rows, attrs, writer = 0, {}, None
    try:
        for k, seed in enumerate(seeds):
            size = min(chunk_customers, n_customers - k * chunk_customers)
            log = simulate_transactions(
                size,
                params,
                first_customer_id=1 + k * chunk_customers,
                random_state=np.random.default_rng(seed),
                **simulate_kwargs,
            )
            attrs = log.attrs
            table = pa.Table.from_pandas(log, preserve_index=False).replace_schema_metadata(None)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=10_000_000)
            n_rows += len(log)
            del log, table
    finally:
        if writer is not None:
            writer.close()
    return {"path": str(path), "n_rows": n_rows, "n_customers": n_customers, "attrs": attrs}


# --------------------------------------------------------------------------------------------
# parameters from data
# --------------------------------------------------------------------------------------------
def fit_btyd_parameters(dataset: str = "cdnow") -> dict[str, float]:
    """BG/NBD and Gamma-Gamma maximum-likelihood parameters fitted to a real dataset.

    Parameters
    ----------
    dataset : str, default="cdnow"
        A dataset of the value problem (``"cdnow"``, ``"cdnow-sample"`` or
        ``"online-retail-ii"``); its calibration summary ``load_problem("value",
        dataset).X`` (time unit one week) is fitted with
        :func:`ecrm_methods.clv.fit_bgnbd_mle` and :func:`ecrm_methods.clv.fit_gamma_gamma_mle`.

    Returns
    -------
    dict
        ``r, alpha, a, b, p, q, gamma`` (per week), ready for :func:`simulate_transactions`.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
    way: an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.
    """
    from ecrm_methods.clv import fit_bgnbd_mle, fit_gamma_gamma_mle
    from ecrm_methods.problems import load_problem

    X = load_problem("value", dataset).X
    bgnbd = fit_bgnbd_mle(X["frequency"], X["recency"], X["T"])
    spend = fit_gamma_gamma_mle(X["frequency"], X["monetary_value"])
    fitted = {name: float(bgnbd[name]) for name in BGNBD_PARAMETERS}
    fitted.update({name: float(spend[name]) for name in GAMMA_GAMMA_PARAMETERS})
    return fitted


# --------------------------------------------------------------------------------------------
# validation tools
# --------------------------------------------------------------------------------------------
def bgnbd_standard_errors(
    params: Mapping, frequency, recency, T, step: float = 1e-4
) -> dict[str, float]:
    """Asymptotic standard errors of BG/NBD maximum-likelihood estimates.

    The observed information is the negative Hessian of the summed log-likelihood
    (:func:`ecrm_methods.clv.bgnbd_log_likelihood`) at the optimum, computed by central
    differences in the log parameters; at a maximum the gradient is zero, so the delta method
    ``se(theta) = theta * se(log theta)`` is exact for the Hessian.

    Parameters
    ----------
    params : mapping
        The fitted ``r, alpha, a, b`` (the maximum-likelihood estimates).
    frequency, recency, T : array-like of shape (n_customers,)
        The calibration summary the parameters were fitted to.
    step : float, default=1e-4
        Finite-difference step on the log parameters.

    Returns
    -------
    dict
        ``r, alpha, a, b`` -> standard error, and ``covariance``: the 4 x 4 covariance matrix
        of ``(r, alpha, a, b)``.

    Raises
    ------
    ValueError
        If the Hessian is not negative definite (``params`` is not a maximum).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
    way: an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.
    """
    from ecrm_methods.clv import bgnbd_log_likelihood

    x = np.asarray(frequency, dtype=float)
    t_x = np.asarray(recency, dtype=float)
    T_arr = np.asarray(T, dtype=float)
    theta = np.log([float(params[name]) for name in BGNBD_PARAMETERS])

    def total(log_theta: np.ndarray) -> float:
        values = dict(zip(BGNBD_PARAMETERS, np.exp(log_theta), strict=True))
        return float(np.sum(bgnbd_log_likelihood(values, x, t_x, T_arr)))

    k = theta.size
    h = step
    center = total(theta)
    hessian = np.empty((k, k))
    for i in range(k):
        e_i = np.eye(k)[i] * h
        hessian[i, i] = (total(theta + e_i) - 2 * center + total(theta - e_i)) / h**2
        for j in range(i):
            e_j = np.eye(k)[j] * h
            hessian[i, j] = hessian[j, i] = (
                total(theta + e_i + e_j)
                - total(theta + e_i - e_j)
                - total(theta - e_i + e_j)
                + total(theta - e_i - e_j)
            ) / (4 * h**2)
    information = -hessian
    if np.any(np.linalg.eigvalsh(information) <= 0):
        raise ValueError(
            "the log-likelihood Hessian is not negative definite at params: pass the "
            "maximum-likelihood estimates (fit_bgnbd_mle) of this summary"
        )
    log_covariance = np.linalg.inv(information)
    scale = np.exp(theta)
    covariance = log_covariance * np.outer(scale, scale)
    errors = {name: float(np.sqrt(covariance[i, i])) for i, name in enumerate(BGNBD_PARAMETERS)}
    errors["covariance"] = covariance
    return errors


def bgnbd_purchase_count_probability(params: Mapping, t, x: int) -> np.ndarray:
    """Probability that a BG/NBD customer makes exactly ``x`` repeat purchases in ``(0, t]``.

    Parameters
    ----------
    params : mapping
        ``r, alpha, a, b``.
    t : float or array-like
        Time since the first purchase (``T`` of each customer).
    x : int
        Number of repeat purchases, >= 0.

    Returns
    -------
    ndarray
        ``P(X(t) = x)`` for each ``t``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
    way: an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284,
    equation (8).
    """
    r, alpha, a, b = (float(params[name]) for name in BGNBD_PARAMETERS)
    x = _check_count(x, "x", minimum=0)
    t = np.asarray(t, dtype=float)
    # the number of purchases of a customer who stays alive is NBD(r, alpha / (alpha + t))
    success = alpha / (alpha + t)
    alive = np.exp(betaln(a, b + x) - betaln(a, b)) * nbinom.pmf(x, r, success)
    if x == 0:
        return alive
    dropped = np.exp(betaln(a + 1, b + x - 1) - betaln(a, b)) * nbinom.sf(x - 1, r, success)
    return alive + dropped


def bgnbd_expected_count_histogram(params: Mapping, T, max_count: int) -> np.ndarray:
    """Expected number of customers with 0, 1, ..., ``max_count - 1`` and >= ``max_count``
    repeat purchases, given each customer's time since the first purchase.

    Parameters
    ----------
    params : mapping
        ``r, alpha, a, b``.
    T : array-like of shape (n_customers,)
        Each customer's time from the first purchase to the end of the observation period.
    max_count : int
        The last bin collects ``max_count`` or more repeat purchases.

    Returns
    -------
    ndarray of shape (max_count + 1,)
        Expected counts; they sum to ``n_customers``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
    way: an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284, figure 2
    (the calibration-period histogram) and equation (8).
    """
    max_count = _check_count(max_count, "max_count")
    T = np.asarray(T, dtype=float)
    expected = np.array(
        [bgnbd_purchase_count_probability(params, T, x).sum() for x in range(max_count)]
    )
    return np.append(expected, T.size - expected.sum())
