"""Metrics, leakage-safe cross-validation and statistical comparison of methods.

This subpackage is the evaluation half of the benchmark, one concern per module:

* :mod:`~ecrm_methods.evaluation.splits`: **duplicates and leakage-safe splits.**
  Near-duplicate customers leak across random folds (E Commerce churn: 1,112 of 5,630 rows
  have an exact twin, about 87 % a twin that differs in at most 2 of 19 columns).
  :func:`near_duplicate_groups` finds them quickly and :func:`make_splits` keeps each group
  inside one fold (``StratifiedGroupKFold``).
* :mod:`~ecrm_methods.evaluation.metrics`: **metrics** for the five eCRM problems: churn
  (:func:`classification_metrics`, with the expected maximum profit of Verbraken, Verbeke &
  Baesens 2013), campaign response (:func:`response_metrics`: :func:`profit_curve`,
  :func:`max_profit`, :func:`cumulative_gains`, lift), satisfaction (:func:`ordinal_metrics`), customer value (:func:`value_metrics`)
  and segmentation (:func:`clustering_metrics` on every customer,
  :func:`segment_outcome_metrics`, :func:`bootstrap_stability`), and
  :func:`bootstrap_metric_interval` for the interval of a single split.
* :mod:`~ecrm_methods.evaluation.stats`: **summaries and statistics** over a tidy results
  frame with columns ``problem, dataset, method, family, seed, fold, metric, value,
  fit_seconds``: :func:`summarize` (corrected resampled t or bootstrap intervals),
  :func:`leaderboard_markdown`, :func:`corrected_resampled_t_interval`,
  :func:`corrected_resampled_ttest` and :func:`pairwise_corrected_ttests` within a dataset,
  :func:`compare_families` across datasets (Friedman / Nemenyi, datasets as blocks) and
  :func:`compare_methods` (``autorank`` over seeds x folds).

The critical-difference diagram of a :func:`compare_methods` result is
:func:`ecrm_methods.plotting.plot_critical_difference`.

Every public name of the three modules is importable from here, e.g.
``from ecrm_methods.evaluation import make_splits``. Every metric function validates its input
first and raises a ``ValueError`` / ``TypeError`` that names the argument, the bad value and
the fix.
"""

from __future__ import annotations

from ecrm_methods.evaluation.metrics import (
    HIGHER_IS_BETTER,
    RESPONSE_DEPTHS,
    bootstrap_metric_interval,
    bootstrap_stability,
    campaign_profit,
    captured_response_at,
    choose_campaign_depth,
    choose_threshold,
    classification_metrics,
    clustering_metrics,
    cumulative_gains,
    expected_maximum_profit,
    lift_at,
    max_profit,
    ordinal_metrics,
    profit_curve,
    response_metrics,
    segment_outcome_metrics,
    top_decile_lift,
    value_metrics,
)
from ecrm_methods.evaluation.splits import duplicate_report, make_splits, near_duplicate_groups
from ecrm_methods.evaluation.stats import (
    RESULT_COLUMNS,
    SINGLE_SPLITS,
    CorrectedTTest,
    FamilyComparison,
    compare_families,
    compare_methods,
    corrected_resampled_t_interval,
    corrected_resampled_ttest,
    leaderboard_markdown,
    pairwise_corrected_ttests,
    summarize,
)

# Private, re-exported only because ecrm_methods.benchmark imports it from here today.
from ecrm_methods.evaluation.stats import _format_number as _format_number

__all__ = [
    "HIGHER_IS_BETTER",
    "RESPONSE_DEPTHS",
    "RESULT_COLUMNS",
    "SINGLE_SPLITS",
    "CorrectedTTest",
    "FamilyComparison",
    "bootstrap_metric_interval",
    "bootstrap_stability",
    "campaign_profit",
    "captured_response_at",
    "choose_campaign_depth",
    "choose_threshold",
    "classification_metrics",
    "clustering_metrics",
    "compare_families",
    "compare_methods",
    "corrected_resampled_t_interval",
    "corrected_resampled_ttest",
    "cumulative_gains",
    "duplicate_report",
    "expected_maximum_profit",
    "leaderboard_markdown",
    "lift_at",
    "make_splits",
    "max_profit",
    "near_duplicate_groups",
    "ordinal_metrics",
    "pairwise_corrected_ttests",
    "profit_curve",
    "response_metrics",
    "segment_outcome_metrics",
    "summarize",
    "top_decile_lift",
    "value_metrics",
]
