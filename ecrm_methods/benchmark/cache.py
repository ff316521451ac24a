"""The on-disk result cache of the benchmark: one pickle file per task key.

A re-run computes only the tasks whose key is new. Failed tasks are never cached, so a re-run
tries them again. Files are written atomically (temporary file, then rename).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

__all__ = ["CACHE_VERSION", "cache_path", "read_cache", "write_cache"]

#: Bump to invalidate every cached result (e.g. when the scoring protocol changes).
CACHE_VERSION = "1"


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
