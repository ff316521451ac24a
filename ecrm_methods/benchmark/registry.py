"""The method registry: which estimator the benchmark runs for each (problem, family, name).

A *method* is a named way to build a fresh, unfitted estimator for one problem from its
:class:`~ecrm_methods.problems.ProblemData`. The family modules under
:mod:`ecrm_methods.benchmark.methods` register them with :func:`register_method` when they are
imported; importing :mod:`ecrm_methods.benchmark` imports every one of them explicitly, so the
registry is always complete (a registration module that fails to import is an import error, not
a silently shorter leaderboard).

The estimators themselves live in the family subpackages (:mod:`ecrm_methods.neural`,
:mod:`ecrm_methods.genetic`, :mod:`ecrm_methods.rough_sets`, :mod:`ecrm_methods.fuzzy`) and in
:mod:`ecrm_methods.baselines` / :mod:`ecrm_methods.clv`; they know nothing of this registry.

Estimator protocol per problem
------------------------------
- segmentation: ``fit(X)`` on an all-numeric, already scaled frame, then ``labels_``
  (int, -1 = unassigned / boundary);
- churn: ``fit(X, y)`` with ``y`` in {0, 1}; ``predict_proba(X)[:, 1]`` is the churn probability;
- satisfaction: ``fit(X, y)`` with the ordinal rating; ``predict(X)``; ``predict_proba(X)``
  optional (ROC-AUC of low ratings against the rest);
- value: ``fit(X, y)`` with the calibration summary ``frequency, recency, T, monetary_value``
  (plus extra columns) and ``y = [test_frequency, test_spend]``; ``predict(X)`` returns an
  (n, 2) array in that order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ecrm_methods.problems import PROBLEMS, ProblemData

__all__ = [
    "FAMILIES",
    "MethodSpec",
    "get_methods",
    "register_method",
    "registered_methods",
    "temporary_registrations",
    "unregister_method",
]

#: The four algorithm families and the practitioner baselines.
FAMILIES = ("baseline", "neural", "genetic", "rough_sets", "fuzzy")


@dataclass(frozen=True)
class MethodSpec:
    """A registered method: how to build a fresh estimator for one problem.

    Attributes
    ----------
    name : str
        Unique within ``problem``.
    family : str
        One of :data:`FAMILIES`.
    problem : str
        One of :data:`ecrm_methods.problems.PROBLEMS`.
    factory : callable ``(data, random_state) -> estimator``
        Returns a fresh UNFITTED estimator following the problem's protocol.
    datasets : tuple of str or None
        Datasets it applies to; None means every dataset of the problem.
    params : dict
        JSON-able description of the configuration (shown in results and cache keys).
    description : str
        One line for the leaderboard.
    """

    name: str
    family: str
    problem: str
    factory: Callable[[ProblemData, int], Any]
    datasets: tuple[str, ...] | None = None
    params: dict = field(default_factory=dict, hash=False, compare=False)
    description: str = ""

    def applies_to(self, dataset: str) -> bool:
        """Whether this method runs on ``dataset``."""
        return self.datasets is None or dataset in self.datasets

    def build(self, data: ProblemData, random_state: int):
        """A fresh unfitted estimator for ``data``."""
        return self.factory(data, random_state)


_METHODS: dict[tuple[str, str], MethodSpec] = {}
_LOCK = threading.Lock()


def register_method(
    name: str,
    family: str,
    problem: str,
    factory: Callable[[ProblemData, int], Any],
    datasets: tuple[str, ...] | None = None,
    params: dict | None = None,
    description: str = "",
) -> MethodSpec:
    """Register a method so the benchmark runner can find it.

    Parameters
    ----------
    name : str
        Unique within ``problem`` (the same name may be used for several problems).
    family : {"baseline", "neural", "genetic", "rough_sets", "fuzzy"}
    problem : {"segmentation", "churn", "value", "satisfaction"}
    factory : callable ``(data: ProblemData, random_state: int) -> estimator``
        Returns a fresh UNFITTED estimator following the problem's protocol.
    datasets : tuple of str or None
        Datasets it applies to; None means every dataset of the problem.
    params : dict or None
        JSON-able description of the configuration; part of the result-cache key.
    description : str
        One line for the leaderboard.

    Returns
    -------
    MethodSpec

    Raises
    ------
    ValueError
        Unknown family, problem or dataset, or a name already taken by another family.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"`name` must be a non-empty string, got {name!r}.")
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r} for method {name!r}; valid: {list(FAMILIES)}.")
    if problem not in PROBLEMS:
        raise ValueError(
            f"unknown problem {problem!r} for method {name!r}; valid: {list(PROBLEMS)}."
        )
    if not callable(factory):
        raise TypeError(f"`factory` of method {name!r} must be callable, got {type(factory)}.")
    if datasets is not None:
        datasets = tuple(datasets)
        unknown = [d for d in datasets if d not in PROBLEMS[problem].datasets]
        if unknown:
            raise ValueError(
                f"method {name!r}: datasets {unknown} are not datasets of problem {problem!r}; "
                f"valid: {list(PROBLEMS[problem].datasets)}."
            )
    spec = MethodSpec(
        name=name,
        family=family,
        problem=problem,
        factory=factory,
        datasets=datasets,
        params=dict(params or {}),
        description=description,
    )
    with _LOCK:
        previous = _METHODS.get((problem, name))
        if previous is not None and previous.family != family:
            raise ValueError(
                f"method name {name!r} for problem {problem!r} is already registered by family "
                f"{previous.family!r}; choose another name."
            )
        _METHODS[(problem, name)] = spec
    return spec


