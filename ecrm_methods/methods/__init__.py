"""Method registrations: importing this package registers every available method.

``baseline`` (the comparison baselines) is always imported; each family module
(``neural``, ``genetic``, ``rough_sets``, ``fuzzy``) is imported when it exists. A family module
that fails to import is reported with a warning and listed in :data:`IMPORT_ERRORS`, so one
broken family does not take the benchmark down.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings

from ecrm_methods.methods import baseline  # noqa: F401  (registers the baselines)

FAMILY_MODULES = ("neural", "genetic", "rough_sets", "fuzzy")

#: Family module name -> the error raised when importing it.
IMPORT_ERRORS: dict[str, str] = {}

for _family in FAMILY_MODULES:
    _name = f"{__name__}.{_family}"
    if importlib.util.find_spec(_name) is None:
        continue
    try:
        importlib.import_module(_name)
    except Exception as _error:  # noqa: BLE001 - keep the other families usable
        IMPORT_ERRORS[_family] = f"{type(_error).__name__}: {_error}"
        warnings.warn(
            f"ecrm_methods.methods.{_family} failed to import and its methods are not "
            f"registered: {IMPORT_ERRORS[_family]}",
            RuntimeWarning,
            stacklevel=2,
        )
