"""Genetic algorithms and genetic programming on DEAP for analytical eCRM.

- :class:`GAFeatureSelector`: wrapper feature selection (churn, satisfaction).
- :class:`GAClustering`: cluster centres evolved by a GA (segmentation).
- :class:`GARoughKMeansTuner`: GA search of rough k-means' weight and threshold (Mitra 2004).
- :class:`GPSymbolicRegressor`: genetic-programming formulas (customer value).
- :class:`RetentionCampaignOptimizer`: whom to target with a retention offer under a
  budget, compared with :func:`greedy_campaign_selection` and the exact
  :func:`exact_campaign_selection`.

DEAP hygiene: no ``deap.creator`` types are created (plain module-level classes
instead), every fit builds its own toolbox, and DEAP's use of the global
:mod:`random` is seeded from ``random_state`` and restored afterwards (see
:mod:`ecrm_methods.genetic._base`).
"""

from .campaign import (
    RetentionCampaignOptimizer,
    campaign_economics,
    exact_campaign_selection,
    greedy_campaign_selection,
)
from .clustering import GAClustering, GARoughKMeansTuner, rough_davies_bouldin
from .feature_selection import GAFeatureSelector
from .symbolic import GPSymbolicRegressor

__all__ = [
    "GAClustering",
    "GAFeatureSelector",
    "GARoughKMeansTuner",
    "GPSymbolicRegressor",
    "RetentionCampaignOptimizer",
    "campaign_economics",
    "exact_campaign_selection",
    "greedy_campaign_selection",
    "rough_davies_bouldin",
]
