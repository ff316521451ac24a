"""The five eCRM problems and their datasets, as data ready for any estimator.

A *problem* (segmentation, churn, value, satisfaction, response) applied to a *dataset* gives a
:class:`ProblemData`: the feature table ``X`` with names, the target ``y``, near-duplicate
``groups`` for group-aware cross-validation, the column roles, typed per-problem fields (the
value windows, the RFM columns of a segmentation, the rating scale of a satisfaction problem,
the campaign economics, indicator groups and temporal split of a response problem), and :meth:`ProblemData.make_preprocessor`, which every method puts first in its own pipeline so
that imputation, scaling, one-hot encoding and TF-IDF are fitted inside the training folds only.

This module knows no method: which estimators run on a problem is the benchmark's business
(:mod:`ecrm_methods.benchmark.registry`).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ecrm_methods.datasets import CDNOW_CALIBRATION_END, CDNOW_HOLDOUT_END

__all__ = [
    "PROBLEMS",
    "CampaignEconomics",
    "ProblemData",
    "ProblemSpec",
    "RFMColumns",
    "TemporalSplit",
    "TimeWindows",
    "TrainingWindow",
    "available_pairs",
    "clear_problem_cache",
    "customer_personality_response_features",
    "load_problem",
    "online_shoppers_response_features",
    "pair_is_available",
    "required_datasets",
    "temporal_split_by_month",
    "with_campaign",
]

#: Bump when a builder changes what it produces, so cached benchmark results are recomputed.
BUILDER_VERSION = "2"

# Online Retail II + Online Retail: one year of calibration, one year of holdout.
RETAIL_CALIBRATION_END = "2010-11-30"
RETAIL_HOLDOUT_END = "2011-11-30"
# Online Retail churn: no purchase in the last 90 days of the log.
RETAIL_CHURN_WINDOW_DAYS = 90
DAYS_PER_WEEK = 7.0


# --------------------------------------------------------------------------------------------
# ProblemData
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RFMColumns:
    """Names of the recency, frequency and monetary columns of a segmentation table.

    ``recency`` is the marketing convention: days since the last purchase (lower is better).
    """

    recency: str = "recency_days"
    frequency: str = "frequency"
    monetary: str = "monetary"


@dataclass(frozen=True)
class TimeWindows:
    """Calibration and holdout windows of a problem built from a transaction log.

    Dates are compared as timestamps, as :func:`ecrm_methods.features.rfm_train_test_split`
    does: an ISO date means midnight at its start, so the calibration holds the purchases
    ``<= calibration_end`` and the holdout those ``> calibration_end`` and ``<= holdout_end``.
    On logs with dates only (CDNOW) that is "up to and including the day"; on logs with times
    of day (Online Retail) purchases made during ``calibration_end`` fall in the holdout.

    Attributes
    ----------
    calibration_end : str
        End of the calibration period (ISO date); features use purchases up to it.
    holdout_end : str
        End of the holdout period (ISO date); targets come from purchases after
        ``calibration_end`` up to it.
    time_unit : str
        Unit of ``recency``, ``T`` and ``holdout_length``: ``"weeks"`` (churn and value, days
        divided by 7) or ``"days"`` (segmentation).
    holdout_length : float
        Length of the holdout period in ``time_unit``.
    calibration_start : str or None
        First day of the log (ISO date), where the calibration period starts; None when not
        recorded.
    """

    calibration_end: str
    holdout_end: str
    time_unit: str
    holdout_length: float
    calibration_start: str | None = None


@dataclass(frozen=True, eq=False)
class TrainingWindow:
    """An earlier window of the calibration period for training supervised value models.

    BTYD models (BG/NBD, Gamma-Gamma) are fitted on the calibration summary of the training
    customers and never see a holdout purchase. A supervised regressor needs targets; taking
    them from the holdout of other customers would teach it the holdout period's purchase level,
    which the BTYD models cannot see. So supervised models learn the same task one step
    earlier: features from the purchases up to ``training_cut``, targets from the purchases
    after it up to ``target_end`` (the calibration end). Every model then forecasts the test
    customers' holdout from their calibration features (``ProblemData.X``), and no value model
    sees any customer's holdout.

    The target window is shorter than the holdout because it has to fit inside the calibration
    period with some purchase history before it: the cut is the midpoint of the calibration
    period (first day of the log to the calibration end), so on CDNOW the 39-week calibration
    gives about 19.4 weeks of features and 19.4 weeks of targets, against a 39-week holdout.
    Supervised models must therefore bridge the horizons: train on per-week rates
    ``y / length`` and multiply their predictions by ``ProblemData.holdout_length``. That
    assumes a stationary purchase rate, which the BTYD models do not; it is the cost of keeping
    the holdout unseen, and it is the same for every supervised model.

    Dates are compared as timestamps (see :class:`TimeWindows`): features use purchases
    ``<= training_cut``, targets those ``> training_cut`` and ``<= target_end``.

    Attributes
    ----------
    training_cut : str
        End of the feature history (ISO date).
    target_end : str
        End of the target window (ISO date): the calibration end, never later.
    time_unit : str
        Unit of ``recency``, ``T`` and ``length`` (``"weeks"``, days divided by 7).
    length : float
        Length of the target window ``(training_cut, target_end]`` in ``time_unit``.
    rows : ndarray of int
        Positions in ``ProblemData.X`` (and ``ProblemData.y``, ``customer_id``) of the
        customers with a purchase on or before ``training_cut``, in the order of ``X`` below.
        Cross-validation uses it to keep the training window of the training-fold customers
        only.
    X : pandas.DataFrame
        Those customers' features at the training cut, index ``0..len(rows)-1``: the columns of
        ``ProblemData.X`` (``frequency, recency, T, monetary_value``) with the same meaning,
        measured at ``training_cut`` instead of the calibration end.
    y : pandas.DataFrame
        ``test_frequency`` (repeat purchase days) and ``test_spend`` in
        ``(training_cut, target_end]``, aligned with ``X``.
    """

    training_cut: str
    target_end: str
    time_unit: str
    length: float
    rows: np.ndarray
    X: pd.DataFrame
    y: pd.DataFrame


@dataclass(frozen=True)
class CampaignEconomics:
    """What one contact costs and what one response brings in, for a response campaign.

    With one cost and one revenue for everybody, the profit of contacting a set of customers is
    ``response_revenue * responders - contact_cost * contacted``, so ranking the customers by
    score and contacting the top ones is already the best selection; only the depth is open.

    Attributes
    ----------
    contact_cost : float
        Cost of contacting one customer (positive).
    response_revenue : float
        Revenue of one response (larger than ``contact_cost``: otherwise no contact can pay).
    source : str
        Where the figures come from (published with the data, or an assumption).
    """

    contact_cost: float
    response_revenue: float
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("contact_cost", "response_revenue"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}.")
            if not np.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
        if self.response_revenue <= self.contact_cost:
            raise ValueError(
                f"response_revenue ({self.response_revenue}) must exceed contact_cost "
                f"({self.contact_cost}); otherwise even a certain responder does not pay for "
                "the contact and every campaign loses money."
            )

    @property
    def breakeven_rate(self) -> float:
        """Response rate at which a contact pays for itself: ``contact_cost / response_revenue``."""
        return float(self.contact_cost) / float(self.response_revenue)


@dataclass(frozen=True, eq=False)
class TemporalSplit:
    """One train/test split along time: train on the earlier periods, test on the later ones.

    Attributes
    ----------
    train, test : ndarray of int
        Row positions in ``ProblemData.X`` of the training and the test rows.
    train_periods, test_periods : tuple of str
        The periods (months) of each side, in time order.
    description : str
        One line for the leaderboard.
    """

    train: np.ndarray
    test: np.ndarray
    train_periods: tuple[str, ...]
    test_periods: tuple[str, ...]
    description: str = ""


@dataclass
class ProblemData:
    """Everything a method needs to be fitted and scored on one (problem, dataset) pair.

    Attributes
    ----------
    problem, dataset : str
    X : pandas.DataFrame
        Features with names, one row per customer (or review).
    y : pandas.Series, pandas.DataFrame or None
        Target: churn 0/1, the rating, ``[test_frequency, test_spend]`` for value, None for
        segmentation.
    groups : ndarray or None
        Near-duplicate group id of each row; rows of one group always share a fold.
    numeric_features, categorical_features, text_features : list of str
        Column roles used by :meth:`make_preprocessor`.
    description : str
        One line: what the rows, the features and the target are.
    duplicates : dict
        The duplicate report of the feature table
        (:func:`ecrm_methods.evaluation.duplicate_report`).
    customer_id : ndarray or None
        Customer id of each row, where rows are customers.
    windows : TimeWindows or None
        Calibration / holdout windows (problems built from a transaction log: churn, value,
        and segmentation on CDNOW and Online Retail).
    training_window : TrainingWindow or None
        Value: the earlier window (features at a training cut inside the calibration period,
        targets up to the calibration end) on which supervised value models are trained, so
        that no value model sees any customer's holdout.
    holdout_spend : ndarray or None
        Segmentation built from a transaction log: each customer's spend in the holdout window
        (0 if none), aligned with the rows of ``X``; never a feature, only for judging how
        well segments separate the customers' future.
    holdout_churn : ndarray or None
        Segmentation built from a transaction log: 1 if the customer made no purchase in the
        holdout window, else 0, aligned with the rows of ``X``.
    campaign : CampaignEconomics or None
        Response: the cost of a contact and the revenue of a response the campaign profit is
        computed with.
    temporal_split : TemporalSplit or None
        Response on data with a time axis: the split that trains on the earlier periods and
        tests on the later ones (the benchmark's headline split when present).
    feature_groups : dict of str to tuple of str
        Response: the columns of ``X`` by indicator group (demographics, behaviour, value,
        earlier campaigns, visit context), in the order of the B2C indicator system.
    reference_date : str or None
        Response on Customer Personality: the data's own reference date (ISO date, the latest
        enrolment day in the file) that ages and tenures are measured at, never today.
    rfm_columns : RFMColumns or None
        Segmentation: the recency, frequency and monetary columns of ``profile``.
    revenue : ndarray or None
        Segmentation: each customer's total spend (for the revenue share of segments).
    profile : pandas.DataFrame or None
        Segmentation: the unscaled customer table ``X`` was made from.
    rating_scale : tuple of int or None
        Satisfaction: the lowest and highest rating.
    low_ratings : tuple of int or None
        Satisfaction: the ratings that count as dissatisfied (for ROC-AUC of low ratings).
    group_max_differences : int or None
        Rows differing in at most this many columns share a ``groups`` id.
    excluded_columns : tuple of str
        Columns of the raw data deliberately never used as features (leakage), with the reason
        in ``description``.
    extra : dict
        Free-form notes; no code depends on its keys.
    checksum : str
        sha256 of the dataset files and the builder version; part of every cache key.
    """

    problem: str
    dataset: str
    X: pd.DataFrame
    y: pd.Series | pd.DataFrame | None
    groups: np.ndarray | None = None
    numeric_features: list[str] = field(default_factory=list)
    categorical_features: list[str] = field(default_factory=list)
    text_features: list[str] = field(default_factory=list)
    description: str = ""
    duplicates: dict = field(default_factory=dict)
    customer_id: np.ndarray | None = None
    windows: TimeWindows | None = None
    rfm_columns: RFMColumns | None = None
    revenue: np.ndarray | None = None
    profile: pd.DataFrame | None = None
    rating_scale: tuple[int, int] | None = None
    low_ratings: tuple[int, ...] | None = None
    group_max_differences: int | None = None
    excluded_columns: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)
    checksum: str = ""
    training_window: TrainingWindow | None = None
    holdout_spend: np.ndarray | None = None
    holdout_churn: np.ndarray | None = None
    campaign: CampaignEconomics | None = None
    temporal_split: TemporalSplit | None = None
    feature_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reference_date: str | None = None

    @property
    def holdout_length(self) -> float:
        """Length of the holdout window in ``windows.time_unit``.

        Raises
        ------
        ValueError
            When the pair has no calibration / holdout windows.
        """
        if self.windows is None:
            raise ValueError(
                f"{self.problem}/{self.dataset} has no calibration/holdout windows; only value "
                "problems and churn problems built from a transaction log have them."
            )
        return self.windows.holdout_length

    def describe_windows(self) -> str:
        """The time windows of the pair, one line each, for the leaderboard.

        Returns
        -------
        str
            Lines ``calibration: ...``, ``holdout: ...`` and, for value problems,
            ``training cut: ...`` and ``training target window: ...``, joined by newlines; the
            empty string when the pair has no time windows (no time axis).
        """
        windows = self.windows
        if windows is None:
            return ""
        unit = windows.time_unit
        start = f"{windows.calibration_start} .. " if windows.calibration_start else "up to "
        lines = [
            f"calibration: {start}{windows.calibration_end} (features of every method)",
            f"holdout: after {windows.calibration_end} .. {windows.holdout_end} "
            f"({windows.holdout_length:.4g} {unit}; scored, never seen by any method)",
        ]
        training = self.training_window
        if training is not None:
            lines += [
                f"training cut: {training.training_cut} ({len(training.rows)} of {len(self.X)} "
                "customers have a purchase on or before it; supervised features at the cut)",
                f"training target window: after {training.training_cut} .. "
                f"{training.target_end} ({training.length:.4g} {training.time_unit}; "
                "targets of supervised models, as per-unit rates scaled to the holdout)",
            ]
        return "\n".join(lines)

    @property
    def n_samples(self) -> int:
        """Number of rows of ``X``."""
        return len(self.X)

    def make_preprocessor(
        self,
        scale: bool = True,
        text_max_features: int = 20000,
        text_svd_components: int | None = None,
        sparse_output: bool = True,
    ) -> ColumnTransformer:
        """A fresh, unfitted preprocessing step for this pair's columns.

        Numerics: median imputation then standardization; categoricals: most-frequent
        imputation then one-hot (unknown categories ignored); each text column: TF-IDF of word
        uni- and bi-grams (optionally reduced by truncated SVD to a dense block).

        Parameters
        ----------
        scale : bool, default=True
            Standardize numeric columns.
        text_max_features : int, default=20000
            Vocabulary size of each TF-IDF.
        text_svd_components : int or None, default=None
            Reduce each TF-IDF block to this many SVD components (for estimators that need dense
            input, such as histogram gradient boosting).
        sparse_output : bool, default=True
            Allow a sparse result (set False for estimators that need a dense array).

        Returns
        -------
        sklearn.compose.ColumnTransformer
        """
        transformers = []
        if self.numeric_features:
            steps = [SimpleImputer(strategy="median")]
            if scale:
                steps.append(StandardScaler())
            transformers.append(("numeric", make_pipeline(*steps), list(self.numeric_features)))
        if self.categorical_features:
            transformers.append(
                (
                    "categorical",
                    make_pipeline(
                        SimpleImputer(strategy="most_frequent"),
                        OneHotEncoder(handle_unknown="ignore", sparse_output=sparse_output),
                    ),
                    list(self.categorical_features),
                )
            )
        for column in self.text_features:
            steps = [
                TfidfVectorizer(
                    max_features=text_max_features,
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                )
            ]
            if text_svd_components:
                steps.append(TruncatedSVD(n_components=text_svd_components, random_state=0))
            transformers.append((f"text_{column}", make_pipeline(*steps), column))
        if not transformers:
            raise ValueError(
                f"{self.problem}/{self.dataset}: no numeric, categorical or text columns to "
                "preprocess."
            )
        return ColumnTransformer(
            transformers,
            remainder="drop",
            sparse_threshold=0.3 if sparse_output else 0.0,
            verbose_feature_names_out=True,
        )


# --------------------------------------------------------------------------------------------
# Problem registry
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemSpec:
    """A problem: its task type, datasets, and which raw datasets each pair needs."""

    name: str
    task: str
    description: str
    datasets: tuple[str, ...]
    requires: dict = field(hash=False, compare=False, default_factory=dict)


#: The five eCRM problems by name: task type, description and the datasets each runs on.
PROBLEMS: dict[str, ProblemSpec] = {
    "segmentation": ProblemSpec(
        "segmentation",
        "clustering",
        "customer segmentation (客户细分) on RFM and spending profiles",
        ("online-retail", "cdnow", "customer-personality"),
        {
            "online-retail": ("online-retail",),
            "cdnow": ("cdnow",),
            "customer-personality": ("customer-personality",),
        },
    ),
    "churn": ProblemSpec(
        "churn",
        "binary",
        "churn and retention analysis (客户流失和保持分析)",
        ("ecommerce-churn", "cdnow", "online-retail", "telco-churn"),
        {
            "ecommerce-churn": ("ecommerce-churn",),
            "cdnow": ("cdnow",),
            "online-retail": ("online-retail",),
            "telco-churn": ("telco-churn",),
        },
    ),
    "value": ProblemSpec(
        "value",
        "value",
        "customer value (价值客户判断): holdout repeat purchases and spend",
        ("cdnow-sample", "cdnow", "online-retail-ii"),
        {
            "cdnow-sample": ("cdnow-sample",),
            "cdnow": ("cdnow",),
            "online-retail-ii": ("online-retail-ii", "online-retail"),
        },
    ),
    "satisfaction": ProblemSpec(
        "satisfaction",
        "ordinal",
        "customer satisfaction (客户满意度分析): ratings from reviews and profiles",
        ("clothing-reviews", "ecommerce-churn"),
        {
            "clothing-reviews": ("clothing-reviews",),
            "ecommerce-churn": ("ecommerce-churn",),
        },
    ),
    "response": ProblemSpec(
        "response",
        "binary",
        "campaign response (响应者): who will respond, and how deep the campaign should go",
        ("customer-personality", "online-shoppers"),
        {
            "customer-personality": ("customer-personality",),
            "online-shoppers": ("online-shoppers",),
        },
    ),
}


def _check_pair(problem: str, dataset: str) -> ProblemSpec:
    if problem not in PROBLEMS:
        raise ValueError(f"unknown problem {problem!r}; valid problems: {list(PROBLEMS)}.")
    spec = PROBLEMS[problem]
    if dataset not in spec.datasets:
        raise ValueError(
            f"unknown dataset {dataset!r} for problem {problem!r}; valid datasets: "
            f"{list(spec.datasets)}."
        )
    return spec


def required_datasets(problem: str, dataset: str) -> tuple[str, ...]:
    """Names of the raw datasets (see :mod:`ecrm_methods.datasets`) a pair is built from."""
    return tuple(_check_pair(problem, dataset).requires.get(dataset, (dataset,)))


def pair_is_available(problem: str, dataset: str) -> bool:
    """Whether every raw dataset the pair needs is in the data home (or embedded)."""
    from ecrm_methods import datasets as ds

    return all(ds.is_available(name) for name in required_datasets(problem, dataset))


def available_pairs(problem: str | None = None) -> list[tuple[str, str]]:
    """The (problem, dataset) pairs whose data is available on this machine.

    Parameters
    ----------
    problem : str or None
        Restrict to one problem.

    Returns
    -------
    list of (problem, dataset)
    """
    problems = [problem] if problem is not None else list(PROBLEMS)
    pairs = []
    for name in problems:
        if name not in PROBLEMS:
            raise ValueError(f"unknown problem {name!r}; valid problems: {list(PROBLEMS)}.")
        pairs.extend((name, d) for d in PROBLEMS[name].datasets if pair_is_available(name, d))
    return pairs


def dataset_checksum(problem: str, dataset: str) -> str:
    """sha256 over the pair's dataset files and :data:`BUILDER_VERSION` (the cache identity)."""
    from ecrm_methods import datasets as ds

    digest = hashlib.sha256(f"{problem}/{dataset}/builder-{BUILDER_VERSION}".encode())
    for name in required_datasets(problem, dataset):
        for file in ds.dataset_info(name).files:
            digest.update(str(getattr(file, "sha256", file)).encode())
    return digest.hexdigest()


