"""Neural-family registrations (神经网络) for the five problems.

segmentation: ``som_clustering`` (10x10 self-organizing map, Ward clustering of its codebook
into 5 segments).
churn: ``mlp`` (calibrated churn probabilities) and ``mlp_balanced`` (class-weighted loss
for the minority churners).
value: ``mlp`` (one network predicting holdout purchases and spend jointly).
satisfaction: ``mlp`` (TF-IDF of the review text plus tabular features -> MLP,
class-weighted so that rare low ratings count).
response: ``mlp`` (the churn network on the response indicators; a campaign only needs the
ranking, so the loss is not class-weighted).

Every MLP sits after the problem's own preprocessor in a Pipeline, so imputation, scaling,
one-hot encoding and TF-IDF are fitted inside the training folds only.
"""

from __future__ import annotations

from sklearn.pipeline import Pipeline

from ecrm_methods.benchmark.registry import register_method
from ecrm_methods.neural import SOMClustering, TorchMLPClassifier, TorchMLPRegressor
from ecrm_methods.problems import ProblemData

FAMILY = "neural"

#: Network sizes and training settings were set a priori (early stopping on an inner
#: validation split of the training fold is part of the estimator, not a tuning loop).
_FIXED = "fixed: settings set a priori; early stopping on 10 % of the training fold"

SOM_PARAMS = {
    "n_clusters": 5,
    "codebook_clustering": "ward",
    "n_rows": 10,
    "n_cols": 10,
    "topology": "hexagonal",
    "n_epochs": 20,
    "init": "pca",
}
MLP_PARAMS = {
    "hidden_layer_sizes": [64, 32],
    "dropout": 0.1,
    "weight_decay": 1e-4,
    "learning_rate": 1e-3,
    "batch_size": 256,
    "max_epochs": 200,
    "early_stopping": True,
    "validation_fraction": 0.1,
    "patience": 10,
}
#: Vocabulary of the review TF-IDF fed to the MLP: the first layer has this many inputs.
TEXT_MAX_FEATURES = 5000


def _mlp_kwargs(random_state: int) -> dict:
    params = dict(MLP_PARAMS, hidden_layer_sizes=tuple(MLP_PARAMS["hidden_layer_sizes"]))
    return dict(params, random_state=random_state, verbose=0)


def _som_clustering(data: ProblemData, random_state: int) -> SOMClustering:
    return SOMClustering(**SOM_PARAMS, random_state=random_state)


def _mlp_classifier(class_weight: str | None):
    def factory(data: ProblemData, random_state: int) -> Pipeline:
        return Pipeline(
            [
                ("preprocess", data.make_preprocessor(text_max_features=TEXT_MAX_FEATURES)),
                (
                    "model",
                    TorchMLPClassifier(class_weight=class_weight, **_mlp_kwargs(random_state)),
                ),
            ]
        )

    return factory


def _mlp_regressor(data: ProblemData, random_state: int) -> Pipeline:
    return Pipeline(
        [
            ("preprocess", data.make_preprocessor()),
            ("model", TorchMLPRegressor(**_mlp_kwargs(random_state))),
        ]
    )


register_method(
    "som_clustering",
    FAMILY,
    "segmentation",
    _som_clustering,
    params=SOM_PARAMS,
    description="self-organizing map 10x10, Ward clustering of its codebook into segments",
    segments_param="n_clusters",
    primary=True,
    tuning="fixed: 10x10 hexagonal map, 20 epochs, PCA initialisation set a priori",
)
register_method(
    "mlp",
    FAMILY,
    "churn",
    _mlp_classifier(None),
    params={**MLP_PARAMS, "class_weight": None},
    description="torch MLP (64-32, dropout, early stopping) on the preprocessed features",
    primary=True,
    tuning=_FIXED,
)
register_method(
    "mlp_balanced",
    FAMILY,
    "churn",
    _mlp_classifier("balanced"),
    params={**MLP_PARAMS, "class_weight": "balanced"},
    description="torch MLP with a class-weighted loss for the minority churners",
    tuning=_FIXED,
)
register_method(
    "mlp",
    FAMILY,
    "value",
    _mlp_regressor,
    params={**MLP_PARAMS, "targets": "joint, standardized"},
    description="torch MLP regressor predicting purchases and spend per week jointly",
    learns_from="training_window",
    primary=True,
    tuning=_FIXED,
)
register_method(
    "mlp",
    FAMILY,
    "satisfaction",
    _mlp_classifier("balanced"),
    params={**MLP_PARAMS, "class_weight": "balanced", "text_max_features": TEXT_MAX_FEATURES},
    description="TF-IDF of the review text + tabular features -> class-weighted torch MLP",
    primary=True,
    tuning=_FIXED,
)
register_method(
    "mlp",
    FAMILY,
    "response",
    _mlp_classifier(None),
    params={**MLP_PARAMS, "class_weight": None},
    description="torch MLP (64-32, dropout, early stopping) on the response indicators",
    primary=True,
    tuning=_FIXED,
)
