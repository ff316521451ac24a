"""Baseline registrations for the four problems.

segmentation: ``kmeans_silhouette`` (k-means on the standardized features, k in 2..8 chosen by
silhouette), ``rfm_quintiles`` (classic RFM quintile tiers).
churn: ``logistic_regression``, ``hist_gradient_boosting``.
value: ``naive_rate`` (calibration purchase rate x holdout length), ``bgnbd_gamma_gamma``
(scipy maximum likelihood), ``bgnbd_gamma_gamma_pymc`` (PyMC-Marketing MAP, CDNOW only: slow
to compile), ``hist_gradient_boosting`` (one regressor per target).
satisfaction: ``majority_class``, ``logistic_regression`` (TF-IDF and tabular features),
``hist_gradient_boosting`` (tabular features and SVD of the TF-IDF).
"""

from __future__ import annotations

from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import Pipeline

from ecrm_methods.baselines import (
    NaiveValueForecaster,
    RFMQuintileSegments,
    SilhouetteKMeans,
)
from ecrm_methods.benchmark.registry import register_method
from ecrm_methods.clv import BGNBDGammaGammaForecaster
from ecrm_methods.problems import ProblemData

FAMILY = "baseline"


def _kmeans(data: ProblemData, random_state: int) -> SilhouetteKMeans:
    return SilhouetteKMeans(min_clusters=2, max_clusters=8, n_init=10, random_state=random_state)


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


def _naive_value(data: ProblemData, random_state: int) -> NaiveValueForecaster:
    return NaiveValueForecaster(holdout_length=data.holdout_length)


def _bgnbd(backend: str):
    def factory(data: ProblemData, random_state: int) -> BGNBDGammaGammaForecaster:
        return BGNBDGammaGammaForecaster(holdout_length=data.holdout_length, backend=backend)

    return factory


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
    "kmeans_silhouette",
    FAMILY,
    "segmentation",
    _kmeans,
    params={"k": [2, 8], "n_init": 10, "select": "silhouette"},
    description="k-means on the standardized features, k in 2..8 by silhouette",
)
register_method(
    "rfm_quintiles",
    FAMILY,
    "segmentation",
    _rfm_quintiles,
    params={"bins": 5, "segment": "rounded mean RFM score"},
    description="RFM quintile scores, segment = rounded mean score",
)
for _problem in ("churn", "satisfaction"):
    register_method(
        "logistic_regression",
        FAMILY,
        _problem,
        _logistic,
        params={"C": 1.0, "preprocess": "impute+scale+onehot+tfidf"},
        description="L2 logistic regression on the preprocessed features",
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
    "satisfaction",
    _majority,
    params={},
    description="always the most frequent rating",
)
register_method(
    "naive_rate",
    FAMILY,
    "value",
    _naive_value,
    params={"rule": "frequency / T * holdout"},
    description="calibration purchase rate x holdout length; spend x mean value",
)
register_method(
    "bgnbd_gamma_gamma",
    FAMILY,
    "value",
    _bgnbd("mle"),
    params={"backend": "mle"},
    description="BG/NBD + Gamma-Gamma, scipy maximum likelihood",
)
register_method(
    "bgnbd_gamma_gamma_pymc",
    FAMILY,
    "value",
    _bgnbd("pymc"),
    datasets=("cdnow-sample",),
    params={"backend": "pymc", "fit": "map", "priors": "HalfFlat"},
    description="BG/NBD + Gamma-Gamma, PyMC-Marketing MAP with flat priors",
)
register_method(
    "hist_gradient_boosting",
    FAMILY,
    "value",
    _hgb_value,
    params={"defaults": True},
    description="histogram gradient boosting regressor per target",
)
