"""The method x problem x dataset benchmark.

- :mod:`~ecrm_methods.benchmark.registry`: which estimator each (problem, family, name) runs;
- :mod:`~ecrm_methods.benchmark.methods`: one small module per family (and the baselines) that
  configures its estimators for each problem and registers them;
- :mod:`~ecrm_methods.benchmark.runner`: the cross-validated grid (:func:`run_benchmark`),
  local processes or a Dask cluster;
- :mod:`~ecrm_methods.benchmark.cache`: the on-disk result cache;
- :mod:`~ecrm_methods.benchmark.report`: the leaderboard.

Importing this package registers every method (explicitly, no optional imports), so
:func:`get_methods` always sees all five families. Nothing outside this package imports it
except the command line (:mod:`ecrm_methods.cli`).
"""

from ecrm_methods.benchmark import methods  # noqa: E402,F401,I001  (registers every method)
from ecrm_methods.benchmark.registry import (
    FAMILIES,
    MethodSpec,
    get_methods,
    register_method,
    registered_methods,
    temporary_registrations,
    unregister_method,
)
from ecrm_methods.benchmark.report import (  # noqa: E402
    HEADLINE_METRIC,
    KEY_METRICS,
    PROBLEM_METRICS,
    headline_markdown,
    write_leaderboard,
)
from ecrm_methods.benchmark.runner import (  # noqa: E402
    RESULT_COLUMNS,
    resolve_grid,
    run_benchmark,
    run_main_job,
)

__all__ = [
    "FAMILIES",
    "HEADLINE_METRIC",
    "KEY_METRICS",
    "PROBLEM_METRICS",
    "RESULT_COLUMNS",
    "MethodSpec",
    "get_methods",
    "headline_markdown",
    "register_method",
    "registered_methods",
    "resolve_grid",
    "run_benchmark",
    "run_main_job",
    "temporary_registrations",
    "unregister_method",
    "write_leaderboard",
]
