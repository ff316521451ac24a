"""Input checks shared by :mod:`~ecrm_methods.evaluation.metrics` and :mod:`~ecrm_methods.evaluation.splits`.

Both helpers raise a ``ValueError`` / ``TypeError`` that names the argument, the bad value and
the fix. Checks used by one module only live in that module.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__: list[str] = []


def _as_1d(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as a 1-d numpy array or raise a clear error."""
    if values is None:
        raise TypeError(f"{name} is None; pass an array-like of values, one per row.")
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(
                f"{name} must be one column, got a DataFrame with {values.shape[1]} columns "
                f"({list(values.columns)[:5]}); select the column you mean."
            )
        values = values.iloc[:, 0]
    array = np.asarray(values)
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be 1-dimensional, got shape {array.shape}; pass one value per row."
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty; pass at least one row.")
    return array


def _check_same_length(**arrays: np.ndarray) -> int:
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(
            f"length mismatch: {described} rows; pass arrays for the same customers in the "
            "same order."
        )
    return next(iter(lengths.values()))