_CACHE: dict[tuple[str, str], ProblemData] = {}
_CACHE_LOCK = threading.Lock()


def load_problem(problem: str, dataset: str) -> ProblemData:
    """Build (or fetch from the per-process cache) the data of one (problem, dataset) pair.

    Parameters
    ----------
    problem : {"segmentation", "churn", "value", "satisfaction", "response"}
    dataset : str
        One of ``PROBLEMS[problem].datasets``.

    Returns
    -------
    ProblemData
        Shared per process: treat it as read-only.

    Raises
    ------
    ValueError
        Unknown problem or dataset (the message lists the valid names).
    """
    _check_pair(problem, dataset)
    key = (problem, dataset)
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
    data = _BUILDERS[key]()
    data.checksum = dataset_checksum(problem, dataset)
    with _CACHE_LOCK:
        _CACHE[key] = data
    return data


def clear_problem_cache() -> None:
    """Forget every ProblemData built in this process."""
    with _CACHE_LOCK:
        _CACHE.clear()


def with_campaign(data: ProblemData, contact_cost: float, response_revenue: float) -> ProblemData:
    """A copy of a response problem with other campaign economics.

    Online Shoppers publishes no cost or revenue (the default is an assumption, see
    :data:`ONLINE_SHOPPERS_CAMPAIGN`); this is how to judge a campaign with your own figures.

    Parameters
    ----------
    data : ProblemData
        A response problem (``load_problem("response", ...)``).
    contact_cost, response_revenue : float
        Cost of one contact and revenue of one response (revenue > cost > 0).

    Returns
    -------
    ProblemData
        A shallow copy (same X, y, splits) whose ``campaign`` holds the new figures.

    Raises
    ------
    ValueError
        When ``data`` is not a response problem or the figures are invalid.
    """
    import dataclasses

    if not isinstance(data, ProblemData) or data.problem != "response":
        got = data.problem if isinstance(data, ProblemData) else type(data).__name__
        raise ValueError(f"with_campaign needs a response problem, got {got!r}.")
    campaign = CampaignEconomics(
        contact_cost=contact_cost,
        response_revenue=response_revenue,
        source=f"set by the user (contact cost {contact_cost:g}, revenue {response_revenue:g})",
    )
    return dataclasses.replace(data, campaign=campaign)


# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


def _roles(frame: pd.DataFrame, text: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    numeric = [
        c for c in frame.columns if c not in text and pd.api.types.is_numeric_dtype(frame[c])
    ]
    categorical = [c for c in frame.columns if c not in text and c not in numeric]
    return numeric, categorical


def _duplicates(frame: pd.DataFrame, group_max_differences: int | None) -> tuple[dict, Any]:
    """Duplicate report of a feature table and, when asked, near-duplicate group ids."""
    from ecrm_methods.evaluation import duplicate_report, near_duplicate_groups

    report = duplicate_report(frame)
    groups = None
    if group_max_differences is not None:
        groups = np.asarray(near_duplicate_groups(frame, max_diff=group_max_differences))
    return dict(report), groups


def _log_scaled(frame: pd.DataFrame) -> pd.DataFrame:
    logged = np.log1p(frame.clip(lower=0))
    return (logged - logged.mean()) / logged.std(ddof=0).replace(0, 1)


def _first_day(transactions: pd.DataFrame, date_col: str = "date") -> str:
    """First day of a transaction log (ISO date)."""
    return pd.Timestamp(transactions[date_col].min()).strftime("%Y-%m-%d")


def _segmentation_from_transactions(
    dataset: str,
    transactions: pd.DataFrame,
    amount_col: str,
    calibration_end: str,
    holdout_end: str,
    source: str,
) -> ProblemData:
    """Segmentation on calibration-period RFM, with each customer's holdout as the yardstick.

    The customers are those with a purchase in the calibration period (positive total spend);
    ``X``, ``profile``, ``revenue`` and ``rfm_columns`` come from the calibration purchases
    only (:func:`ecrm_methods.features.rfm_table` at ``calibration_end``), and
    ``holdout_spend`` / ``holdout_churn`` from the purchases in the holdout window, split with
    the same timestamp comparison as :func:`ecrm_methods.features.rfm_train_test_split` so that
    the windows are exactly those of the churn problem on the same log.
    """
    from ecrm_methods.features import rfm_table

    calibration_stamp, holdout_stamp = pd.Timestamp(calibration_end), pd.Timestamp(holdout_end)
    dates = transactions["date"]
    calibration = transactions.loc[dates <= calibration_stamp]
    holdout = transactions.loc[(dates > calibration_stamp) & (dates <= holdout_stamp)]
    rfm = rfm_table(
        calibration, "customer_id", "date", amount_col, observation_period_end=calibration_end
    ).astype(float)
    rfm = rfm[rfm["monetary"] > 0]
    holdout_spend = (
        holdout.groupby("customer_id")[amount_col].sum().reindex(rfm.index, fill_value=0.0)
    )
    holdout_churn = (~rfm.index.isin(holdout["customer_id"].unique())).astype(int)
    X = _log_scaled(rfm).reset_index(drop=True)
    report, _ = _duplicates(rfm.reset_index(drop=True), None)
    return ProblemData(
        problem="segmentation",
        dataset=dataset,
        X=X,
        y=None,
        groups=None,
        numeric_features=list(X.columns),
        description=f"{source}: standardized log(1 + x) of days since the last purchase, "
        f"purchase days and total spend per customer, from purchases up to {calibration_end}; "
        f"segments are judged on each customer's holdout (after {calibration_end} up to "
        f"{holdout_end}): share of holdout-spend variance between segments and the range of "
        "holdout churn rates",
        duplicates=report,
        customer_id=rfm.index.to_numpy(),
        windows=TimeWindows(
            calibration_end=str(calibration_end),
            holdout_end=str(holdout_end),
            time_unit="days",
            holdout_length=float((holdout_stamp - calibration_stamp).days),
            calibration_start=_first_day(transactions),
        ),
        rfm_columns=RFMColumns(),
        revenue=rfm["monetary"].to_numpy(),
        profile=rfm.reset_index(drop=True),
        holdout_spend=holdout_spend.to_numpy(dtype=float),
        holdout_churn=np.asarray(holdout_churn, dtype=int),
    )


def _retail_transactions(loader_name: str, **kwargs) -> pd.DataFrame:
    from ecrm_methods import datasets as ds
    from ecrm_methods.cleaning import clean_transactions, retail_transactions

    raw = getattr(ds, loader_name)(**kwargs)
    cleaned, _ = clean_transactions(raw)
    return retail_transactions(cleaned)


def _retail_churn_windows(transactions: pd.DataFrame) -> tuple[str, str]:
    """Online Retail calibration end and holdout end: the last RETAIL_CHURN_WINDOW_DAYS days.

    The holdout end is the day after the last day of the log, so that the purchases made
    during the last day (timestamps after midnight) are in the holdout.
    """
    last_day = transactions["date"].max().normalize()
    cutoff = last_day - pd.Timedelta(days=RETAIL_CHURN_WINDOW_DAYS)
    return (
        cutoff.strftime("%Y-%m-%d"),
        (last_day + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
    )


def _build_segmentation_online_retail() -> ProblemData:
    transactions = _retail_transactions("load_online_retail")
    calibration_end, holdout_end = _retail_churn_windows(transactions)
    return _segmentation_from_transactions(
        "online-retail",
        transactions,
        "amount",
        calibration_end,
        holdout_end,
        "Online Retail customers",
    )


def _build_segmentation_cdnow() -> ProblemData:
    from ecrm_methods.datasets import load_cdnow

    return _segmentation_from_transactions(
        "cdnow",
        load_cdnow(),
        "dollar_value",
        CDNOW_CALIBRATION_END,
        CDNOW_HOLDOUT_END,
        "CDNOW customers",
    )


MNT_COLUMNS = (
    "MntWines",
    "MntFruits",
    "MntMeatProducts",
    "MntFishProducts",
    "MntSweetProducts",
    "MntGoldProds",
)
CHANNEL_COLUMNS = ("NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases")


def _build_segmentation_customer_personality() -> ProblemData:
    from ecrm_methods.datasets import load_customer_personality

    raw = load_customer_personality()
    purchases = raw[list(CHANNEL_COLUMNS)].sum(axis=1)
    profile = pd.DataFrame(
        {
            "recency_days": raw["Recency"].astype(float),
            "frequency": purchases.astype(float),
            "monetary": raw[list(MNT_COLUMNS)].sum(axis=1).astype(float),
        }
    )
    spend = raw[list(MNT_COLUMNS)].astype(float)
    spend.columns = [c.replace("Mnt", "spend_").lower() for c in spend.columns]
    denominator = purchases.replace(0, np.nan)
    channel_mix = pd.DataFrame(
        {
            "share_web": raw["NumWebPurchases"] / denominator,
            "share_catalog": raw["NumCatalogPurchases"] / denominator,
            "share_store": raw["NumStorePurchases"] / denominator,
            "share_deals": (raw["NumDealsPurchases"] / denominator).clip(upper=1),
        }
    ).fillna(0.0)
    features = pd.concat([profile, spend], axis=1)
    logged = _log_scaled(features)
    mix = (channel_mix - channel_mix.mean()) / channel_mix.std(ddof=0).replace(0, 1)
    X = pd.concat([logged, mix], axis=1).reset_index(drop=True)
    id_free = raw.drop(columns=[c for c in ("ID",) if c in raw.columns])
    report, groups = _duplicates(id_free.reset_index(drop=True), 0)
    keep = profile["monetary"] > 0
    return ProblemData(
        problem="segmentation",
        dataset="customer-personality",
        X=X[keep.to_numpy()].reset_index(drop=True),
        y=None,
        groups=groups[keep.to_numpy()] if groups is not None else None,
        numeric_features=list(X.columns),
        description="Customer Personality: standardized log spend per category, RFM and "
        "the channel mix (web / catalog / store / deals shares); one snapshot with no time "
        "axis, so no holdout: judged by stability and internal indices only",
        duplicates=report,
        customer_id=raw["ID"][keep].to_numpy() if "ID" in raw else None,
        rfm_columns=RFMColumns(),
        revenue=profile["monetary"][keep].to_numpy(),
        profile=pd.concat([features, channel_mix], axis=1)[keep].reset_index(drop=True),
        group_max_differences=0,
    )


# -- churn -----------------------------------------------------------------------------------

ECOMMERCE_GROUP_MAX_DIFFERENCES = 2


def _build_churn_ecommerce() -> ProblemData:
    from ecrm_methods.datasets import load_ecommerce_churn

    raw = load_ecommerce_churn()
    X = raw.drop(columns=["CustomerID", "Churn"]).reset_index(drop=True)
    y = raw["Churn"].astype(int).reset_index(drop=True).rename("churn")
    report, groups = _duplicates(X, ECOMMERCE_GROUP_MAX_DIFFERENCES)
    numeric, categorical = _roles(X)
    return ProblemData(
        "churn",
        "ecommerce-churn",
        X,
        y,
        groups=groups,
        numeric_features=numeric,
        categorical_features=categorical,
        description="E Commerce churn: customer, service and spending attributes -> Churn",
        duplicates=report,
        group_max_differences=ECOMMERCE_GROUP_MAX_DIFFERENCES,
    )


def _build_churn_telco() -> ProblemData:
    from ecrm_methods.datasets import load_telco_churn

    raw = load_telco_churn()
    X = raw.drop(columns=["customerID", "Churn"]).reset_index(drop=True)
    if "TotalCharges" in X and not pd.api.types.is_numeric_dtype(X["TotalCharges"]):
        X["TotalCharges"] = pd.to_numeric(X["TotalCharges"], errors="coerce")
    churn = raw["Churn"]
    if not pd.api.types.is_numeric_dtype(churn):
        churn = churn.astype(str).str.strip().str.lower().isin(["yes", "1", "true"])
    y = churn.astype(int).reset_index(drop=True).rename("churn")
    report, _ = _duplicates(X, None)
    numeric, categorical = _roles(X)
    return ProblemData(
        "churn",
        "telco-churn",
        X,
        y,
        numeric_features=numeric,
        categorical_features=categorical,
        description="IBM Telco (off-domain reference)",
        duplicates=report,
    )


def _calibration_split(
    transactions: pd.DataFrame,
    amount_col: str,
    calibration_end: str,
    holdout_end: str | None,
) -> pd.DataFrame:
    """BTYD calibration/holdout summary in weeks (recency and T counted in days, scaled by 7)."""
    from ecrm_methods.features import rfm_train_test_split

    summary = rfm_train_test_split(
        transactions,
        customer_id_col="customer_id",
        datetime_col="date",
        train_period_end=calibration_end,
        test_period_end=holdout_end,
        freq="D",
        time_scaler=DAYS_PER_WEEK,
        monetary_value_col=amount_col,
    )
    return summary.reset_index(drop=True)


def _churn_from_transactions(
    dataset: str, transactions: pd.DataFrame, amount_col: str, calibration_end, holdout_end, text
) -> ProblemData:
    summary = _calibration_split(transactions, amount_col, calibration_end, holdout_end)
    X = summary[["frequency", "recency", "T", "monetary_value"]].astype(float)
    X = X.assign(weeks_since_last_purchase=summary["T"] - summary["recency"])
    y = summary["churned"].astype(int).rename("churn")
    report, _ = _duplicates(X, None)
    return ProblemData(
        "churn",
        dataset,
        X,
        y,
        numeric_features=list(X.columns),
        description=text,
        duplicates=report,
        customer_id=summary["customer_id"].to_numpy(),
        windows=TimeWindows(
            calibration_end=str(calibration_end),
            holdout_end=str(holdout_end),
            time_unit="weeks",
            holdout_length=float(summary["test_T"].max()),
            calibration_start=_first_day(transactions),
        ),
    )


def _build_churn_cdnow() -> ProblemData:
    from ecrm_methods.datasets import load_cdnow

    return _churn_from_transactions(
        "cdnow",
        load_cdnow(),
        "dollar_value",
        CDNOW_CALIBRATION_END,
        CDNOW_HOLDOUT_END,
        "CDNOW: no purchase in the 39-week holdout, from the 39-week calibration RFM",
    )


def _build_churn_online_retail() -> ProblemData:
    transactions = _retail_transactions("load_online_retail")
    calibration_end, holdout_end = _retail_churn_windows(transactions)
    return _churn_from_transactions(
        "online-retail",
        transactions,
        "amount",
        calibration_end,
        holdout_end,
        f"Online Retail: no purchase in the last {RETAIL_CHURN_WINDOW_DAYS} days, RFM from before",
    )


# -- value -----------------------------------------------------------------------------------


def _training_cut(calibration_start: str, calibration_end: str) -> str:
    """Midpoint of the calibration period, rounded down to a whole day (ISO date)."""
    start, end = pd.Timestamp(calibration_start), pd.Timestamp(calibration_end)
    return (start + pd.Timedelta(days=(end - start).days // 2)).strftime("%Y-%m-%d")


def _training_window(
    transactions: pd.DataFrame,
    amount_col: str,
    calibration_customers: np.ndarray,
    training_cut: str,
    calibration_end: str,
) -> TrainingWindow:
    """Features at ``training_cut`` and targets up to ``calibration_end``, aligned to X rows."""
    split = _calibration_split(transactions, amount_col, training_cut, calibration_end)
    rows = pd.Index(calibration_customers).get_indexer(split["customer_id"])
    if (rows < 0).any():  # cannot happen: the cut is inside the calibration period
        raise RuntimeError("training-window customers missing from the calibration summary")
    return TrainingWindow(
        training_cut=training_cut,
        target_end=str(calibration_end),
        time_unit="weeks",
        length=float(
            (pd.Timestamp(calibration_end) - pd.Timestamp(training_cut)).days / DAYS_PER_WEEK
        ),
        rows=rows.astype(np.int64),
        X=split[["frequency", "recency", "T", "monetary_value"]].astype(float),
        y=pd.DataFrame(
            {
                "test_frequency": split["test_frequency"].astype(float),
                "test_spend": split["test_spend"].astype(float),
            }
        ),
    )


def _value_from_transactions(
    dataset: str, transactions: pd.DataFrame, amount_col: str, calibration_end, holdout_end, text
) -> ProblemData:
    """Value problem: calibration summary, holdout targets and the supervised training window.

    ``X`` is the BTYD calibration summary (``frequency, recency, T, monetary_value`` in weeks)
    of every customer with a purchase up to ``calibration_end``; ``y`` their holdout repeat
    purchases and spend up to ``holdout_end``. BTYD models fit the training customers' ``X``.
    Supervised models are trained on ``training_window`` instead: the same customers' features
    at the training cut, the midpoint of the calibration period (first day of the log to
    ``calibration_end``, rounded down to a whole day; 1997-05-17 on CDNOW, 2010-06-01 on Online
    Retail II), with targets from the cut to ``calibration_end``. That target window is shorter
    than the holdout (about 19.4 weeks against 39 on CDNOW) because it has to fit inside the
    calibration period with a purchase history before it, so supervised models bridge the
    horizons: they are trained on per-week rates ``y / training_window.length`` and their
    predictions are multiplied by ``holdout_length``. No value model sees any holdout purchase.
    """
    summary = _calibration_split(transactions, amount_col, calibration_end, holdout_end)
    X = summary[["frequency", "recency", "T", "monetary_value"]].astype(float)
    y = pd.DataFrame(
        {
            "test_frequency": summary["test_frequency"].astype(float),
            "test_spend": summary["test_spend"].astype(float),
        }
    )
    report, _ = _duplicates(X, None)
    holdout_length = float(summary["test_T"].max())
    calibration_start = _first_day(transactions)
    training_window = _training_window(
        transactions,
        amount_col,
        summary["customer_id"].to_numpy(),
        _training_cut(calibration_start, calibration_end),
        calibration_end,
    )
    return ProblemData(
        "value",
        dataset,
        X,
        y,
        numeric_features=list(X.columns),
        description=text,
        duplicates=report,
        customer_id=summary["customer_id"].to_numpy(),
        windows=TimeWindows(
            calibration_end=str(calibration_end),
            holdout_end=str(holdout_end),
            time_unit="weeks",
            holdout_length=holdout_length,
            calibration_start=calibration_start,
        ),
        training_window=training_window,
    )


def _build_value_cdnow(sample: bool) -> ProblemData:
    from ecrm_methods.datasets import load_cdnow

    name = "cdnow-sample" if sample else "cdnow"
    return _value_from_transactions(
        name,
        load_cdnow(sample=sample),
        "dollar_value",
        CDNOW_CALIBRATION_END,
        CDNOW_HOLDOUT_END,
        f"CDNOW {'1/10th sample' if sample else 'full log'}: 39-week calibration, 39-week "
        "holdout; supervised models train on the calibration period cut in half",
    )


def _build_value_online_retail_ii() -> ProblemData:
    transactions = _retail_transactions("load_online_retail_ii", include_2010_2011=True)
    return _value_from_transactions(
        "online-retail-ii",
        transactions,
        "amount",
        RETAIL_CALIBRATION_END,
        RETAIL_HOLDOUT_END,
        "Online Retail II + Online Retail: one year calibration, one year holdout; "
        "supervised models train on the calibration period cut in half",
    )


# -- satisfaction ----------------------------------------------------------------------------


def _build_satisfaction_clothing() -> ProblemData:
    from ecrm_methods.datasets import load_clothing_reviews

    raw = load_clothing_reviews()
    columns = {c.lower().replace(" ", "_"): c for c in raw.columns}

    def col(name: str) -> str:
        key = name.lower().replace(" ", "_")
        if key not in columns:
            raise ValueError(
                f"clothing reviews: column {name!r} missing (have {list(raw.columns)})."
            )
        return columns[key]

    title = raw[col("Title")].fillna("").astype(str)
    body = raw[col("Review Text")].fillna("").astype(str)
    X = pd.DataFrame(
        {
            "review": (title + " " + body).str.strip(),
            "age": raw[col("Age")].astype(float),
            "positive_feedback_count": raw[col("Positive Feedback Count")].astype(float),
            "review_words": body.str.split().str.len().astype(float),
            "has_text": (body.str.len() > 0).astype(float),
            "division": raw[col("Division Name")].astype("object"),
            "department": raw[col("Department Name")].astype("object"),
            "class_name": raw[col("Class Name")].astype("object"),
        }
    ).reset_index(drop=True)
    # `Recommended IND` is deliberately never a feature: it is a restatement of the rating.
    y = raw[col("Rating")].astype(int).reset_index(drop=True).rename("rating")
    report, _ = _duplicates(X, None)
    return ProblemData(
        "satisfaction",
        "clothing-reviews",
        X,
        y,
        numeric_features=["age", "positive_feedback_count", "review_words", "has_text"],
        categorical_features=["division", "department", "class_name"],
        text_features=["review"],
        description="Women's clothing reviews: Rating 1-5 from title, text and product "
        "metadata (never `Recommended IND`, a restatement of the rating)",
        duplicates=report,
        rating_scale=(1, 5),
        low_ratings=(1, 2),
        excluded_columns=("Recommended IND",),
    )


def _build_satisfaction_ecommerce() -> ProblemData:
    from ecrm_methods.datasets import load_ecommerce_churn

    raw = load_ecommerce_churn()
    X = raw.drop(columns=["CustomerID", "SatisfactionScore"]).reset_index(drop=True)
    y = raw["SatisfactionScore"].astype(int).reset_index(drop=True).rename("satisfaction")
    # near-duplicate groups from the features only: a key with the target in it would split
    # rows identical in X but rated differently into different groups (and folds)
    report, groups = _duplicates(X, ECOMMERCE_GROUP_MAX_DIFFERENCES)
    numeric, categorical = _roles(X)
    return ProblemData(
        "satisfaction",
        "ecommerce-churn",
        X,
        y,
        groups=groups,
        numeric_features=numeric,
        categorical_features=categorical,
        description="E Commerce: SatisfactionScore 1-5 from the other attributes "
        "(Churn and Complain included)",
        duplicates=report,
        rating_scale=(1, 5),
        low_ratings=(1, 2),
        group_max_differences=ECOMMERCE_GROUP_MAX_DIFFERENCES,
    )


# -- response --------------------------------------------------------------------------------

#: Customer Personality columns the response features are made from (``ID`` and the target
#: ``Response`` besides).
CUSTOMER_PERSONALITY_COLUMNS = (
    "Year_Birth",
    "Education",
    "Marital_Status",
    "Income",
    "Kidhome",
    "Teenhome",
    "Dt_Customer",
    "Recency",
    *MNT_COLUMNS,
    "NumDealsPurchases",
    *CHANNEL_COLUMNS,
    "NumWebVisitsMonth",
    "AcceptedCmp1",
    "AcceptedCmp2",
    "AcceptedCmp3",
    "AcceptedCmp4",
    "AcceptedCmp5",
    "Complain",
)
#: Marital statuses with a handful of customers each: "Alone" is read as "Single"; "Absurd"
#: and "YOLO" (2 customers each) are not statuses and become missing (imputed in the folds).
MARITAL_STATUS_CLEANUP = {"Alone": "Single", "Absurd": None, "YOLO": None}
#: Ages above this at the reference date are recording errors (birth years 1893-1900 for three
#: customers) and become missing.
MAX_PLAUSIBLE_AGE = 100
EARLIER_CAMPAIGNS = ("AcceptedCmp1", "AcceptedCmp2", "AcceptedCmp3", "AcceptedCmp4", "AcceptedCmp5")


def _require_columns(raw: pd.DataFrame, columns, dataset: str) -> None:
    if not isinstance(raw, pd.DataFrame):
        raise TypeError(f"{dataset}: expected a pandas DataFrame, got {type(raw).__name__}.")
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise ValueError(
            f"{dataset}: columns {missing} are missing (have {list(raw.columns)}); load the file "
            "with ecrm_methods.datasets, which keeps the published column names."
        )


def customer_personality_response_features(
    raw: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]], pd.Timestamp]:
    """Customer Personality's customers as the B2C indicator system groups them.

    The reference date is the data's own: the latest enrolment day ``Dt_Customer`` in the
    file (2014-06-29 in the published copy). Ages and tenures are measured at it, never at
    today's date, so the features do not change with the day the code runs.

    Groups (the B2C customer-classification indicator system, plus the earlier campaigns):

    - **demographics**: ``age`` (reference year minus ``Year_Birth``; above
      :data:`MAX_PLAUSIBLE_AGE` missing), ``Education``, ``Marital_Status`` (cleaned with
      :data:`MARITAL_STATUS_CLEANUP`), ``Income`` (24 missing, kept missing), ``Kidhome``,
      ``Teenhome``;
    - **behaviour**: ``NumWebVisitsMonth``, purchases per channel (``NumWebPurchases``,
      ``NumCatalogPurchases``, ``NumStorePurchases``), ``NumDealsPurchases``, ``Recency``
      (days since the last purchase), ``tenure_days`` (reference date minus ``Dt_Customer``),
      ``Complain``;
    - **value**: spend per category (``Mnt*``), ``total_spend`` and ``spend_per_purchase``
      (total spend over purchases in all channels, missing for customers without a purchase);
    - **earlier_campaigns**: ``AcceptedCmp1..5`` and their sum ``earlier_acceptances``: known
      before the last campaign, whose acceptance ``Response`` is the target.

    ``ID``, the constant ``Z_CostContact`` / ``Z_Revenue`` (the campaign's economics, not
    features), ``Year_Birth`` and ``Dt_Customer`` (replaced by age and tenure) are not features.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table of :func:`ecrm_methods.datasets.load_customer_personality`.

    Returns
    -------
    X : pandas.DataFrame
        One row per customer, in the order of ``raw``, index ``0..n-1``.
    groups : dict of str to tuple of str
        The columns of ``X`` per indicator group.
    reference_date : pandas.Timestamp
        The latest ``Dt_Customer``.

    Raises
    ------
    ValueError
        A column is missing, or ``Dt_Customer`` has no valid date.
    """
    _require_columns(raw, CUSTOMER_PERSONALITY_COLUMNS, "customer-personality")
    raw = raw.reset_index(drop=True)
    enrolled = raw["Dt_Customer"]
    if not pd.api.types.is_datetime64_any_dtype(enrolled):
        enrolled = pd.to_datetime(enrolled, format="%d-%m-%Y", errors="coerce")
    if enrolled.isna().all():
        raise ValueError(
            "customer-personality: Dt_Customer holds no valid date, so there is no reference "
            "date to measure ages and tenures at; expected dd-mm-yyyy dates."
        )
    reference_date = pd.Timestamp(enrolled.max()).normalize()
    age = (reference_date.year - raw["Year_Birth"]).astype(float)
    age = age.where(age <= MAX_PLAUSIBLE_AGE)
    marital = raw["Marital_Status"].astype("object").replace(MARITAL_STATUS_CLEANUP)
    spend = raw[list(MNT_COLUMNS)].astype(float)
    purchases = raw[list(CHANNEL_COLUMNS)].sum(axis=1).astype(float)
    total_spend = spend.sum(axis=1)
    demographics = pd.DataFrame(
        {
            "age": age,
            "Education": raw["Education"].astype("object"),
            "Marital_Status": marital.where(marital.notna(), np.nan).astype("object"),
            "Income": raw["Income"].astype(float),
            "Kidhome": raw["Kidhome"].astype(float),
            "Teenhome": raw["Teenhome"].astype(float),
        }
    )
    behaviour = pd.DataFrame(
        {
            "NumWebVisitsMonth": raw["NumWebVisitsMonth"].astype(float),
            **{column: raw[column].astype(float) for column in CHANNEL_COLUMNS},
            "NumDealsPurchases": raw["NumDealsPurchases"].astype(float),
            "Recency": raw["Recency"].astype(float),
            "tenure_days": (reference_date - enrolled).dt.days.astype(float),
            "Complain": raw["Complain"].astype(float),
        }
    )
    value = spend.assign(
        total_spend=total_spend,
        spend_per_purchase=total_spend / purchases.where(purchases > 0),
    )
    campaigns = raw[list(EARLIER_CAMPAIGNS)].astype(float)
    campaigns = campaigns.assign(earlier_acceptances=campaigns.sum(axis=1))
    parts = {
        "demographics": demographics,
        "behaviour": behaviour,
        "value": value,
        "earlier_campaigns": campaigns,
    }
    X = pd.concat(list(parts.values()), axis=1)
    groups = {name: tuple(part.columns) for name, part in parts.items()}
    return X, groups, reference_date


def _constant(raw: pd.DataFrame, column: str, dataset: str) -> float:
    values = pd.unique(raw[column].dropna())
    if len(values) != 1:
        raise ValueError(
            f"{dataset}: {column} should hold one constant (the campaign's published figure), "
            f"got {len(values)} distinct values {sorted(values.tolist())[:5]}."
        )
    return float(values[0])


def _build_response_customer_personality() -> ProblemData:
    from ecrm_methods.datasets import load_customer_personality

    raw = load_customer_personality()
    X, groups, reference_date = customer_personality_response_features(raw)
    y = raw["Response"].astype(int).reset_index(drop=True).rename("response")
    campaign = CampaignEconomics(
        contact_cost=_constant(raw, "Z_CostContact", "customer-personality"),
        response_revenue=_constant(raw, "Z_Revenue", "customer-personality"),
        source="published with the data (Z_CostContact, Z_Revenue)",
    )
    # customers recorded twice under two IDs: identical features share a group (and a fold)
    report, duplicate_groups = _duplicates(X, 0)
    numeric, categorical = _roles(X)
    return ProblemData(
        "response",
        "customer-personality",
        X,
        y,
        groups=duplicate_groups,
        numeric_features=numeric,
        categorical_features=categorical,
        description="Customer Personality: accepted the last campaign (Response) from "
        "demographics, behaviour, value and the earlier campaigns, ages and tenures at the "
        f"data's reference date {reference_date:%Y-%m-%d} (the latest enrolment)",
        duplicates=report,
        customer_id=raw["ID"].to_numpy(),
        group_max_differences=0,
        excluded_columns=("ID", "Z_CostContact", "Z_Revenue", "Year_Birth", "Dt_Customer"),
        campaign=campaign,
        feature_groups=groups,
        reference_date=f"{reference_date:%Y-%m-%d}",
    )


#: Month names of Online Shoppers; the file abbreviates every month but June.
MONTH_NUMBERS = {
    "Jan": 1,
    "Feb": 2,
    "Mar": 3,
    "Apr": 4,
    "May": 5,
    "Jun": 6,
    "June": 6,
    "Jul": 7,
    "Aug": 8,
    "Sep": 9,
    "Oct": 10,
    "Nov": 11,
    "Dec": 12,
}
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: The temporal split of Online Shoppers: train on the months before November, test on
#: November and December.
ONLINE_SHOPPERS_TEST_MONTHS = (11, 12)
#: No cost or revenue is published for Online Shoppers. The default assumption reuses Customer
#: Personality's figures (a contact costs 3, a response brings 11), so both datasets are judged
#: on one scale; a contact pays for itself at a response rate of 3 / 11 = 27 %, against a base
#: purchase rate of 15.5 %. Change them with :func:`with_campaign` or the benchmark's campaign
#: option.
ONLINE_SHOPPERS_CAMPAIGN = CampaignEconomics(
    contact_cost=3.0,
    response_revenue=11.0,
    source="assumed (none published): Customer Personality's contact cost 3 and revenue 11",
)
ONLINE_SHOPPERS_PAGES = (
    "Administrative",
    "Administrative_Duration",
    "Informational",
    "Informational_Duration",
    "ProductRelated",
    "ProductRelated_Duration",
    "BounceRates",
    "ExitRates",
    "PageValues",
)
ONLINE_SHOPPERS_DURATIONS = (
    "Administrative_Duration",
    "Informational_Duration",
    "ProductRelated_Duration",
)
ONLINE_SHOPPERS_CODES = ("OperatingSystems", "Browser", "Region", "TrafficType")


def month_numbers(months: pd.Series) -> pd.Series:
    """Month names as numbers 1-12 (``"June"`` spelled out and the usual abbreviations).

    Raises
    ------
    ValueError
        For a name that is not a month (the message lists them).
    """
    names = months.astype(str).str.strip()
    numbers = names.map(MONTH_NUMBERS)
    unknown = sorted(names[numbers.isna()].unique().tolist())
    if unknown:
        raise ValueError(
            f"Month holds {unknown}, which are not month names; expected one of "
            f"{sorted(MONTH_NUMBERS, key=MONTH_NUMBERS.get)}."
        )
    return numbers.astype(int)


def online_shoppers_response_features(
    raw: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]], pd.Series]:
    """Online Shoppers sessions as behaviour indicators, with each session's month.

    - **behaviour**: page counts and durations per page type, ``BounceRates``, ``ExitRates``,
      ``PageValues`` (the B2C system's time on site and page views). Durations of ``-1`` (33
      sessions, as published) are not durations and become missing; the 14 sessions with
      missing page counts stay missing. Both are imputed inside the training folds.
    - **visit_context**: ``Month`` (``"June"`` written ``"Jun"`` like the other months),
      ``SpecialDay``, ``Weekend`` (0/1), ``VisitorType`` and the codes ``OperatingSystems``,
      ``Browser``, ``Region``, ``TrafficType`` (categories, not numbers).

    ``Month`` is known when a session happens, so it is a feature, as in the published results
    (gradient boosting reaches ROC-AUC 0.93 on random folds with it, 0.91 without). On the
    temporal split the test months November and December never occur in training: the one-hot
    encoder maps them to no known month, so a model can use no month effect there, which is
    part of what the temporal split measures. There are no demographics or spend indicators in
    this data. Duplicate sessions (119 exact copies, mostly one-page bounces of different
    visitors) are kept: they are distinct sessions, and nothing is resampled.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table of :func:`ecrm_methods.datasets.load_online_shoppers`.

    Returns
    -------
    X : pandas.DataFrame
        One row per session, in the order of ``raw``, index ``0..n-1``.
    groups : dict of str to tuple of str
        The columns of ``X`` per indicator group.
    month : pandas.Series of int
        Each session's month, 1-12.

    Raises
    ------
    ValueError
        A column is missing or ``Month`` holds a value that is not a month.
    """
    columns = (*ONLINE_SHOPPERS_PAGES, "SpecialDay", "Weekend", "VisitorType", "Month")
    _require_columns(raw, (*columns, *ONLINE_SHOPPERS_CODES), "online-shoppers")
    raw = raw.reset_index(drop=True)
    month = month_numbers(raw["Month"]).rename("month")
    behaviour = raw[list(ONLINE_SHOPPERS_PAGES)].astype(float)
    for column in ONLINE_SHOPPERS_DURATIONS:
        behaviour[column] = behaviour[column].where(behaviour[column] >= 0)
    context = pd.DataFrame(
        {
            "Month": month.map(lambda number: _MONTH_NAMES[number - 1]).astype("object"),
            "SpecialDay": raw["SpecialDay"].astype(float),
            "Weekend": raw["Weekend"].astype(float),
            "VisitorType": raw["VisitorType"].astype("object"),
            **{
                column: raw[column].map(lambda code, c=column: f"{c}_{code}").astype("object")
                for column in ONLINE_SHOPPERS_CODES
            },
        }
    )
    X = pd.concat([behaviour, context], axis=1)
    groups = {"behaviour": tuple(behaviour.columns), "visit_context": tuple(context.columns)}
    return X, groups, month


