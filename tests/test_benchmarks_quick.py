"""Every benchmark script's ``--quick`` mode runs, in a subprocess, so the scripts cannot rot.

One ``benchmarks/run_all.py --quick`` runs each script's quick mode (tiny sizes) with ``--json``
and writes a report into a temporary folder; the tests then check each script's exit status and
results. ``gpu_check.py`` also runs with ``--cpu-stand-in``, so that its GPU code path is
exercised on machines without one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
SCRIPTS = [
    "bench_fuzzy.py",
    "bench_genetic.py",
    "bench_neural.py",
    "bench_rough_sets.py",
    "bench_features.py",
    "gpu_check.py",
]


def _environment() -> dict:
    environment = dict(os.environ)
    # tiny workloads: one BLAS / torch thread each avoids oversubscribing shared cores
    environment.setdefault("OMP_NUM_THREADS", "1")
    environment.setdefault("MKL_NUM_THREADS", "1")
    environment.setdefault("OPENBLAS_NUM_THREADS", "1")
    environment["MPLBACKEND"] = "Agg"
    return environment


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> dict:
    output = tmp_path_factory.mktemp("run_all") / "BENCHMARKS.md"
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run_all.py"), "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=900,
    )
    summary = json.loads((output.parent / "benchmark_json" / "run_all.json").read_text())
    return {"completed": completed, "output": output, "summary": summary}


@pytest.mark.parametrize("script", SCRIPTS)
def test_quick_mode_runs_and_writes_results(quick_run, script):
    records = {record["script"]: record for record in quick_run["summary"]["records"]}
    record = records[script]
    assert record["returncode"] == 0, record["output"][-3000:]
    results = record["json"]
    assert results is not None and results["quick"] is True
    if script == "gpu_check.py":
        assert results["status"] in ("skipped", "ok")
    elif script == "bench_genetic.py" and not results.get("results"):
        pytest.skip("E Commerce churn is not in the data home")
    else:
        assert results["results"], f"{script} reported no measurement"
    if script == "bench_features.py":
        assert all(r.get("agrees", True) for r in results["results"])


def test_run_all_writes_the_report(quick_run):
    completed = quick_run["completed"]
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = quick_run["output"].read_text()
    assert "## Machine" in report and "cores" in report
    assert "`ecrm main`" in report  # the note that the main grid is not part of it
    for script in SCRIPTS:
        assert f"`{script}`" in report
    assert (quick_run["output"].parent / "figures" / "features_scaling.png").exists()


def test_gpu_check_code_path_with_the_cpu_standing_in(tmp_path):
    result = tmp_path / "gpu.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "gpu_check.py"),
            "--quick",
            "--cpu-stand-in",
            "--json",
            str(result),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    data = json.loads(result.read_text())
    assert data["status"] == "ok"
    assert all(check["ok"] for check in data["checks"])
    assert {timing["benchmark"].split()[0] for timing in data["timings"]} == {
        "SelfOrganizingMap",
        "TorchMLPClassifier",
    }
