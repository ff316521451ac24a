"""The on-disk result cache of the benchmark: one pickle file per task key.

A task's key hashes everything that determines its result, so a cached result cannot go stale:

- the estimator the method builds, as ``get_params(deep=True)`` made canonical
  (:func:`estimator_fingerprint`): a changed setting is a new key;
- the package source (:func:`package_source_hash`, sha256 over every ``.py`` file of
  ``ecrm_methods``): a changed optimizer, metric or builder is a new key, with no version string
  to remember to bump;
- the versions of the libraries that compute results (:func:`library_versions`);
- the data: the sha256 of each dataset file the pair is built from (the loaders verify those
  bytes on every read) and the problem builder;
- the problem, dataset, method, seed, fold, split and protocol options.

A re-run computes only the tasks whose key is new. Failed tasks are never cached, so a re-run
tries them again. Files are written atomically (temporary file, then rename).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import inspect
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

import ecrm_methods

__all__ = [
    "CACHE_VERSION",
    "LIBRARIES",
    "cache_path",
    "estimator_fingerprint",
    "library_versions",
    "package_source_hash",
    "read_cache",
    "write_cache",
]

#: Layout version of the cache files themselves (not of results: those are keyed by source).
CACHE_VERSION = "2"

#: The libraries whose versions are part of every key.
LIBRARIES = ("numpy", "scipy", "pandas", "scikit-learn", "torch", "deap", "scikit-fuzzy")


@functools.lru_cache(maxsize=8)
def package_source_hash(root: str | None = None) -> str:
    """sha256 over the relative path and bytes of every ``.py`` file under ``root``.

    Parameters
    ----------
    root : str or None
        Package folder; the installed ``ecrm_methods`` by default.
    """
    root_path = Path(root) if root is not None else Path(ecrm_methods.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root_path.rglob("*.py")):
        digest.update(path.relative_to(root_path).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """Installed version of each of :data:`LIBRARIES` ("missing" when not installed)."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def _canonical(value: Any) -> Any:
    if hasattr(value, "get_params") and not isinstance(value, type):
        params = value.get_params(deep=False)
        return {
            "class": f"{type(value).__module__}.{type(value).__qualname__}",
            "params": {key: _canonical(params[key]) for key in sorted(params)},
        }
    if isinstance(value, dict):
        return {str(key): _canonical(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if callable(value):
        name = getattr(value, "__qualname__", type(value).__qualname__)
        module = getattr(value, "__module__", "")
        try:
            source = inspect.getsource(value)
        except (OSError, TypeError):
            source = ""
        return {"callable": f"{module}.{name}", "source": source}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return {"repr": repr(value), "class": type(value).__qualname__}


def estimator_fingerprint(estimator: Any) -> str:
    """A canonical JSON text of an unfitted estimator's parameters, nested estimators included.

    Estimators become their class and ``get_params(deep=False)`` recursively (so a pipeline's
    steps, a search's grid and a selector's inner model all count); functions become their
    qualified name and source; arrays their values.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> estimator_fingerprint(LogisticRegression(C=1.0)) == estimator_fingerprint(
    ...     LogisticRegression(C=2.0))
    False
    """
    return json.dumps(_canonical(estimator), sort_keys=True, default=str)


def cache_path(cache_dir: Path, task) -> Path:
    return cache_dir / task.problem / task.dataset / f"{task.spec.name}-{task.key[:32]}.pkl"


def read_cache(cache_dir: Path | None, task) -> list[dict] | None:
    if cache_dir is None:
        return None
    path = cache_path(cache_dir, task)
    if not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            rows = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a corrupt cache file is recomputed
        return None
    return rows if isinstance(rows, list) else None


def write_cache(cache_dir: Path | None, task, rows: list[dict]) -> None:
    if cache_dir is None or any(row.get("error") for row in rows):
        return  # failures are not cached: a re-run tries them again
    path = cache_path(cache_dir, task)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        pickle.dump(rows, stream, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)
