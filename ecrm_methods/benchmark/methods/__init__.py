"""How the benchmark configures each family for each problem: one module per family.

Importing this package imports every registration module explicitly (the baselines, the
four families and the hybrids of two families). There is no fallback: a module that fails to
import raises, so a leaderboard can never silently lose a family.
"""

from __future__ import annotations

from ecrm_methods.benchmark.methods import (  # noqa: F401  (each module registers its methods)
    baselines,
    fuzzy,
    genetic,
    hybrids,
    neural,
    rough_sets,
)

#: The registration modules, in the order they are imported.
MODULES = ("baselines", "neural", "genetic", "rough_sets", "fuzzy", "hybrids")
