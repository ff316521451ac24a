"""Rough-set registrations for the five problems.

churn, satisfaction and response: ``lem2_rules`` (numeric columns discretized, missing values kept as a
"missing" category, then certain and possible LEM2 rules with support >= 3; text columns are not
used). The discretization (quantile or Nguyen & Skowron's maximum discernibility, 3 or 5 bins)
is chosen by an inner cross-validation of each training fold.
value: ``value_tier_rules`` (which discretized RFM conditions certainly or possibly make a
top-20 % customer by holdout spend; predictions are tier-weighted means).
segmentation: ``rough_kmeans`` (Lingras & West rough k-means, 4 clusters; boundary customers
get the label -1).
"""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from ecrm_methods.benchmark.methods._tuning import QWK_SCORER, inner_cv, tuning_note
from ecrm_methods.benchmark.registry import register_method
from ecrm_methods.problems import ProblemData
from ecrm_methods.rough_sets import (
    LEM2Classifier,
    RoughKMeans,
    RoughSetDiscretizer,
    ValueTierRuleRegressor,
)

FAMILY = "rough_sets"

LEM2_PARAMS = {"min_support": 3}
#: The discretization is chosen inside each training fold (it was once chosen by looking at
#: the benchmark's own test folds, which is a leak).
LEM2_GRID = {
    "discretize__method": ["quantile", "maxdiscernibility"],
    "discretize__n_bins": [4],
}
VALUE_TIER_PARAMS = {"top_fraction": 0.2, "discretization": "quantile", "n_bins": 5, "version": 1}
ROUGH_KMEANS_PARAMS = {
    "n_clusters": 4,
    "weight_lower": 0.7,
    "threshold": 1.25,
    "n_init": 10,
    "version": 1,
}


def _lem2_pipeline(data: ProblemData) -> Pipeline:
    columns = list(data.numeric_features) + list(data.categorical_features)
    select = ColumnTransformer(
        [("conditions", "passthrough", columns)],
        remainder="drop",
        verbose_feature_names_out=False,
    )
    pipeline = Pipeline(
        [
            ("select", select),
            ("discretize", RoughSetDiscretizer(handle_missing="category")),
            ("rules", LEM2Classifier(min_support=LEM2_PARAMS["min_support"])),
        ]
    )
    return pipeline.set_output(transform="pandas")


def _lem2(scoring):
    def factory(data: ProblemData, random_state: int) -> GridSearchCV:
        return inner_cv(_lem2_pipeline(data), LEM2_GRID, scoring, random_state)

    return factory


def _value_tier(data: ProblemData, random_state: int) -> ValueTierRuleRegressor:
    return ValueTierRuleRegressor(
        top_fraction=VALUE_TIER_PARAMS["top_fraction"],
        method=VALUE_TIER_PARAMS["discretization"],
        n_bins=VALUE_TIER_PARAMS["n_bins"],
    )


def _rough_kmeans(data: ProblemData, random_state: int) -> RoughKMeans:
    params = {k: v for k, v in ROUGH_KMEANS_PARAMS.items() if k != "version"}
    return RoughKMeans(**params, random_state=random_state)


for _problem, _scoring, _scoring_name in (
    ("churn", "roc_auc", "ROC-AUC"),
    ("satisfaction", QWK_SCORER, "QWK"),
    ("response", "roc_auc", "ROC-AUC"),
):
    register_method(
        "lem2_rules",
        FAMILY,
        _problem,
        _lem2(_scoring),
        params={**LEM2_PARAMS, "grid": LEM2_GRID},
        description="LEM2 certain + possible rules (support >= 3) on discretized conditions",
        primary=True,
        tuning=tuning_note(LEM2_GRID, _scoring_name),
    )

register_method(
    "value_tier_rules",
    FAMILY,
    "value",
    _value_tier,
    params=VALUE_TIER_PARAMS,
    description="rough-set rules for the top-20 % spend tier; tier-weighted mean forecast",
    learns_from="training_window",
    primary=True,
    tuning="fixed: top 20 % tier (the 80/20 rule), 5 quantile bins set a priori",
)

register_method(
    "rough_kmeans",
    FAMILY,
    "segmentation",
    _rough_kmeans,
    params=ROUGH_KMEANS_PARAMS,
    description="rough k-means (Lingras & West 2004); boundary customers scored at the "
    "nearest centre",
    segments_param="n_clusters",
    primary=True,
    tuning="fixed: weight_lower 0.7, threshold 1.25 (Lingras & West's range)",
)
