"""The benchmark's method registry: registration, filtering, and the import rules around it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ecrm_methods.benchmark.registry import (
    FAMILIES,
    get_methods,
    primary_methods,
    register_method,
    registered_methods,
    temporary_registrations,
    unregister_method,
)


@pytest.fixture
def scratch_method():
    """Register throw-away methods; every registration is undone afterwards."""
    with temporary_registrations():

        def add(name, family="baseline", problem="value", **kwargs):
            if problem == "value":
                kwargs.setdefault("learns_from", "calibration")
            return register_method(name, family, problem, lambda data, seed: None, **kwargs)

        yield add


def test_get_methods_filters_and_names_unknown_methods():
    churn = get_methods(problem="churn")
    names = {spec.name for spec in churn}
    assert {"logistic_regression", "hist_gradient_boosting"} <= names
    assert all(spec.problem == "churn" for spec in churn)
    assert {s.family for s in get_methods(family="baseline")} == {"baseline"}
    only = get_methods(problem="value", names="naive_rate,bgnbd_gamma_gamma")
    assert [s.name for s in only] == ["bgnbd_gamma_gamma", "naive_rate"]
    with pytest.raises(ValueError, match=r"unknown method\(s\) \['svm'\].*valid method names.*"):
        get_methods(problem="churn", names=["svm"])
    with pytest.raises(ValueError, match="valid families"):
        get_methods(family="bayesian")


def test_dataset_restriction_of_a_method():
    def names(dataset, **kwargs):
        return {s.name for s in get_methods(problem="value", dataset=dataset, **kwargs)}

    assert "bgnbd_gamma_gamma_pymc" in names("cdnow-sample", include_optional=True)
    assert "bgnbd_gamma_gamma_pymc" not in names("cdnow", include_optional=True)
    # optional: left out of "all", run when named
    assert "bgnbd_gamma_gamma_pymc" not in names("cdnow-sample")
    named = get_methods(problem="value", names="bgnbd_gamma_gamma_pymc")
    assert [s.name for s in named] == ["bgnbd_gamma_gamma_pymc"]


def test_register_method_validates_its_arguments(scratch_method):
    with pytest.raises(ValueError, match="valid"):
        register_method("x", "deep_learning", "churn", lambda d, s: None)
    with pytest.raises(ValueError, match="valid"):
        register_method("x", "neural", "loyalty", lambda d, s: None)
    with pytest.raises(TypeError, match="callable"):
        register_method("x", "neural", "churn", "not a function")
    with pytest.raises(ValueError, match="not datasets of problem"):
        register_method("x", "neural", "churn", lambda d, s: None, datasets=("cdnow-sample",))
    spec = scratch_method("scratch_value_method", family="fuzzy", params={"m": 2.0})
    assert spec in get_methods(problem="value", family="fuzzy")
    # the same name from another family is a clash, not a silent overwrite
    with pytest.raises(ValueError, match="already registered by family 'fuzzy'"):
        register_method(
            "scratch_value_method", "neural", "value", lambda d, s: None, learns_from="calibration"
        )


def test_temporary_registrations_and_unregister_restore_the_registry(scratch_method):
    before = {(s.problem, s.name) for s in registered_methods()}
    scratch_method("scratch_a")
    assert ("value", "scratch_a") in {(s.problem, s.name) for s in registered_methods()}
    spec = unregister_method("value", "scratch_a")
    assert spec.name == "scratch_a"
    with pytest.raises(KeyError, match="no method 'scratch_a'"):
        unregister_method("value", "scratch_a")
    assert {(s.problem, s.name) for s in registered_methods()} == before


def test_every_family_registers_methods_for_every_problem():
    """Importing the benchmark registers all five families explicitly: none can go missing."""
    registered = {(s.problem, s.family) for s in registered_methods()}
    for problem in ("segmentation", "churn", "value", "satisfaction", "response"):
        for family in FAMILIES:
            assert (problem, family) in registered, (problem, family)


def _modules_after_import(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return {line for line in output.splitlines() if line.startswith("ecrm_methods")}


def test_problems_evaluation_and_families_do_not_import_the_benchmark():
    loaded = _modules_after_import(
        "import ecrm_methods.problems, ecrm_methods.evaluation, ecrm_methods.features, "
        "ecrm_methods.datasets, ecrm_methods.baselines, ecrm_methods.clv, "
        "ecrm_methods.neural, ecrm_methods.genetic, ecrm_methods.rough_sets, ecrm_methods.fuzzy"
    )
    assert "ecrm_methods.problems" in loaded and "ecrm_methods.genetic" in loaded
    assert not [m for m in loaded if m.startswith("ecrm_methods.benchmark")]


def test_rough_sets_does_not_import_genetic():
    loaded = _modules_after_import("import ecrm_methods.rough_sets")
    assert "ecrm_methods.rough_sets" in loaded
    assert not [m for m in loaded if m.startswith("ecrm_methods.genetic")]


def test_importing_any_registry_module_registers_every_family():
    loaded = _modules_after_import(
        "from ecrm_methods.benchmark.registry import registered_methods; "
        "fams = {s.family for s in registered_methods()}; "
        "assert len(fams) == 5, fams"
    )
    for family in ("baselines", "neural", "genetic", "rough_sets", "fuzzy"):
        assert f"ecrm_methods.benchmark.methods.{family}" in loaded


def test_protocol_fields_are_validated():
    noop = lambda data, seed: None  # noqa: E731
    with temporary_registrations():
        with pytest.raises(ValueError, match="learns_from"):
            register_method("v", "neural", "value", noop)
        with pytest.raises(ValueError, match="learns_from is for value methods only"):
            register_method("c", "neural", "churn", noop, learns_from="calibration")
        with pytest.raises(ValueError, match="segments_param is for segmentation"):
            register_method("c", "neural", "churn", noop, segments_param="n_clusters")
        with pytest.raises(ValueError, match="tuning"):
            register_method("c", "neural", "churn", noop, tuning="whatever worked best")
        register_method("c1", "neural", "churn", noop, primary=True)
        register_method("c2", "neural", "churn", noop, primary=True)
        with pytest.raises(ValueError, match="two primary methods"):
            primary_methods("churn")


def test_each_family_declares_one_primary_method_per_problem():
    primaries = primary_methods()
    for problem in ("segmentation", "churn", "value", "satisfaction", "response"):
        for family in FAMILIES:
            assert (problem, family) in primaries, (problem, family)
