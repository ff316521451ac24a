"""Genetic algorithms and genetic programming on DEAP for analytical eCRM.

- :class:`GAFeatureSelector`: wrapper feature selection (churn, satisfaction).
- :class:`GAClustering`: cluster centres evolved by a GA (segmentation).
- :class:`GARoughKMeansTuner`: GA search of rough k-means' weight and threshold (Mitra 2004).
- :class:`GAReductSelector`: rough-set reducts found by a GA over attribute subsets
  (Wroblewski 1995).
- :class:`GPSymbolicRegressor`: genetic-programming formulas (customer value).
- :class:`ProfLogitClassifier`: a logistic scoring rule whose coefficients a GA evolves to
  maximise campaign profit on the training customers (Stripling et al. 2018; response).
- :class:`GAFuzzyRuleTuner`: a genetic fuzzy system (Cordon, Herrera et al.): GA lateral tuning
  of the linguistic terms and rule selection of a Wang-Mendel rule base; the result is a
  :class:`ecrm_methods.fuzzy.FuzzyRuleClassifier`.
- :class:`RetentionCampaignOptimizer`: whom to target with a retention offer under a
  budget, compared with :func:`greedy_campaign_selection` and the exact
  :func:`exact_campaign_selection`.

The hybrids (:class:`GARoughKMeansTuner`, :class:`GAReductSelector`) optimise a rough-set
objective through the public API of :mod:`ecrm_methods.rough_sets`; the rough-set family
imports nothing from this one.

DEAP hygiene: no ``deap.creator`` types are created (plain module-level classes
instead), every fit builds its own toolbox, and DEAP's operators draw from a private
:class:`random.Random` seeded from ``random_state``, one per fit and thread, so fits
running concurrently in threads give their serial results and the global
:mod:`random` is never touched (see :mod:`ecrm_methods.genetic._base`).
"""

from .campaign import (
    RetentionCampaignOptimizer,
    campaign_economics,
    exact_campaign_selection,
    greedy_campaign_selection,
)
from .clustering import GAClustering, GARoughKMeansTuner, rough_davies_bouldin
from .feature_selection import GAFeatureSelector
from .genetic_fuzzy import GAFuzzyRuleTuner
from .proflogit import ProfLogitClassifier
from .reducts import GAReductSelector
from .symbolic import GPSymbolicRegressor

__all__ = [
    "GAClustering",
    "GAFeatureSelector",
    "GAFuzzyRuleTuner",
    "GAReductSelector",
    "GARoughKMeansTuner",
    "GPSymbolicRegressor",
    "ProfLogitClassifier",
    "RetentionCampaignOptimizer",
    "campaign_economics",
    "exact_campaign_selection",
    "greedy_campaign_selection",
    "rough_davies_bouldin",
]
