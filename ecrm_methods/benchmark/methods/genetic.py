"""Genetic-family registrations (遗传算法) for the five problems.

churn: ``ga_feature_selection_logistic`` (GA wrapper feature selection with a 3-fold ROC-AUC
fitness of a logistic regression, then the logistic regression on the kept columns; the
fitness is computed on a seeded, class-stratified sample of at most 5,000 training rows, as
``genetic_fuzzy_rules`` does: E Commerce, Customer Personality and Online Retail folds stay
whole, CDNOW, Telco, online-shoppers and clothing-review folds are sampled).
satisfaction: ``ga_feature_selection_logistic`` (the same with a balanced-accuracy fitness and a
class-weighted multinomial logistic regression; review text enters as 20 SVD components of its
TF-IDF so that the GA searches over a few dozen columns instead of thousands of words).
Its control, ``ga_control_logistic`` (registered here as a baseline because it shares the
factory), is the same logistic regression on the same preprocessed columns with the same class
weights, without the GA: the difference between the two is the GA's own effect.
response: ``ga_feature_selection_logistic`` (as for churn, ROC-AUC fitness; the family's primary
method, as on churn) with its control, and ``proflogit`` (ProfLogit, Stripling et al. 2018: a
GA evolves the coefficients of a logistic scoring rule to maximise the campaign profit, at the
dataset's contact cost and response revenue, on the training fold itself).
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
from ecrm_methods.genetic import (
    GAClustering,
    GAFeatureSelector,
    GPSymbolicRegressor,
    ProfLogitClassifier,
)
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
    "max_samples": 5000,
    "classifier": "logistic_regression",
    "solver": "newton-cholesky",
    "version": 3,
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

#: ProfLogit's settings, fixed a priori: the paper's penalty form, bounds and operators, a
#: smaller GA (population 100 instead of 10 per coefficient, at most 100 generations instead
#: of 1000) so that one fit takes seconds on 10,000 sessions with 80 one-hot columns.
PROFLOGIT_PARAMS = {
    "C": 1.0,
    "l1_ratio": 1.0,
    "coef_bound": 3.0,
    "population_size": 100,
    "generations": 100,
    "patience": 20,
    "crossover_proba": 0.8,
    "mutation_proba": 0.1,
    "elite_fraction": 0.05,
    "version": 1,
}


def _selection_kwargs(random_state: int) -> dict:
    keys = ("cv", "population_size", "generations", "crossover_proba", "mutation_proba")
    return dict(
        {key: GA_SELECTION_PARAMS[key] for key in keys},
        patience=GA_SELECTION_PARAMS["patience"],
        max_samples=GA_SELECTION_PARAMS["max_samples"],
        random_state=random_state,
        verbose=0,
    )


def _logistic(class_weight: str | None) -> LogisticRegression:
    # newton-cholesky: the GA fits about a thousand of these per run; on the preprocessed
    # online-shoppers and clothing-review columns it measured 5.6-7x faster than lbfgs and
    # reaches the optimum lbfgs stops short of at max_iter=1000 (3-fold scores 0.0003-0.006
    # higher)
    return LogisticRegression(
        solver=GA_SELECTION_PARAMS["solver"], max_iter=1000, class_weight=class_weight
    )


def _ga_logistic(scoring: str, class_weight: str | None, with_ga: bool = True):
    def factory(data: ProblemData, random_state: int) -> Pipeline:
        preprocessor = data.make_preprocessor(
            text_max_features=TEXT_MAX_FEATURES,
            text_svd_components=TEXT_SVD_COMPONENTS if data.text_features else None,
            sparse_output=False,
        )
        if not with_ga:
            return Pipeline(
                [
                    ("preprocess", preprocessor),
                    ("model", _logistic(class_weight)),
                ]
            )
        return Pipeline(
            [
                ("preprocess", preprocessor),
                (
                    "select",
                    GAFeatureSelector(
                        _logistic(class_weight),
                        scoring=scoring,
                        **_selection_kwargs(random_state),
                    ),
                ),
                ("model", _logistic(class_weight)),
            ]
        )

    return factory


def _proflogit(data: ProblemData, random_state: int) -> Pipeline:
    campaign = data.campaign
    if campaign is None:
        raise ValueError(
            f"{data.problem}/{data.dataset} has no campaign economics; ProfLogit maximises "
            "the campaign profit and needs the contact cost and response revenue."
        )
    params = {key: value for key, value in PROFLOGIT_PARAMS.items() if key != "version"}
    return Pipeline(
        [
            ("preprocess", data.make_preprocessor(sparse_output=False)),
            (
                "model",
                ProfLogitClassifier(
                    contact_cost=campaign.contact_cost,
                    response_revenue=campaign.response_revenue,
                    **params,
                    random_state=random_state,
                ),
            ),
        ]
    )


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


_GA_SETTINGS = (
    "fixed: GA settings set a priori (population {population_size}, {generations} generations, "
    "patience {patience}, fitness on a stratified sample of at most {max_samples:,} training "
    "rows)"
).format(**GA_SELECTION_PARAMS)

for _problem, _scoring, _weights in (
    ("churn", "roc_auc", None),
    ("satisfaction", "balanced_accuracy", "balanced"),
    ("response", "roc_auc", None),
):
    _params = {**GA_SELECTION_PARAMS, "scoring": _scoring, "class_weight": _weights}
    if _problem == "satisfaction":
        _params["text_svd_components"] = TEXT_SVD_COMPONENTS
    register_method(
        "ga_feature_selection_logistic",
        FAMILY,
        _problem,
        _ga_logistic(_scoring, _weights),
        params=_params,
        description=f"GA wrapper feature selection (3-fold {_scoring} fitness), then logistic "
        "regression on the kept columns",
        primary=True,
        tuning=_GA_SETTINGS,
    )
    register_method(
        "ga_control_logistic",
        "baseline",
        _problem,
        _ga_logistic(_scoring, _weights, with_ga=False),
        params={k: v for k, v in _params.items() if k in ("class_weight", "text_svd_components")},
        description="control of ga_feature_selection_logistic: same preprocessing, class "
        "weights and logistic regression, all columns, no GA",
    )
register_method(
    "proflogit",
    FAMILY,
    "response",
    _proflogit,
    params=PROFLOGIT_PARAMS,
    description="ProfLogit: GA-evolved logistic coefficients maximising the training "
    "campaign's profit (Stripling et al. 2018)",
    tuning="fixed: GA settings set a priori (population 100, 100 generations, patience 20, "
    "lasso penalty C = 1, coefficients in [-3, 3])",
)
register_method(
    "ga_clustering",
    FAMILY,
    "segmentation",
    _ga_clustering,
    params=GA_CLUSTERING_PARAMS,
    description="GA-evolved cluster centres (Maulik & Bandyopadhyay 2000)",
    segments_param="n_clusters",
    primary=True,
    tuning="fixed: GA settings set a priori (population 30, 50 generations)",
)
register_method(
    "gp_symbolic",
    FAMILY,
    "value",
    _gp_symbolic,
    params=GP_PARAMS,
    description="genetic-programming formula per target (purchases, spend per week) from RFM "
    "features",
    learns_from="training_window",
    primary=True,
    tuning="fixed: GP settings set a priori (population 300, 30 generations)",
)
