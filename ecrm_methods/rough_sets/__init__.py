"""Rough sets for analytical eCRM (粗糙集): approximations, reducts, discretization, rules,
rough clustering.

Public API
----------
- :func:`indiscernibility_classes`, :func:`approximations`, :func:`positive_region`,
  :func:`dependency_degree`: Pawlak's (and Ziarko's variable-precision) model on a decision
  table.
- :class:`RoughSetReducer`: reducts (QuickReduct, greedy heuristics, all reducts) as a
  scikit-learn feature selector.
- :class:`DecisionTable`, :func:`validate_decision_table`, :class:`DependencyOracle`,
  :func:`prune_to_reduct`: the factorized table, the fast positive-region oracle and the
  pruning step that reduct searches are built on (the genetic reduct search of
  :class:`ecrm_methods.genetic.GAReductSelector` uses them; this package imports nothing
  from the genetic family).
- :class:`RoughSetDiscretizer`: quantile, equal-width and maximum-discernibility cuts with
  readable interval labels.
- :class:`LEM2Classifier`: certain and possible LEM2 rules with a readable rule table.
- :class:`ValueTierRuleRegressor`: rules that certainly or possibly make a top-tier customer.
- :class:`RoughKMeans`: Lingras & West's rough k-means.

The R package RoughSets (Riza et al., Information Sciences 287, 2014) is the feature
reference.
"""

from ._clustering import RoughKMeans
from ._core import (
    DecisionTable,
    approximations,
    dependency_degree,
    indiscernibility_classes,
    positive_region,
    validate_decision_table,
)
from ._dependency import DependencyOracle, prune_to_reduct
from ._discretize import RoughSetDiscretizer, interval_labels
from ._reducts import RoughSetReducer
from ._rules import LEM2Classifier, ValueTierRuleRegressor

__all__ = [
    "DecisionTable",
    "DependencyOracle",
    "LEM2Classifier",
    "RoughKMeans",
    "RoughSetDiscretizer",
    "RoughSetReducer",
    "ValueTierRuleRegressor",
    "approximations",
    "dependency_degree",
    "indiscernibility_classes",
    "interval_labels",
    "positive_region",
    "prune_to_reduct",
    "validate_decision_table",
]