def temporal_split_by_month(month: pd.Series, test_months=ONLINE_SHOPPERS_TEST_MONTHS):
    """Train on the months before the first test month, test on ``test_months``.

    Parameters
    ----------
    month : pandas.Series of int
        Each row's month, 1-12 (:func:`month_numbers`).
    test_months : sequence of int, default=(11, 12)
        The test months; every earlier month trains, none after the first test month.

    Returns
    -------
    TemporalSplit

    Raises
    ------
    ValueError
        When a side is empty, or a month later than the first test month is not a test month.
    """
    month = pd.Series(month).reset_index(drop=True)
    test_months = tuple(sorted(int(m) for m in test_months))
    if not test_months or not set(test_months) <= set(range(1, 13)):
        raise ValueError(f"test_months must be months 1-12, got {test_months}.")
    first = test_months[0]
    stray = sorted(set(month[(month > first) & ~month.isin(test_months)].unique().tolist()))
    if stray:
        raise ValueError(
            f"months {stray} come after the first test month {first} but are not test months; "
            "a temporal split trains only on earlier months."
        )
    is_test = month.isin(test_months).to_numpy()
    train, test = np.flatnonzero(~is_test), np.flatnonzero(is_test)
    if train.size == 0 or test.size == 0:
        raise ValueError(
            f"the temporal split with test months {test_months} leaves {train.size} training "
            f"and {test.size} test rows; both sides need rows."
        )
    train_periods = tuple(_MONTH_NAMES[m - 1] for m in sorted(month.iloc[train].unique()))
    test_periods = tuple(_MONTH_NAMES[m - 1] for m in sorted(month.iloc[test].unique()))
    return TemporalSplit(
        train=train,
        test=test,
        train_periods=train_periods,
        test_periods=test_periods,
        description=f"train on {', '.join(train_periods)} ({train.size:,} rows), test on "
        f"{', '.join(test_periods)} ({test.size:,} rows)",
    )


