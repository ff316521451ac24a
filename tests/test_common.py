"""scikit-learn's estimator checks on every public estimator of ``ecrm_methods``.

Modelled on imbalanced-learn's ``tests/test_common.py``: the estimators are not listed by hand
but *discovered* by walking the package, so a new estimator is checked as soon as it exists.
Each one is built with the small, fast parameters of :data:`CHECKING_PARAMETERS` (one checked
instance per configuration, as imbalanced-learn's ``_set_checking_parameters``) or, when it has
no entry there, with its defaults. The checks each estimator cannot pass are declared, with the
reason, in :func:`_expected_failed_checks`; estimators that are not ``X, y`` estimators are
listed with the reason in :data:`NOT_XY_ESTIMATORS`.

Three guard tests keep this honest: every module of the package imports, every discovered
estimator is among the checked instances (or explicitly excluded), and the tables below only
name estimators and parameters that exist.

Notes on how the estimators meet the checks (kept from the family test files):

- neural: predictions run through a float64 copy of the trained network (float32 GEMM rounding
  otherwise varies with the number of rows, failing ``check_methods_subset_invariance``) and
  SOM distances are computed by direct float64 differences for the same reason;
- genetic: ``GAFeatureSelector`` is checked with ``scoring=None`` (the estimator's own score)
  because the checks feed multiclass targets, for which the default ``"roc_auc"`` is not
  defined; it declares ``allow_nan`` from its inner estimator, as scikit-learn's RFE does;
- rough sets: the categorical estimators declare ``input_tags.categorical`` and
  ``input_tags.string`` because every column is treated as a set of categories; the discretizer
  is checked with ``encode="ordinal"`` because the default interval labels are strings, which
  the numeric comparisons of the checks cannot compare; ``ValueTierRuleRegressor`` declares
  ``regressor_tags.poor_score`` because it predicts one of two tier means, a step function that
  cannot reach the R^2 the regression check asks for.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil

import pytest
from sklearn.base import BaseEstimator
from sklearn.naive_bayes import GaussianNB
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

import ecrm_methods

# --------------------------------------------------------------------------------------------
# Discovery
# --------------------------------------------------------------------------------------------

#: Modules that hold no estimators: the command line and the benchmark configuration (which
#: wraps the estimators below into registered methods). A module is skipped when its dotted
#: name is one of these or lies under one of them.
SKIPPED_MODULES = ("ecrm_methods.cli", "ecrm_methods.benchmark", "ecrm_methods.methods")

#: Discovered classes that are not ``X, y`` estimators, so the generic checks cannot call
#: them; each is tested in its family's test file instead.
NOT_XY_ESTIMATORS = {
    "RetentionCampaignOptimizer": (
        "its fit takes churn probabilities, customer values and offer costs (a budgeted "
        "selection problem), not a feature matrix X and a target y; its determinism, pickling "
        "and clone are tested in tests/test_genetic.py"
    ),
}


def _is_skipped(module_name: str) -> bool:
    return any(
        module_name == skipped or module_name.startswith(skipped + ".")
        for skipped in SKIPPED_MODULES
    )


def _discover_estimators() -> tuple[list[type], dict[str, str]]:
    """Walk ``ecrm_methods`` and return its public estimator classes and any import errors.

    A class counts when it subclasses :class:`~sklearn.base.BaseEstimator`, its name does not
    start with ``_``, it is defined in ``ecrm_methods`` (not re-exported from scikit-learn) and
    it is not abstract. Classes re-exported by a family's ``__init__`` are kept once.
    """
    import_errors: dict[str, str] = {}

    def on_walk_error(name):
        if not _is_skipped(name):
            import_errors[name] = "could not be imported while walking the package"

    found: dict[type, None] = {}
    for module_info in pkgutil.walk_packages(
        ecrm_methods.__path__, prefix="ecrm_methods.", onerror=on_walk_error
    ):
        if _is_skipped(module_info.name):
            continue
        try:
            module = importlib.import_module(module_info.name)
        except Exception as error:  # reported by test_every_module_imports, not at collection
            import_errors[module_info.name] = f"{type(error).__name__}: {error}"
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and not name.startswith("_")
                and cls.__module__.startswith("ecrm_methods")
                and not inspect.isabstract(cls)
            ):
                found[cls] = None
    return sorted(found, key=lambda cls: (cls.__name__, cls.__module__)), import_errors


DISCOVERED, IMPORT_ERRORS = _discover_estimators()

# --------------------------------------------------------------------------------------------
# Checking parameters
# --------------------------------------------------------------------------------------------

_FAST_MLP = {"hidden_layer_sizes": (16,), "max_epochs": 30, "learning_rate": 0.02}

#: Small, fast parameters per estimator class name: one checked instance per dictionary.
#: Several dictionaries check several configurations whose code paths differ. A class without
#: an entry is checked with its default parameters.
CHECKING_PARAMETERS: dict[str, list[dict]] = {
    # baselines and CLV
    "SilhouetteKMeans": [{"max_clusters": 3, "n_init": 2, "random_state": 0}],
    "RFMQuintileSegments": [{}],
    "NaiveValueForecaster": [{"holdout_length": 39.0}],
    "BGNBDGammaGammaForecaster": [{"holdout_length": 39.0}],
    "ParetoNBDGammaGammaForecaster": [{"holdout_length": 39.0}],
    "MBGNBDGammaGammaForecaster": [{"holdout_length": 39.0}],
    # fuzzy
    "FuzzyCMeans": [{"n_clusters": 3, "max_iter": 30}],
    "FuzzyRuleClassifier": [{"resolution": 21}],
    "FuzzyRuleRegressor": [{"resolution": 21}],
    "FuzzyRFMScorer": [{}],
    "FuzzyValueTierRegressor": [{"max_iter": 30, "n_init": 1}],
    # genetic
    "GAFeatureSelector": [
        {
            "estimator": GaussianNB(),
            "scoring": None,
            "cv": 2,
            "population_size": 4,
            "generations": 1,
            "random_state": 0,
        }
    ],
    "GAClustering": [
        {"n_clusters": 3, "population_size": 4, "generations": 2, "random_state": 0},
        {
            "n_clusters": 2,
            "fitness": "davies_bouldin",
            "population_size": 4,
            "generations": 1,
            "random_state": 0,
        },
    ],
    "GPSymbolicRegressor": [{"population_size": 20, "generations": 3, "random_state": 0}],
    "GARoughKMeansTuner": [
        {
            "n_clusters": 3,
            "population_size": 3,
            "generations": 1,
            "n_init": 1,
            "random_state": 0,
        }
    ],
    "ProfLogitClassifier": [
        {"population_size": 10, "generations": 3, "patience": 2, "random_state": 0},
        {"population_size": 10, "generations": 2, "l1_ratio": 0.0, "C": 0.1, "random_state": 0},
    ],
    "GAFuzzyRuleTuner": [
        {
            "max_base_rules": 20,
            "cv": 2,
            "population_size": 4,
            "generations": 1,
            "resolution": 21,
            "random_state": 0,
        }
    ],
    # neural
    "TorchMLPClassifier": [{**_FAST_MLP, "random_state": 0}],
    "TorchMLPRegressor": [{**_FAST_MLP, "random_state": 0}],
    "SelfOrganizingMap": [{"n_rows": 4, "n_cols": 4, "n_epochs": 3, "random_state": 0}],
    "SOMClustering": [
        {"n_clusters": 3, "n_rows": 5, "n_cols": 5, "n_epochs": 5, "random_state": 0}
    ],
    "TSKFuzzyClassifier": [{"max_rules": 6, "max_epochs": 10, "random_state": 0}],
    "TSKFuzzyRegressor": [{"max_rules": 6, "max_epochs": 10, "random_state": 0}],
    # rough sets
    "RoughSetReducer": [
        {},
        {"method": "all"},
        {"method": "greedy", "heuristic": "discernibility"},
    ],
    "GAReductSelector": [{"population_size": 6, "generations": 3, "random_state": 0}],
    "RoughSetDiscretizer": [
        {"encode": "ordinal"},
        {"method": "maxdiscernibility", "encode": "ordinal"},
    ],
    "LEM2Classifier": [{}],
    "RoughKMeans": [{"n_init": 2, "max_iter": 20}],
    "ValueTierRuleRegressor": [{}],
}


def _build_instances():
    """Build the checked instances.

    Returns the instances, the classes that have no table entry and cannot be built with their
    defaults, and the table configurations the current classes no longer accept. Both lists
    are reported by tests rather than raised here, so one stale entry cannot stop collection
    of every other check.
    """
    instances, unbuildable, stale = [], {}, {}
    for cls in DISCOVERED:
        if cls.__name__ in NOT_XY_ESTIMATORS:
            continue
        for params in CHECKING_PARAMETERS.get(cls.__name__, [None]):
            try:
                instance = cls() if params is None else cls(**copy.deepcopy(params))
            except Exception as error:
                problem = f"{type(error).__name__}: {error}"
                if params is None:
                    unbuildable[cls.__name__] = problem
                else:
                    stale[f"{cls.__name__}({params})"] = problem
                continue
            if params is not None:
                unknown = sorted(set(params) - set(instance.get_params(deep=False)))
                if unknown:
                    stale[f"{cls.__name__}({params})"] = f"unknown parameters {unknown}"
                    continue
            instances.append(instance)
    return instances, unbuildable, stale


INSTANCES, UNBUILDABLE, STALE_CONFIGURATIONS = _build_instances()

# --------------------------------------------------------------------------------------------
# Expected failures
# --------------------------------------------------------------------------------------------

#: The checks that fit on a plain numpy array (no column names) and that a clusterer or
#: transformer meets; a regressor meets those of _NAMED_COLUMNS_REGRESSOR_CHECKS as well.
_NAMED_COLUMNS_CHECKS = (
    "check_clustering",
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_dtype_object",
    "check_estimators_dtypes",
    "check_estimators_fit_returns_self",
    "check_estimators_nan_inf",
    "check_estimators_overwrite_params",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit2d_1sample",
    "check_fit2d_predict1d",
    "check_fit_check_is_fitted",
    "check_fit_idempotent",
    "check_fit_score_takes_y",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_n_features_in",
    "check_n_features_in_after_fitting",
    "check_pipeline_consistency",
    "check_positive_only_tag_during_fit",
    "check_readonly_memmap_input",
)
_NAMED_COLUMNS_REGRESSOR_CHECKS = (
    "check_regressor_data_not_an_array",
    "check_regressors_int",
    "check_regressors_no_decision_function",
    "check_regressors_train",
    "check_requires_y_none",
    "check_supervised_y_2d",
)


def _expected_failed_checks(estimator) -> dict[str, str]:
    """The checks each estimator cannot pass, and why (keyed by check name).

    - ``FuzzyRFMScorer`` scores exactly three columns (recency, frequency, monetary); the
      generic checks feed 1, 2, 4, 5 or 10 columns, which it rejects with a clear ValueError.
    - ``RFMQuintileSegments``, ``NaiveValueForecaster`` and ``BGNBDGammaGammaForecaster`` read
      their columns by name (``recency_days, frequency, monetary``, respectively the
      calibration summary ``frequency, recency, T, monetary_value`` of
      ``features.rfm_train_test_split``), so they need a DataFrame with those columns and
      reject a plain array, by design: a column silently taken by position would be a wrong
      forecast. Every generic check that fits on an unnamed array therefore fails; those that
      do not fit (clone, get/set_params, repr, tags, unfitted errors, ...) still run. The value
      forecasters' holdout length has no default and is set in ``CHECKING_PARAMETERS``.
    - ``SilhouetteKMeans`` rejects one row with "X has 1 rows; k-means with min_clusters=2
      needs more.", which is clear but is not one of the phrases ``check_fit2d_1sample`` looks
      for ("n_samples=1", "1 sample", ...).
    """
    name = type(estimator).__name__
    if name == "FuzzyRFMScorer":
        reason = (
            "FuzzyRFMScorer scores exactly three columns (recency, frequency, monetary), so "
            "generic check data with another number of columns is rejected by design"
        )
        return dict.fromkeys(
            [
                "check_estimators_overwrite_params",
                "check_estimators_fit_returns_self",
                "check_readonly_memmap_input",
                "check_n_features_in_after_fitting",
                "check_positive_only_tag_during_fit",
                "check_estimators_dtypes",
                "check_dtype_object",
                "check_fit2d_1sample",
                "check_fit2d_1feature",
                "check_fit_idempotent",
                "check_fit_check_is_fitted",
                "check_n_features_in",
            ],
            reason,
        )
    if name == "RFMQuintileSegments":
        reason = (
            "RFMQuintileSegments reads recency_days, frequency and monetary by column name, so "
            "the unnamed arrays of the generic checks are rejected by design"
        )
        return dict.fromkeys(_NAMED_COLUMNS_CHECKS, reason)
    if name in (
        "NaiveValueForecaster",
        "BGNBDGammaGammaForecaster",
        "ParetoNBDGammaGammaForecaster",
        "MBGNBDGammaGammaForecaster",
    ):
        reason = (
            f"{name} reads the calibration summary (frequency, recency, T, monetary_value) by "
            "column name, so the unnamed arrays of the generic checks are rejected by design"
        )
        failures = dict.fromkeys(_NAMED_COLUMNS_CHECKS + _NAMED_COLUMNS_REGRESSOR_CHECKS, reason)
        failures["check_estimators_nan_inf"] = (
            f"{reason}; besides, NaN passes its input validation on purpose (monetary_value is "
            "undefined for customers without a repeat purchase), so the NaN case is answered "
            "by the column-name error rather than a NaN error"
        )
        return failures
    if name == "SilhouetteKMeans":
        return {
            "check_fit2d_1sample": (
                "SilhouetteKMeans rejects a single row with 'X has 1 rows; k-means with "
                "min_clusters=2 needs more.', not with a phrase the check looks for such as "
                "'n_samples=1'"
            )
        }
    return {}


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="module")
def _single_threaded_blas():
    """Thousands of tiny model fits: BLAS threads only add contention (10x slower on 2 cores)."""
    with threadpool_limits(limits=1):
        yield


def test_every_module_imports():
    assert not IMPORT_ERRORS, (
        "modules of ecrm_methods that failed to import, so their estimators were not "
        f"discovered: {IMPORT_ERRORS}"
    )


def test_discovery_finds_the_estimators_of_every_family():
    names = {cls.__name__ for cls in DISCOVERED}
    # one known estimator per family and the baselines, so a broken walk cannot pass silently
    assert {
        "SilhouetteKMeans",
        "BGNBDGammaGammaForecaster",
        "FuzzyCMeans",
        "GAClustering",
        "TorchMLPClassifier",
        "LEM2Classifier",
    } <= names
    assert len(names) == len(DISCOVERED), "two discovered estimators share a class name"


def test_estimators_without_checking_parameters_build_with_defaults():
    assert not UNBUILDABLE, (
        "estimators with no entry in CHECKING_PARAMETERS that cannot be built with their "
        f"defaults, so the checks would skip them; add small, fast parameters: {UNBUILDABLE}"
    )


def test_every_discovered_estimator_is_checked():
    checked = {type(instance) for instance in INSTANCES}
    missing = [
        cls.__name__
        for cls in DISCOVERED
        if cls not in checked and cls.__name__ not in NOT_XY_ESTIMATORS
    ]
    assert not missing, f"discovered estimators missing from the checked instances: {missing}"


def test_tables_name_only_existing_estimators_and_parameters():
    names = {cls.__name__ for cls in DISCOVERED}
    unknown = sorted((set(CHECKING_PARAMETERS) | set(NOT_XY_ESTIMATORS)) - names)
    assert not unknown, f"CHECKING_PARAMETERS or NOT_XY_ESTIMATORS name no estimator: {unknown}"
    assert not STALE_CONFIGURATIONS, (
        f"CHECKING_PARAMETERS configurations the estimators no longer accept: "
        f"{STALE_CONFIGURATIONS}"
    )


@parametrize_with_checks(INSTANCES, expected_failed_checks=_expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
