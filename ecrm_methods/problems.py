"""The four eCRM problems and their datasets, as data ready for any estimator.

A *problem* (segmentation, churn, value, satisfaction) applied to a *dataset* gives a
:class:`ProblemData`: the feature table ``X`` with names, the target ``y``, near-duplicate
``groups`` for group-aware cross-validation, the column roles, typed per-problem fields (the
value windows, the RFM columns of a segmentation, the rating scale of a satisfaction problem),
and :meth:`ProblemData.make_preprocessor`, which every method puts first in its own pipeline so
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
    "ProblemData",
    "ProblemSpec",
    "RFMColumns",
    "TimeWindows",
    "available_pairs",
    "clear_problem_cache",
    "load_problem",
    "pair_is_available",
    "required_datasets",
]

#: Bump when a builder changes what it produces, so cached benchmark results are recomputed.
BUILDER_VERSION = "1"

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

    Attributes
    ----------
    calibration_end : str
        Last day of the calibration period (ISO date); features use purchases up to it.
    holdout_end : str
        End of the holdout period (ISO date); targets come from purchases after
        ``calibration_end`` up to it.
    time_unit : str
        Unit of ``recency``, ``T`` and ``holdout_length`` (``"weeks"``).
    holdout_length : float
        Length of the holdout period in ``time_unit``.
    """

    calibration_end: str
    holdout_end: str
    time_unit: str
    holdout_length: float


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
        Calibration / holdout windows (churn and value problems built from a transaction log).
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
    problem : {"segmentation", "churn", "value", "satisfaction"}
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


def _rfm_customers(
    transactions: pd.DataFrame, customer_col: str, date_col: str, amount_col: str
) -> pd.DataFrame:
    """Marketing RFM per customer (:func:`ecrm_methods.features.rfm_table`, as floats)."""
    from ecrm_methods.features import rfm_table

    return rfm_table(transactions, customer_col, date_col, amount_col).astype(float)


def _segmentation_from_rfm(dataset: str, rfm: pd.DataFrame, source: str) -> ProblemData:
    rfm = rfm[rfm["monetary"] > 0]
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
        "purchase days and total spend per customer",
        duplicates=report,
        customer_id=rfm.index.to_numpy(),
        rfm_columns=RFMColumns(),
        revenue=rfm["monetary"].to_numpy(),
        profile=rfm.reset_index(drop=True),
    )


def _retail_transactions(loader_name: str, **kwargs) -> pd.DataFrame:
    from ecrm_methods import datasets as ds
    from ecrm_methods.cleaning import clean_transactions, retail_transactions

    raw = getattr(ds, loader_name)(**kwargs)
    cleaned, _ = clean_transactions(raw)
    return retail_transactions(cleaned)


def _build_segmentation_online_retail() -> ProblemData:
    transactions = _retail_transactions("load_online_retail")
    rfm = _rfm_customers(transactions, "customer_id", "date", "amount")
    return _segmentation_from_rfm("online-retail", rfm, "Online Retail customers")


def _build_segmentation_cdnow() -> ProblemData:
    from ecrm_methods.datasets import load_cdnow

    rfm = _rfm_customers(load_cdnow(), "customer_id", "date", "dollar_value")
    return _segmentation_from_rfm("cdnow", rfm, "CDNOW customers")


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
        "the channel mix (web / catalog / store / deals shares)",
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
    last_day = transactions["date"].max().normalize()
    cutoff = last_day - pd.Timedelta(days=RETAIL_CHURN_WINDOW_DAYS)
    return _churn_from_transactions(
        "online-retail",
        transactions,
        "amount",
        cutoff.strftime("%Y-%m-%d"),
        (last_day + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
        f"Online Retail: no purchase in the last {RETAIL_CHURN_WINDOW_DAYS} days, RFM from before",
    )


# -- value -----------------------------------------------------------------------------------


def _value_from_transactions(
    dataset: str, transactions: pd.DataFrame, amount_col: str, calibration_end, holdout_end, text
) -> ProblemData:
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
        ),
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
        f"CDNOW {'1/10th sample' if sample else 'full log'}: 39-week calibration, 39-week holdout",
    )


def _build_value_online_retail_ii() -> ProblemData:
    transactions = _retail_transactions("load_online_retail_ii", include_2010_2011=True)
    return _value_from_transactions(
        "online-retail-ii",
        transactions,
        "amount",
        RETAIL_CALIBRATION_END,
        RETAIL_HOLDOUT_END,
        "Online Retail II + Online Retail: one year calibration, one year holdout",
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
    report, groups = _duplicates(
        raw.drop(columns=["CustomerID"]).reset_index(drop=True), ECOMMERCE_GROUP_MAX_DIFFERENCES
    )
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
}