def _build_response_online_shoppers() -> ProblemData:
    from ecrm_methods.datasets import load_online_shoppers

    raw = load_online_shoppers()
    X, groups, month = online_shoppers_response_features(raw)
    y = raw["Revenue"].astype(int).reset_index(drop=True).rename("response")
    report, _ = _duplicates(X, None)
    numeric, categorical = _roles(X)
    split = temporal_split_by_month(month)
    return ProblemData(
        "response",
        "online-shoppers",
        X,
        y,
        numeric_features=numeric,
        categorical_features=categorical,
        description="Online Shoppers: the session ends in a purchase (Revenue) from its "
        "behaviour indicators and visit context; temporal split "
        f"({split.description}) and stratified random folds",
        duplicates=report,
        campaign=ONLINE_SHOPPERS_CAMPAIGN,
        temporal_split=split,
        feature_groups=groups,
        extra={"month": month.to_numpy()},
    )


_BUILDERS: dict[tuple[str, str], Callable[[], ProblemData]] = {
    ("segmentation", "online-retail"): _build_segmentation_online_retail,
    ("segmentation", "cdnow"): _build_segmentation_cdnow,
    ("segmentation", "customer-personality"): _build_segmentation_customer_personality,
    ("churn", "ecommerce-churn"): _build_churn_ecommerce,
    ("churn", "cdnow"): _build_churn_cdnow,
    ("churn", "online-retail"): _build_churn_online_retail,
    ("churn", "telco-churn"): _build_churn_telco,
    ("value", "cdnow-sample"): lambda: _build_value_cdnow(sample=True),
    ("value", "cdnow"): lambda: _build_value_cdnow(sample=False),
    ("value", "online-retail-ii"): _build_value_online_retail_ii,
    ("satisfaction", "clothing-reviews"): _build_satisfaction_clothing,
    ("satisfaction", "ecommerce-churn"): _build_satisfaction_ecommerce,
    ("response", "customer-personality"): _build_response_customer_personality,
    ("response", "online-shoppers"): _build_response_online_shoppers,
}
