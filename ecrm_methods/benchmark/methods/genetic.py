"""Genetic-family registrations (遗传算法) for the four problems.

churn: ``ga_logistic`` (GA wrapper feature selection with a 3-fold ROC-AUC fitness of a
logistic regression, then the logistic regression on the kept columns).
satisfaction: ``ga_logistic`` (the same with a balanced-accuracy fitness and a class-weighted
multinomial logistic regression; review text enters as 20 SVD components of its TF-IDF so that
the GA searches over a few dozen columns instead of thousands of words).
segmentation: ``ga_clustering`` (4 cluster centres evolved by a GA, Maulik & Bandyopadhyay
2000, within-cluster sum of squares fitness).
value: ``gp_symbolic`` (one genetic-programming formula per target, holdout purchases and
holdout spend, from the preprocessed calibration RFM features).

Every estimator sits after the problem's own preprocessor in a Pipeline, so imputation,
scaling, one-hot encoding and TF-IDF are fitted inside the training folds only, and the GA's
cross-validated fitness only sees the training fold it is given.
"""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import Pipeline

from ecrm_methods.benchmark.registry import register_method
from ecrm_methods.genetic import GAClustering, GAFeatureSelector, GPSymbolicRegressor
from ecrm_methods.problems import ProblemData

FAMILY = "genetic"

#: Review text enters the GA as this many SVD components of its TF-IDF.
TEXT_SVD_COMPONENTS = 20
TEXT_MAX_FEATURES = 5000

GA_SELECTION_PARAMS = {
    "cv": 3,
    "population_size": 24,
    "generations": 15,
    "crossover_proba": 0.8,
    "mutation_proba": 0.1,
    "patience": 5,
    "classifier": "logistic_regression",
    "version": 1,
}
GA_CLUSTERING_PARAMS = {
    "n_clusters": 4,
    "fitness": "wcss",
    "population_size": 30,
    "generations": 50,
    "patience": 15,
    "version": 1,
}
GP_PARAMS = {
    "population_size": 300,
    "generations": 30,
    "max_height": 10,
    "parsimony_coefficient": 0.001,
    "function_set": ["add", "sub", "mul", "div", "log", "neg"],
    "linear_scaling": True,
    "patience": 10,
    "version": 1,
}


def _selection_kwargs(random_state: int) -> dict:
    keys = ("cv", "population_size", "generations", "crossover_proba", "mutation_proba")
    return dict(
        {key: GA_SELECTION_PARAMS[key] for key in keys},
        patience=GA_SELECTION_PARAMS["patience"],
        random_state=random_state,
        verbose=0,
    )


def _ga_logistic(scoring: str, class_weight: str | None):
    def factory(data: ProblemData, random_state: int) -> Pipeline:
        preprocessor = data.make_preprocessor(
            text_max_features=TEXT_MAX_FEATURES,
            text_svd_components=TEXT_SVD_COMPONENTS if data.text_features else None,
            sparse_output=False,
        )
        return Pipeline(
            [
                ("preprocess", preprocessor),
                (
                    "select",
                    GAFeatureSelector(
                        LogisticRegression(max_iter=1000, class_weight=class_weight),
                        scoring=scoring,
                        **_selection_kwargs(random_state),
                    ),
                ),
                ("model", LogisticRegression(max_iter=1000, class_weight=class_weight)),
            ]
        )

    return factory


def _ga_clustering(data: ProblemData, random_state: int) -> GAClustering:
    params = {key: value for key, value in GA_CLUSTERING_PARAMS.items() if key != "version"}
    return GAClustering(**params, random_state=random_state)


def _gp_symbolic(data: ProblemData, random_state: int) -> Pipeline:
    params = {key: value for key, value in GP_PARAMS.items() if key != "version"}
    params["function_set"] = tuple(params["function_set"])
    regressor = GPSymbolicRegressor(**params, random_state=random_state)
    return Pipeline(
        [
            ("preprocess", data.make_preprocessor(sparse_output=False)),
            ("model", MultiOutputRegressor(regressor)),
        ]
    ).set_output(transform="pandas")  # the formulas then name the RFM columns


register_method(
    "ga_logistic",
    FAMILY,
    "churn",
    _ga_logistic("roc_auc", None),
    params={**GA_SELECTION_PARAMS, "scoring": "roc_auc"},
    description="GA feature selection (3-fold ROC-AUC fitness) + logistic regression",
)
register_method(
    "ga_logistic",
    FAMILY,
    "satisfaction",
    _ga_logistic("balanced_accuracy", "balanced"),
    params={
        **GA_SELECTION_PARAMS,
        "scoring": "balanced_accuracy",
        "class_weight": "balanced",
        "text_svd_components": TEXT_SVD_COMPONENTS,
    },
    description="GA feature selection (balanced-accuracy fitness) + class-weighted logistic",
)
register_method(
    "ga_clustering",
    FAMILY,
    "segmentation",
    _ga_clustering,
    params=GA_CLUSTERING_PARAMS,
    description="GA-evolved cluster centres (Maulik & Bandyopadhyay 2000), 4 segments",
)
register_method(
    "gp_symbolic",
    FAMILY,
    "value",
    _gp_symbolic,
    params=GP_PARAMS,
    description="genetic-programming formula per target (purchases, spend) from RFM features",
)
