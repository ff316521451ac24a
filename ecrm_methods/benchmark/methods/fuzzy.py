"""Fuzzy-set registrations for the five problems.

segmentation: ``fuzzy_cmeans`` (Bezdek's fuzzy c-means, 4 clusters, m = 2; ``labels_`` are the
clusters of highest membership).
churn: ``fuzzy_rules`` (the k inputs with the best ANOVA F-score after the shared
preprocessing, 3 quantile-placed triangular terms each, Wang-Mendel rules weighted by class
confidence, the 1000 best supported kept; churn probability = normalised sum of the class's
rule activations). k (8 or 16) is chosen by an inner cross-validation of each training fold: a
grid rule base covers the input space sparsely, so it trails the tree baselines.
response: ``fuzzy_rules`` (the churn rule base, with the same inner choice of k; response
score = normalised sum of the responders' rule activations).
satisfaction: ``mamdani_rules`` (same inputs and rule learning; the rating is the centroid of
the clipped ordinal output terms, rounded to the nearest rating: a Mamdani system).
value: ``fuzzy_value_tiers`` (fuzzy c-means tiers of the calibration features; holdout
purchases and spend are membership-weighted tier means).
"""

from __future__ import annotations

from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from ecrm_methods.benchmark.methods._tuning import QWK_SCORER, inner_cv, tuning_note
from ecrm_methods.benchmark.registry import register_method
from ecrm_methods.fuzzy import (
    FuzzyCMeans,
    FuzzyRuleClassifier,
    FuzzyValueTierRegressor,
)
from ecrm_methods.problems import ProblemData

FAMILY = "fuzzy"

FCM_PARAMS = {"n_clusters": 4, "m": 2.0, "n_init": 3, "max_iter": 300, "version": 1}
#: The number of inputs is chosen inside each training fold (it was once chosen by looking at
#: the benchmark's own test folds, which is a leak).
RULE_GRID = {"select__k": [8, 16]}
RULE_PARAMS = {
    "n_terms": 3,
    "mf_shape": "triangular",
    "max_rules": 1000,
    "text_svd_components": 20,
    "churn_class_scores": "sum",
    "version": 2,
}
VALUE_TIER_PARAMS = {"n_tiers": 3, "m": 2.0, "n_init": 3, "version": 1}


def _fuzzy_cmeans(data: ProblemData, random_state: int) -> FuzzyCMeans:
    params = {k: v for k, v in FCM_PARAMS.items() if k != "version"}
    return FuzzyCMeans(**params, random_state=random_state)


def _rule_pipeline(data: ProblemData, decision: str, class_scores: str = "max") -> Pipeline:
    preprocessor = data.make_preprocessor(
        text_svd_components=RULE_PARAMS["text_svd_components"] if data.text_features else None,
        sparse_output=False,
    )
    rules = FuzzyRuleClassifier(
        n_terms=RULE_PARAMS["n_terms"],
        mf_shape=RULE_PARAMS["mf_shape"],
        max_rules=RULE_PARAMS["max_rules"],
        decision=decision,
        class_scores=class_scores,
    )
    return Pipeline(
        [
            ("preprocess", preprocessor),
            ("select", SelectKBest(f_classif, k=RULE_GRID["select__k"][-1])),
            ("rules", rules),
        ]
    )


def _churn_rules(data: ProblemData, random_state: int) -> GridSearchCV:
    pipeline = _rule_pipeline(data, "max_firing", RULE_PARAMS["churn_class_scores"])
    return inner_cv(pipeline, RULE_GRID, "roc_auc", random_state)


def _satisfaction_mamdani(data: ProblemData, random_state: int) -> GridSearchCV:
    return inner_cv(_rule_pipeline(data, "centroid"), RULE_GRID, QWK_SCORER, random_state)


def _value_tiers(data: ProblemData, random_state: int) -> Pipeline:
    params = {k: v for k, v in VALUE_TIER_PARAMS.items() if k != "version"}
    return Pipeline(
        [
            ("preprocess", data.make_preprocessor(sparse_output=False)),
            ("tiers", FuzzyValueTierRegressor(**params, random_state=random_state)),
        ]
    )


register_method(
    "fuzzy_cmeans",
    FAMILY,
    "segmentation",
    _fuzzy_cmeans,
    params=FCM_PARAMS,
    description="fuzzy c-means (Bezdek 1981), label = cluster of highest membership",
    segments_param="n_clusters",
    primary=True,
    tuning="fixed: m = 2 (Bezdek's default), 3 restarts",
)
for _problem in ("churn", "response"):
    register_method(
        "fuzzy_rules",
        FAMILY,
        _problem,
        _churn_rules,
        params=RULE_PARAMS,
        description="Wang-Mendel fuzzy rules on the k best inputs; summed class activation",
        primary=True,
        tuning=tuning_note(RULE_GRID, "ROC-AUC"),
    )
register_method(
    "mamdani_rules",
    FAMILY,
    "satisfaction",
    _satisfaction_mamdani,
    params=RULE_PARAMS,
    description="Mamdani system: Wang-Mendel rules, centroid of ordinal rating terms",
    primary=True,
    tuning=tuning_note(RULE_GRID, "QWK"),
)
register_method(
    "fuzzy_value_tiers",
    FAMILY,
    "value",
    _value_tiers,
    params=VALUE_TIER_PARAMS,
    description="fuzzy c-means value tiers; membership-weighted tier purchases and spend",
    learns_from="training_window",
    primary=True,
    tuning="fixed: 3 tiers (mature / growth / exploration), m = 2",
)
