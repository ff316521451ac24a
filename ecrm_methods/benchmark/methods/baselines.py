"""Baseline registrations: what a practitioner would use, and the trivial floors.

segmentation: ``kmeans`` (k-means at the common number of segments), ``kmeans_silhouette``
(k-means choosing its own k in 2..8 by silhouette: reported, not comparable at a fixed k),
``rfm_quintiles`` (classic RFM quintile tiers: a fixed scheme of 5 tiers).
churn: ``logistic_regression``, ``hist_gradient_boosting``, ``majority_class`` (the floor),
``ga_control_logistic`` (the logistic regression inside the genetic family's GA wrapper, with
identical preprocessing and class weights, without the GA: its control).
value: ``zero`` (nobody buys again: the floor), ``naive_rate`` (calibration purchase rate x
holdout length), ``bgnbd_gamma_gamma`` (scipy maximum likelihood), ``bgnbd_gamma_gamma_pymc``
(PyMC-Marketing MAP, CDNOW sample only: slow to compile), ``hist_gradient_boosting`` (one
regressor per target, trained on the earlier training window).
satisfaction: ``majority_class``, ``logistic_regression`` (TF-IDF and tabular features),
``hist_gradient_boosting`` (tabular features and SVD of the TF-IDF), ``ga_control_logistic``.
response: ``logistic_regression``, ``hist_gradient_boosting``, ``majority_class`` (the floor:
every customer scores the same, so the campaign contacts everybody or nobody, and nobody pays
on both datasets), ``ga_control_logistic``.

Every baseline runs at library defaults or at settings fixed before any benchmark data was seen.
"""

from __future__ import annotations

from sklearn.cluster import KMeans
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import Pipeline

from ecrm_methods.baselines import (
    NaiveValueForecaster,
    RFMQuintileSegments,
    SilhouetteKMeans,
    ZeroValueForecaster,
)
from ecrm_methods.benchmark.registry import register_method
from ecrm_methods.clv import (
    BGNBDGammaGammaForecaster,
    MBGNBDGammaGammaForecaster,
    ParetoNBDGammaGammaForecaster,
)
from ecrm_methods.problems import ProblemData

FAMILY = "baseline"


def _kmeans(data: ProblemData, random_state: int) -> KMeans:
    return KMeans(n_clusters=4, n_init=10, random_state=random_state)


def _kmeans_silhouette(data: ProblemData, random_state: int) -> SilhouetteKMeans:
    # 7 values of k, each refitted by every stability resample: 3 restarts and a 2,000-customer
    # silhouette keep it to seconds on tens of thousands of customers
    return SilhouetteKMeans(
        min_clusters=2,
        max_clusters=8,
        n_init=3,
        silhouette_sample_size=2000,
        random_state=random_state,
    )


def _rfm_quintiles(data: ProblemData, random_state: int) -> RFMQuintileSegments:
    columns = data.rfm_columns
    if columns is None:
        raise ValueError(
            f"segmentation/{data.dataset} has no `rfm_columns`; the RFM baseline needs "
            "recency, frequency and monetary columns."
        )
    return RFMQuintileSegments(
        recency_col=columns.recency,
        frequency_col=columns.frequency,
        monetary_col=columns.monetary,
        recency_higher_is_better=False,
    )


def _logistic(data: ProblemData, random_state: int) -> Pipeline:
    return Pipeline(
        [
            ("preprocess", data.make_preprocessor()),
            ("model", LogisticRegression(C=1.0, max_iter=3000, random_state=random_state)),
        ]
    )


def _hgb_classifier(data: ProblemData, random_state: int) -> Pipeline:
    svd = 100 if data.text_features else None
    return Pipeline(
        [
            (
                "preprocess",
                data.make_preprocessor(scale=False, sparse_output=False, text_svd_components=svd),
            ),
            ("model", HistGradientBoostingClassifier(random_state=random_state)),
        ]
    )


def _majority(data: ProblemData, random_state: int) -> DummyClassifier:
    return DummyClassifier(strategy="most_frequent")


def _zero_value(data: ProblemData, random_state: int) -> ZeroValueForecaster:
    return ZeroValueForecaster()


def _naive_value(data: ProblemData, random_state: int) -> NaiveValueForecaster:
    return NaiveValueForecaster(holdout_length=data.holdout_length)


def _bgnbd(backend: str):
    def factory(data: ProblemData, random_state: int) -> BGNBDGammaGammaForecaster:
        return BGNBDGammaGammaForecaster(holdout_length=data.holdout_length, backend=backend)

    return factory


