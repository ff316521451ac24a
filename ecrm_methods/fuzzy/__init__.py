"""Fuzzy-set methods for analytical eCRM (模糊集).

- :class:`FuzzyCMeans`: fuzzy c-means clustering (soft customer segments), with validity
  indices and a scan over the number of clusters.
- :class:`FuzzyRuleClassifier`, :class:`FuzzyRuleRegressor`: Mamdani rule systems with
  readable rules (written by a person or learned by Wang-Mendel), vectorized over rows.
- :class:`FuzzyRFMScorer`: degrees to which customers are "high value", "at risk", "new", ...
- :class:`FuzzyValueTierRegressor`: holdout purchases and spend from fuzzy value tiers.
"""

from ._cmeans import FuzzyCMeans, fuzzy_memberships
from ._mamdani import FuzzyRuleClassifier, FuzzyRuleRegressor
from ._rules import (
    FuzzyClause,
    FuzzyRule,
    centroid_defuzzify,
    default_term_names,
    membership_function,
    parse_rule,
    quantile_partition,
)
from ._scoring import (
    DEFAULT_RFM_SEGMENTS,
    FuzzyRFMScorer,
    FuzzyValueTierRegressor,
    fuzzy_rfm_segments,
)
from ._validity import (
    fuzzy_cmeans_validity_scan,
    fuzzy_silhouette,
    partition_coefficient,
    partition_entropy,
    xie_beni_index,
)

__all__ = [
    "DEFAULT_RFM_SEGMENTS",
    "FuzzyRFMScorer",
    "FuzzyValueTierRegressor",
    "fuzzy_rfm_segments",
    "FuzzyCMeans",
    "FuzzyClause",
    "FuzzyRule",
    "FuzzyRuleClassifier",
    "FuzzyRuleRegressor",
    "centroid_defuzzify",
    "default_term_names",
    "fuzzy_cmeans_validity_scan",
    "fuzzy_memberships",
    "fuzzy_silhouette",
    "membership_function",
    "parse_rule",
    "partition_coefficient",
    "partition_entropy",
    "quantile_partition",
    "xie_beni_index",
]