def unregister_method(problem: str, name: str) -> MethodSpec:
    """Remove a registered method and return its spec.

    Raises
    ------
    KeyError
        When no method ``name`` is registered for ``problem``.
    """
    with _LOCK:
        if (problem, name) not in _METHODS:
            raise KeyError(f"no method {name!r} is registered for problem {problem!r}.")
        return _METHODS.pop((problem, name))


@contextmanager
def temporary_registrations() -> Iterator[None]:
    """Undo every registration made inside the block (for tests and experiments).

    Examples
    --------
    >>> from ecrm_methods.benchmark.registry import (
    ...     get_methods, register_method, temporary_registrations)
    >>> from sklearn.dummy import DummyClassifier
    >>> with temporary_registrations():
    ...     _ = register_method("always_no", "baseline", "churn",
    ...                         lambda data, seed: DummyClassifier())
    ...     "always_no" in {m.name for m in get_methods("churn")}
    True
    >>> "always_no" in {m.name for m in get_methods("churn")}
    False
    """
    with _LOCK:
        saved = dict(_METHODS)
    try:
        yield
    finally:
        with _LOCK:
            _METHODS.clear()
            _METHODS.update(saved)


def registered_methods() -> list[MethodSpec]:
    """Every registered method, sorted by problem, family and name."""
    with _LOCK:
        specs = list(_METHODS.values())
    return sorted(specs, key=lambda s: (s.problem, s.family, s.name))


def get_methods(
    problem: str | None = None,
    family: str | list[str] | tuple[str, ...] | None = None,
    names: str | list[str] | tuple[str, ...] | None = None,
    dataset: str | None = None,
) -> list[MethodSpec]:
    """Registered methods, filtered.

    Parameters
    ----------
    problem : str or None
        Keep one problem's methods.
    family : str, sequence of str or None
        Keep these families.
    names : str, sequence of str, "all" or None
        Keep these method names; an unknown name raises ``ValueError`` listing the valid names.
    dataset : str or None
        Keep methods that apply to this dataset.

    Returns
    -------
    list of MethodSpec
        Sorted by problem, family, name.
    """
    if problem is not None and problem not in PROBLEMS:
        raise ValueError(f"unknown problem {problem!r}; valid problems: {list(PROBLEMS)}.")
    families = [family] if isinstance(family, str) else family
    if families is not None:
        unknown = [f for f in families if f not in FAMILIES]
        if unknown:
            raise ValueError(f"unknown family {unknown}; valid families: {list(FAMILIES)}.")
    specs = [
        spec
        for spec in registered_methods()
        if (problem is None or spec.problem == problem)
        and (families is None or spec.family in families)
        and (dataset is None or spec.applies_to(dataset))
    ]
    if isinstance(names, str):
        names = None if names == "all" else [n.strip() for n in names.split(",") if n.strip()]
    if names is not None:
        valid = sorted({spec.name for spec in specs})
        unknown = [n for n in names if n not in valid]
        if unknown:
            where = f" for problem {problem!r}" if problem else ""
            raise ValueError(f"unknown method(s) {unknown}{where}; valid method names: {valid}.")
        specs = [spec for spec in specs if spec.name in names]
    return specs
