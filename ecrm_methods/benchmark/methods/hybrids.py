"""Hybrid soft-computing registrations: two families combined, registered under the optimizer's.

churn, response and satisfaction (response as churn: ROC-AUC for the inner searches and fitness):

- ``tsk_rules`` (neural): a neuro-fuzzy Takagi-Sugeno-Kang rule base
  (:class:`ecrm_methods.neural.TSKFuzzyClassifier`): at most 30 rules of at most 3 linguistic
  conditions each, grown by a boosting-style search and tuned jointly with the Gaussian
  membership functions by gradient descent, with early stopping on an inner validation split of
  the training fold. The classifiers' consequents are linear in the rule's own inputs
  (first-order TSK, the standard form of Takagi & Sugeno 1985 and ANFIS), fixed a priori; the
  value regressor's are constants.
- ``genetic_fuzzy_rules`` (genetic): a Wang-Mendel rule base on the 5 inputs with the best ANOVA
  F-score, whose terms are laterally tuned and whose rules are selected by a GA
  (:class:`ecrm_methods.genetic.GAFuzzyRuleTuner`); the fitness is a 3-fold cross-validated
  score on the training fold minus a penalty per rule.
- ``rough_neural`` (neural): a rough-set reduct as the feature selector in front of the MLP: a
  discretized copy of the preprocessed training fold gives the reduct
  (:class:`ecrm_methods.rough_sets.RoughSetReducer`), the MLP of the neural family's ``mlp``
  then sees those columns of the preprocessed data.

value: ``tsk_rules`` (neural): :class:`ecrm_methods.neural.TSKFuzzyRegressor` predicting
holdout purchases and spend per week jointly from the shared rules, trained on the training
window.

No hybrid is its family's primary method. Every estimator sits after the problem's own
preprocessor in a Pipeline, so imputation, scaling, one-hot encoding, text SVD, discretization,
the reduct and the input selection are fitted inside the training folds only.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.feature_selection import SelectKBest, SelectorMixin, f_classif
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ecrm_methods.benchmark.methods.neural import MLP_PARAMS, _mlp_kwargs
from ecrm_methods.benchmark.registry import register_method
from ecrm_methods.genetic import GAFuzzyRuleTuner
from ecrm_methods.neural import TorchMLPClassifier, TSKFuzzyClassifier, TSKFuzzyRegressor
from ecrm_methods.problems import ProblemData
from ecrm_methods.rough_sets import RoughSetDiscretizer, RoughSetReducer

#: Review text enters the rule learners as this many SVD components of its TF-IDF.
TEXT_SVD_COMPONENTS = 20
TEXT_MAX_FEATURES = 5000

TSK_PARAMS = {
    "max_rules": 30,
    "max_conditions": 3,
    "n_terms": 3,
    "order": 0,
    "membership_init": "fcm",
    "rule_search": "greedy",
    "l1_penalty": 10.0,
    "learning_rate": 0.02,
    "batch_size": 256,
    "max_epochs": 300,
    "validation_fraction": 0.15,
    "patience": 20,
    "version": 1,
}
#: The classifiers' consequent order, fixed a priori: 1, linear in the rule's own at most 3
#: inputs (first-order TSK). An inner CV over orders 0 and 1 cost 7 fits instead of 1 per fold
#: (4-10 minutes a fold on CDNOW churn) and chose order 1 on E Commerce and order 0 on 3 of 5
#: Telco folds; the rule-count, condition and term limits are not tuned either: they are the
#: readability bounds.
TSK_CLASSIFIER_ORDER = 1
GENETIC_FUZZY_PARAMS = {
    "k_inputs": 5,
    "n_terms": 3,
    "mf_shape": "triangular",
    "t_norm": "product",
    "class_scores": "sum",
    "max_base_rules": 100,
    "cv": 3,
    "rule_penalty": 0.002,
    "population_size": 20,
    "generations": 15,
    "patience": 5,
    "max_samples": 5000,
    "version": 1,
}
ROUGH_NEURAL_PARAMS = {
    "discretization": "quantile",
    "n_bins": 4,
    "reduct": "quickreduct",
    **MLP_PARAMS,
    "version": 1,
}


class _ReductColumns(SelectorMixin, BaseEstimator):
    """Keep the columns of a rough-set reduct of a discretized copy of X.

    The (already preprocessed, numeric) columns are discretized with
    :class:`~ecrm_methods.rough_sets.RoughSetDiscretizer` (ordinal codes), a reduct of that table
    is found with :class:`~ecrm_methods.rough_sets.RoughSetReducer`, and those columns of the
    original X pass through. When the reduct is empty (no indiscernibility class of the
    discretized table is pure, so the positive region is empty and no column is needed to keep
    it), every column is kept.
    """

    _parameter_constraints: dict = {
        "method": [StrOptions({"quantile", "uniform", "maxdiscernibility"})],
        "n_bins": [Interval(numbers.Integral, 2, None, closed="left")],
        "reduct": [StrOptions({"quickreduct", "greedy"})],
    }

    def __init__(self, method="quantile", n_bins=4, reduct="quickreduct"):
        self.method = method
        self.n_bins = n_bins
        self.reduct = reduct

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64)
        discretizer = RoughSetDiscretizer(method=self.method, n_bins=self.n_bins, encode="ordinal")
        table = discretizer.fit_transform(X, y)
        self.reducer_ = RoughSetReducer(method=self.reduct).fit(table, y)
        support = np.asarray(self.reducer_.get_support(), dtype=bool)
        self.empty_reduct_ = not support.any()
        self.support_ = np.ones_like(support) if self.empty_reduct_ else support
        return self

    def _get_support_mask(self):
        check_is_fitted(self, "support_")
        return self.support_


class _NamedColumns(TransformerMixin, BaseEstimator):
    """Output of ``transformer`` as a DataFrame named by its ``get_feature_names_out``.

    The rule learners print the names of their inputs; ``set_output(transform="pandas")``
    cannot name the preprocessed columns when the preprocessor holds a TF-IDF step (which has
    no ``set_output``), this wrapper can.
    """

    _parameter_constraints: dict = {
        "transformer": [HasMethods(["fit", "transform", "get_feature_names_out"])],
    }

    def __init__(self, transformer):
        self.transformer = transformer

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        self.transformer_ = clone(self.transformer).fit(X, y)
        return self

    def transform(self, X):
        check_is_fitted(self, "transformer_")
        values = self.transformer_.transform(X)
        values = values.toarray() if sparse.issparse(values) else np.asarray(values)
        return pd.DataFrame(
            values,
            columns=self.get_feature_names_out(),
            index=X.index if isinstance(X, pd.DataFrame) else None,
        )

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "transformer_")
        return np.asarray(self.transformer_.get_feature_names_out(), dtype=object)


def _preprocessor(data: ProblemData, named: bool = False):
    preprocessor = data.make_preprocessor(
        text_max_features=TEXT_MAX_FEATURES,
        text_svd_components=TEXT_SVD_COMPONENTS if data.text_features else None,
        sparse_output=False,
    )
    return _NamedColumns(preprocessor) if named else preprocessor


def _tsk_kwargs(random_state: int) -> dict:
    params = {key: value for key, value in TSK_PARAMS.items() if key != "version"}
    return dict(params, random_state=random_state, verbose=0)


def _tsk_classifier(class_weight: str | None):
    def factory(data: ProblemData, random_state: int) -> Pipeline:
        kwargs = dict(_tsk_kwargs(random_state), order=TSK_CLASSIFIER_ORDER)
        model = TSKFuzzyClassifier(class_weight=class_weight, **kwargs)
        # the rules name the preprocessed columns
        return Pipeline([("preprocess", _preprocessor(data, named=True)), ("model", model)])

    return factory


def _tsk_regressor(data: ProblemData, random_state: int) -> Pipeline:
    return Pipeline(
        [
            ("preprocess", _NamedColumns(data.make_preprocessor(sparse_output=False))),
            ("model", TSKFuzzyRegressor(**_tsk_kwargs(random_state))),
        ]
    )


def _genetic_fuzzy(scoring: str):
    def factory(data: ProblemData, random_state: int) -> Pipeline:
        params = {
            key: value
            for key, value in GENETIC_FUZZY_PARAMS.items()
            if key not in ("version", "k_inputs")
        }
        tuner = GAFuzzyRuleTuner(scoring=scoring, **params, random_state=random_state, verbose=0)
        select = SelectKBest(f_classif, k=GENETIC_FUZZY_PARAMS["k_inputs"])
        return Pipeline(
            [
                ("preprocess", _preprocessor(data, named=True)),
                ("select", select.set_output(transform="pandas")),
                ("model", tuner),
            ]
        )

    return factory


def _rough_neural(class_weight: str | None):
    def factory(data: ProblemData, random_state: int) -> Pipeline:
        reduct = _ReductColumns(
            method=ROUGH_NEURAL_PARAMS["discretization"],
            n_bins=ROUGH_NEURAL_PARAMS["n_bins"],
            reduct=ROUGH_NEURAL_PARAMS["reduct"],
        )
        return Pipeline(
            [
                ("preprocess", _preprocessor(data)),
                ("reduct", reduct),
                (
                    "model",
                    TorchMLPClassifier(class_weight=class_weight, **_mlp_kwargs(random_state)),
                ),
            ]
        )

    return factory


_TSK_FIXED = (
    "fixed: the readability limits (30 rules, 3 conditions, 3 terms) and training settings set "
    "a priori; early stopping on 15 % of the training fold"
)
_TSK_CLASSIFIER_FIXED = (
    "fixed: first-order consequents, the readability limits (30 rules, 3 conditions, 3 terms) "
    "and training settings set a priori; early stopping on 15 % of the training fold"
)
_GENETIC_FUZZY_FIXED = (
    "fixed: 5 inputs, GA settings set a priori (population 20, 15 generations, patience 5, "
    "0.002 per rule, fitness on at most 5000 rows)"
)
_ROUGH_NEURAL_FIXED = (
    "fixed: 4 quantile bins for the reduct and the neural family's MLP settings, set a priori"
)

for _problem, _scoring, _weights in (
    ("churn", "roc_auc", None),
    ("response", "roc_auc", None),
    ("satisfaction", "balanced_accuracy", "balanced"),
):
    register_method(
        "tsk_rules",
        "neural",
        _problem,
        _tsk_classifier(_weights),
        params={**TSK_PARAMS, "order": TSK_CLASSIFIER_ORDER, "class_weight": _weights},
        description="neuro-fuzzy TSK rules (<= 30 rules, <= 3 conditions) tuned by gradient "
        "descent",
        tuning=_TSK_CLASSIFIER_FIXED,
    )
    register_method(
        "genetic_fuzzy_rules",
        "genetic",
        _problem,
        _genetic_fuzzy(_scoring),
        params={**GENETIC_FUZZY_PARAMS, "scoring": _scoring},
        description=f"Wang-Mendel rules, GA lateral term tuning + rule selection (3-fold "
        f"{_scoring} fitness minus a rule penalty)",
        tuning=_GENETIC_FUZZY_FIXED,
    )
    register_method(
        "rough_neural",
        "neural",
        _problem,
        _rough_neural(_weights),
        params={**ROUGH_NEURAL_PARAMS, "class_weight": _weights},
        description="rough-set reduct of the discretized features selects the MLP's inputs",
        tuning=_ROUGH_NEURAL_FIXED,
    )

register_method(
    "tsk_rules",
    "neural",
    "value",
    _tsk_regressor,
    params={**TSK_PARAMS, "targets": "joint, standardized"},
    description="neuro-fuzzy TSK rules predicting purchases and spend per week jointly",
    learns_from="training_window",
    tuning=_TSK_FIXED,
)