def _pareto_nbd(data: ProblemData, random_state: int) -> ParetoNBDGammaGammaForecaster:
    return ParetoNBDGammaGammaForecaster(holdout_length=data.holdout_length)


def _mbgnbd(data: ProblemData, random_state: int) -> MBGNBDGammaGammaForecaster:
    return MBGNBDGammaGammaForecaster(holdout_length=data.holdout_length)


def _hgb_value(data: ProblemData, random_state: int) -> MultiOutputRegressor:
    return MultiOutputRegressor(
        Pipeline(
            [
                ("preprocess", data.make_preprocessor(scale=False, sparse_output=False)),
                ("model", HistGradientBoostingRegressor(random_state=random_state)),
            ]
        )
    )


register_method(
    "kmeans",
    FAMILY,
    "segmentation",
    _kmeans,
    params={"n_init": 10},
    description="k-means on the standardized features at the common number of segments",
    segments_param="n_clusters",
    primary=True,
)
register_method(
    "kmeans_silhouette",
    FAMILY,
    "segmentation",
    _kmeans_silhouette,
    params={"k": [2, 8], "n_init": 3, "select": "silhouette (2,000-customer sample)"},
    description="k-means choosing its own k in 2..8 by silhouette (own k, not comparable)",
)
register_method(
    "rfm_quintiles",
    FAMILY,
    "segmentation",
    _rfm_quintiles,
    params={"bins": 5, "segment": "rounded mean RFM score"},
    description="RFM quintile scores, segment = rounded mean score (fixed scheme: 5 tiers)",
)
for _problem in ("churn", "satisfaction", "response"):
    register_method(
        "logistic_regression",
        FAMILY,
        _problem,
        _logistic,
        params={"C": 1.0, "preprocess": "impute+scale+onehot+tfidf"},
        description="L2 logistic regression on the preprocessed features",
        primary=True,
    )
    register_method(
        "hist_gradient_boosting",
        FAMILY,
        _problem,
        _hgb_classifier,
        params={"defaults": True, "text_svd": 100},
        description="histogram gradient boosting (scikit-learn defaults)",
    )
    register_method(
        "majority_class",
        FAMILY,
        _problem,
        _majority,
        params={},
        description="always the most frequent class (the floor: ROC-AUC 0.5)",
    )
register_method(
    "zero",
    FAMILY,
    "value",
    _zero_value,
    params={},
    description="nobody buys again (the floor: wins MAE on zero-heavy holdouts, ranks nobody)",
    learns_from="calibration",
)
register_method(
    "naive_rate",
    FAMILY,
    "value",
    _naive_value,
    params={"rule": "frequency / T * holdout"},
    description="calibration purchase rate x holdout length; spend x mean value",
    learns_from="calibration",
)
register_method(
    "bgnbd_gamma_gamma",
    FAMILY,
    "value",
    _bgnbd("mle"),
    params={"backend": "mle"},
    description="BG/NBD + Gamma-Gamma, scipy maximum likelihood",
    learns_from="calibration",
    primary=True,
    tuning="fixed: maximum likelihood, no free settings",
)
register_method(
    "pareto_nbd_gamma_gamma",
    FAMILY,
    "value",
    _pareto_nbd,
    params={"backend": "mle"},
    description="Pareto/NBD + Gamma-Gamma, scipy maximum likelihood",
    learns_from="calibration",
    tuning="fixed: maximum likelihood, no free settings",
)
register_method(
    "mbgnbd_gamma_gamma",
    FAMILY,
    "value",
    _mbgnbd,
    params={"backend": "mle"},
    description="MBG/NBD + Gamma-Gamma, scipy maximum likelihood",
    learns_from="calibration",
    tuning="fixed: maximum likelihood, no free settings",
)
register_method(
    "bgnbd_gamma_gamma_pymc",
    FAMILY,
    "value",
    _bgnbd("pymc"),
    datasets=("cdnow-sample",),
    params={"backend": "pymc", "fit": "map", "priors": "HalfFlat"},
    description="BG/NBD + Gamma-Gamma, PyMC-Marketing MAP with flat priors",
    learns_from="calibration",
    tuning="fixed: MAP with flat priors, no free settings",
    optional=True,  # the same optimum as bgnbd_gamma_gamma at ~50x the cost: name it to run it
)
register_method(
    "hist_gradient_boosting",
    FAMILY,
    "value",
    _hgb_value,
    params={"defaults": True},
    description="histogram gradient boosting regressor per target (per-week rates)",
    learns_from="training_window",
)
