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
- response: as churn, with ``y`` = 1 for a responder; the score ranks whom a campaign contacts;
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
    "primary_methods",
    "register_method",
    "registered_methods",
    "temporary_registrations",
    "unregister_method",
]

#: The four algorithm families and the practitioner baselines.
FAMILIES = ("baseline", "neural", "genetic", "rough_sets", "fuzzy")

#: What a value method may learn from (see :class:`MethodSpec`).
LEARNS_FROM = ("calibration", "training_window")


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
        JSON-able description of the configuration (shown in the leaderboard).
    description : str
        One line for the leaderboard.
    learns_from : {"calibration", "training_window"} or None
        Value problem only. ``"calibration"``: a model of the calibration summary alone (BTYD
        models, naive and zero forecasts), fitted on the training customers' calibration data
        without any target. ``"training_window"``: a supervised regressor, trained on an earlier
        window of the training customers (features up to the training cut, per-week targets
        from the cut to the calibration end) and scaled to the holdout length. No value method
        ever sees a holdout purchase.
    segments_param : str or None
        Segmentation only: the parameter that sets the number of segments, so that every
        method is compared at the same number; None for a fixed scheme that keeps its own
        number (say so in ``description``).
    primary : bool
        The method that represents its family on its problem in the across-dataset comparison;
        declared in advance, never chosen by score. One per (problem, family).
    tuning : str
        How its settings were chosen: ``"fixed: ..."`` (without the benchmark data) or
        ``"inner CV: ..."`` (inside each training fold, over a declared grid).
    optional : bool
        Runs only when named explicitly (``methods="all"`` leaves it out): cross-checks that
        duplicate another method's result at a much higher cost, such as the PyMC-Marketing
        fit of the BG/NBD model.
    """

    name: str
    family: str
    problem: str
    factory: Callable[[ProblemData, int], Any]
    datasets: tuple[str, ...] | None = None
    params: dict = field(default_factory=dict, hash=False, compare=False)
    description: str = ""
    learns_from: str | None = None
    segments_param: str | None = None
    primary: bool = False
    tuning: str = "fixed: library defaults"
    optional: bool = False

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
    *,
    learns_from: str | None = None,
    segments_param: str | None = None,
    primary: bool = False,
    tuning: str = "fixed: library defaults",
    optional: bool = False,
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
    learns_from, segments_param, primary, tuning, optional
        See :class:`MethodSpec`. ``learns_from`` is required for value methods and not allowed
        elsewhere; ``segments_param`` only for segmentation.

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
    if problem == "value" and learns_from not in LEARNS_FROM:
        raise ValueError(
            f"value method {name!r} must say what it learns from: learns_from in "
            f"{list(LEARNS_FROM)}, got {learns_from!r}."
        )
    if problem != "value" and learns_from is not None:
        raise ValueError(
            f"learns_from is for value methods only; method {name!r} of problem {problem!r} "
            f"got {learns_from!r}."
        )
    if segments_param is not None and problem != "segmentation":
        raise ValueError(
            f"segments_param is for segmentation methods only; method {name!r} of problem "
            f"{problem!r} got {segments_param!r}."
        )
    if not isinstance(tuning, str) or not tuning.startswith(("fixed", "inner CV")):
        raise ValueError(
            f"tuning of method {name!r} must start with 'fixed' or 'inner CV', got {tuning!r}."
        )
    spec = MethodSpec(
        name=name,
        family=family,
        problem=problem,
        factory=factory,
        datasets=datasets,
        params=dict(params or {}),
        description=description,
        learns_from=learns_from,
        segments_param=segments_param,
        primary=bool(primary),
        tuning=tuning,
        optional=bool(optional),
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
    include_optional: bool = False,
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
        ``"all"`` or None keeps every method except the optional ones.
    dataset : str or None
        Keep methods that apply to this dataset.
    include_optional : bool, default=False
        Keep optional methods even when ``names`` does not name them.

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
    if names is None:
        return [spec for spec in specs if include_optional or not spec.optional]
    if names is not None:
        valid = sorted({spec.name for spec in specs})
        unknown = [n for n in names if n not in valid]
        if unknown:
            where = f" for problem {problem!r}" if problem else ""
            raise ValueError(f"unknown method(s) {unknown}{where}; valid method names: {valid}.")
        specs = [spec for spec in specs if spec.name in names]
    return specs


def primary_methods(problem: str | None = None) -> dict[tuple[str, str], str]:
    """The declared primary method of each (problem, family): ``{(problem, family): name}``.

    Raises
    ------
    ValueError
        When a (problem, family) declares more than one primary method.
    """
    primaries: dict[tuple[str, str], str] = {}
    for spec in get_methods(problem=problem):
        if not spec.primary:
            continue
        key = (spec.problem, spec.family)
        if key in primaries:
            raise ValueError(
                f"{key} declares two primary methods: {primaries[key]!r} and {spec.name!r}."
            )
        primaries[key] = spec.name
    return primaries
