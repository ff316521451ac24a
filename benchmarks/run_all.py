"""Run every benchmark script once and write ``BENCHMARKS.md`` from that one run.

Runs ``bench_fuzzy.py``, ``bench_genetic.py``, ``bench_neural.py``, ``bench_rough_sets.py``,
``bench_features.py`` and ``gpu_check.py``, each in its own process with ``--json``, keeps
their output, and writes a report at the repository root: the machine (CPU, cores, memory, load
average before and after, library versions), each script's speed ratios against its reference
library (scikit-fuzzy, MiniSom, the dict-based rough-set reference, pandas / DuckDB / Polars),
peak memory where measured, the targets met or missed, and the figures
(``benchmarks/figures/``). The main benchmark grid (``ecrm main``) is not run here, nor the
outer-CV accuracy part of ``bench_genetic.py`` (``--skip-quality``: it is not a timing).

Run: ``ECRM_DATA=... .venv/bin/python benchmarks/run_all.py [--quick] [--output PATH]``.
The full run takes 15 to 30 minutes on the 2-core machine (``bench_features.py`` generates a
100-million-purchase parquet file once and caches it); ``--quick`` runs every script's quick
mode into a temporary folder in about a minute (``tests/test_benchmarks_quick.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCRIPTS = [
    "bench_fuzzy.py",
    "bench_genetic.py",
    "bench_neural.py",
    "bench_rough_sets.py",
    "bench_features.py",
    "gpu_check.py",
]
LIBRARIES = [
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "scikit-learn",
    "torch",
    "deap",
    "scikit-fuzzy",
    "minisom",
    "duckdb",
    "polars",
    "dask",
]


def machine() -> dict:
    """CPU, cores, memory, load and library versions of this machine."""
    from importlib import metadata

    import psutil

    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                model,
            )
    except OSError:
        pass
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run_script(script: str, quick: bool, out_dir: Path, figures: Path) -> dict:
    """Run one script with ``--json``; returns its record (status, seconds, output, results)."""
    json_path = out_dir / f"{Path(script).stem}.json"
    command = [sys.executable, str(HERE / script), "--json", str(json_path)]
    if quick:
        command.append("--quick")
    if script == "bench_genetic.py" and not quick:
        command.append("--skip-quality")  # an accuracy check, not a timing: run it directly
    if script == "bench_features.py":
        command += ["--figure", str(figures / "features_scaling.png")]
        if quick:
            command += ["--data-dir", str(out_dir / "data")]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    output = completed.stdout + (
        f"\n[stderr]\n{completed.stderr.strip()}" if completed.returncode else ""
    )
    print(f"== {script} {'--quick ' if quick else ''}({seconds:.0f} s)\n{completed.stdout}", end="")
    sys.stdout.flush()
    record = {
        "script": script,
        "returncode": completed.returncode,
        "seconds": seconds,
        "output": output,
        "json": None,
    }
    if completed.returncode:
        print(f"   {script} FAILED ({completed.returncode}):\n{completed.stderr[-3000:]}")
    if json_path.exists():
        record["json"] = json.loads(json_path.read_text())
    return record


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------
def _seconds(value) -> str:
    if value is None:
        return "--"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _verdicts(targets: dict) -> str:
    return "; ".join(f"{name}: {'met' if ok else '**missed**'}" for name, ok in targets.items())


def _reference_table(records: list[dict]) -> list[str]:
    lines = [
        "| script | measurement | reference | ours (s) | reference (s) | speed-up | targets |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for record in records:
        results = (record["json"] or {}).get("results", [])
        for r in results:
            if "reference_seconds" not in r:
                continue
            lines.append(
                f"| `{record['script']}` | {r['benchmark']} | {r['reference']} | "
                f"{_seconds(r['seconds'])} | {_seconds(r['reference_seconds'])} | "
                f"{r['speedup']:.1f}x | {_verdicts(r.get('targets', {}))} |"
            )
    return lines


def _genetic_lines(record: dict) -> list[str]:
    results = (record["json"] or {}).get("results", [])
    if not results:
        return []
    r = results[0]
    lines = [
        f"`bench_genetic.py`: {r['benchmark']}. Wall time of the three evaluation strategies "
        f"(the reference is `{r['reference']}`):",
        "",
        "| run | seconds | time relative to the reference (> 1: slower) |",
        "|---|---:|---:|",
    ]
    for label, seconds in r["seconds"].items():
        ratio = r["ratios"].get(label)
        lines.append(
            f"| {label} | {_seconds(seconds)} | {'1' if ratio is None else f'{ratio:.2f}'} |"
        )
    lines.append("")
    lines.append(f"Same subset selected in every run: {r['same_subset']}.")
    if "outer_cv_auc" in r:
        auc = r["outer_cv_auc"]
        lines.append(
            f"Outer 5-fold ROC-AUC: all features {auc['all_features']:.4f}, GA-selected subset "
            f"{auc['ga_selected']:.4f}."
        )
    return lines


def _features_lines(record: dict, figures: Path, root: Path) -> list[str]:
    data = record["json"]
    if not data:
        return ["`bench_features.py` wrote no results; see its output below."]
    lines = [
        "Synthetic BG/NBD + Gamma-Gamma logs (`ecrm_methods.synthetic`), about 9.5 purchases per "
        "customer; `rfm_summary(freq='D', time_scaler=7)` with monetary value, and "
        "`rfm_train_test_split`. Each measurement is one subprocess: wall seconds, CPU seconds "
        "of the process, and peak resident memory (`VmHWM`). *memory*: the log is a pandas "
        "DataFrame already loaded (its memory is in the peak: see the *before* column, the "
        "resident memory just before the call); *parquet*: the log is read from the file. "
        "pandas is the package's reference path, numpy its sort-based engine "
        "(`engine='numpy'`); DuckDB and Polars run the same query written for each of them "
        "(`bench_features.py`). *same table*: the column sums agree with the reference engine's.",
        "",
        "rfm_summary, wall seconds (CPU seconds) / peak GB:",
        "",
        *_features_pivot(data["results"]),
        "",
        "pandas is not run on 100 million purchases: its peak at 10 million is about three "
        "times the log's own memory, which at 100 million would take most of this shared "
        "machine's memory. The numpy engine is single-threaded apart from pyarrow's parquet "
        "decoding, so on an idle machine its wall time should be close to its CPU time (not "
        "measured: the machine had no idle window); with a load average above the core count "
        "(see Machine) the wall times above are about two or more times the CPU times, for "
        "every engine.",
        "",
        "Every measurement:",
        "",
        "| purchases | case | engine | wall s | CPU s | peak GB | before GB | vs pandas | "
        "same table |",
        "|---:|---|---|---:|---:|---:|---:|---:|---|",
    ]
    results = data["results"]
    pandas_seconds = {
        (r["n_rows"], r["case"]): r["seconds"]
        for r in results
        if r.get("status") == "ok" and r["engine"] == "pandas"
    }
    for r in results:
        if r.get("status") != "ok":
            lines.append(
                f"| {r['n_rows']:,} | {r['case']} | {r['engine']} | {r['status']} | | | | | |"
            )
            continue
        base = pandas_seconds.get((r["n_rows"], r["case"]))
        ratio = "--" if base is None else f"{base / r['seconds']:.1f}x"
        same = {True: "yes", False: "**no**", None: "--"}[r.get("agrees")]
        lines.append(
            f"| {r['n_rows']:,} | {r['case']} | {r['engine']} | {_seconds(r['seconds'])} | "
            f"{_seconds(r['cpu_seconds'])} | {r['peak_gb']:.2f} | {r['baseline_gb']:.2f} | "
            f"{ratio} | {same} |"
        )
    lines += ["", "Targets:", ""]
    verdicts = _bench_features().targets(results)
    if not verdicts:
        lines.append("- none at these sizes (the targets are for 10 and 100 million purchases)")
    for target in verdicts:
        verdict = "met" if target["met"] else "**missed**"
        lines.append(f"- {target['target']}: {target['measured']} -> {verdict}")
    lines += [
        "",
        f"![rfm_summary time and peak memory against log size]"
        f"({os.path.relpath(figures / 'features_scaling.png', root)})",
    ]
    return lines


def _bench_features():
    """The bench_features module (its target verdicts are recomputed from the results)."""
    sys.path.insert(0, str(HERE))
    try:
        import bench_features
    finally:
        sys.path.remove(str(HERE))
    return bench_features


def _features_pivot(results: list[dict]) -> list[str]:
    engines = ["pandas", "numpy", "duckdb", "polars"]
    lines = [
        "| purchases | log | " + " | ".join(engines) + " |",
        "|---:|---|" + "---|" * len(engines),
    ]
    cells: dict = {}
    for r in results:
        if r["case"].startswith("summary"):
            source = r["case"].split("/")[1]
            if r.get("status") == "ok":
                text = (
                    f"{_seconds(r['seconds'])} ({_seconds(r['cpu_seconds'])}) / {r['peak_gb']:.2f}"
                )
            else:
                text = r.get("status", "?")
            cells[(r["n_rows"], source, r["engine"])] = text
    for n_rows, source in sorted({(k[0], k[1]) for k in cells}):
        row = [cells.get((n_rows, source, engine), "not run") for engine in engines]
        lines.append(f"| {n_rows:,} | {source} | " + " | ".join(row) + " |")
    return lines


def _gpu_lines(record: dict) -> list[str]:
    data = record["json"] or {}
    if data.get("status") == "skipped":
        return [f"`gpu_check.py`: {data['message']}"]
    lines = [f"`gpu_check.py` on {data.get('gpu', {}).get('device', '?')}: {data.get('status')}."]
    for check in data.get("checks", []):
        lines.append(
            f"- {'ok' if check['ok'] else '**FAIL**'} {check['check']}: {check['value']:.3g} "
            f"(tolerance {check['tolerance']})"
        )
    for timing in data.get("timings", []):
        lines.append(
            f"- {timing['benchmark']}: CPU {timing['cpu_seconds']:.2f} s, CUDA "
            f"{timing['cuda_seconds']:.2f} s ({timing['speedup']:.1f}x)"
        )
    return lines


def speedup_figure(records: list[dict], path: Path) -> bool:
    """Bar chart of every speed-up against a reference library (log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars = []
    for record in records:
        for r in (record["json"] or {}).get("results", []):
            if "reference_seconds" in r:
                bars.append((f"{record['script'][6:-3]}: {r['benchmark'][:48]}", r["speedup"]))
    features = next((r for r in records if r["script"] == "bench_features.py"), None)
    if features and features["json"]:
        ok = [r for r in features["json"]["results"] if r.get("status") == "ok"]
        pandas = {(r["n_rows"], r["case"]): r["seconds"] for r in ok if r["engine"] == "pandas"}
        for r in ok:
            base = pandas.get((r["n_rows"], r["case"]))
            if base and r["engine"] == "numpy":
                bars.append(
                    (
                        f"features: numpy vs pandas, {r['case']}, {r['n_rows']:,}",
                        base / r["seconds"],
                    )
                )
    if not bars:
        return False
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(bars) + 1.2))
    labels, values = zip(*bars, strict=True)
    ax.barh(range(len(bars)), values, color=["tab:blue" if v >= 1 else "tab:red" for v in values])
    ax.set_yticks(range(len(bars)), labels, fontsize=7)
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xlabel("speed-up against the reference (log scale; < 1 is slower)")
    ax.invert_yaxis()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def write_report(records, before, after, started, quick, output: Path, figures: Path) -> None:
    root = output.parent
    lines = [
        "# Benchmarks",
        "",
        f"Written by `benchmarks/run_all.py{' --quick' if quick else ''}` from one run started "
        f"{started:%Y-%m-%d %H:%M} UTC ({sum(r['seconds'] for r in records) / 60:.1f} minutes). "
        "Every number below comes from that run; rerun the command to refresh the page.",
        "",
        *(
            [
                "**Quick mode**: tiny sizes and two scripts at a time, to check that the scripts "
                "run; the numbers are not measurements.",
                "",
            ]
            if quick
            else []
        ),
        "The benchmark grid itself (`ecrm main`, `ecrm benchmark`) is not part of this run: its "
        "committed full run, with its wall time and where the time went, is in "
        "`benchmark_results/provenance.json` and the README's Results section.",
        "",
        "## Machine",
        "",
        f"- CPU: {before['cpu']}, {before['cores']} cores; memory {before['memory_gb']} GiB; "
        f"{before['platform']}; Python {before['python']}",
        f"- load average (1, 5, 15 min) before the run {before['load_average']}, after "
        f"{after['load_average']}. The machine is shared with other jobs: with a load above the "
        "core count, wall times stretch beyond the CPU times reported beside them, and the "
        "wall-time targets are judged on what was measured.",
        "- libraries: " + ", ".join(f"{k} {v}" for k, v in before["versions"].items()),
        "",
        "## Scripts",
        "",
        "| script | status | minutes |",
        "|---|---|---:|",
    ]
    for record in records:
        status = "ok" if record["returncode"] == 0 else f"**failed ({record['returncode']})**"
        lines.append(f"| `{record['script']}` | {status} | {record['seconds'] / 60:.1f} |")
    lines += [
        "",
        "## Against the reference libraries",
        "",
        "Each script times its implementation and the reference on the same data in the same "
        "process (the rough-set reference is the textbook dict-of-tuples / Python-set version "
        "of the same algorithm, checked to give the same result).",
        "",
        *_reference_table(records),
        "",
    ]
    genetic = next((r for r in records if r["script"] == "bench_genetic.py"), None)
    if genetic:
        lines += ["### Genetic algorithms", "", *_genetic_lines(genetic), ""]
    if speedup_figure(records, figures / "speedups.png"):
        lines += [
            f"![speed-ups against the references]"
            f"({os.path.relpath(figures / 'speedups.png', root)})",
            "",
        ]
    features = next((r for r in records if r["script"] == "bench_features.py"), None)
    if features:
        lines += [
            "## Feature pipeline at scale (pandas, numpy, DuckDB, Polars)",
            "",
            *_features_lines(features, figures, root),
            "",
        ]
    gpu = next((r for r in records if r["script"] == "gpu_check.py"), None)
    if gpu:
        lines += ["## GPU", "", *_gpu_lines(gpu), ""]
    lines += ["## Output of each script", ""]
    for record in records:
        lines += [
            "<details>",
            f"<summary><code>{record['script']}</code></summary>",
            "",
            "```",
            record["output"].rstrip(),
            "```",
            "",
            "</details>",
            "",
        ]
    output.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every script's quick mode")
    parser.add_argument(
        "--output",
        type=Path,
        help="report path (default: BENCHMARKS.md at the repository root; --quick: a "
        "temporary folder)",
    )
    parser.add_argument("--scripts", help="comma-separated subset of " + ", ".join(SCRIPTS))
    parser.add_argument(
        "--from-json",
        type=Path,
        help="re-render the report from a run's run_all.json instead of running the scripts",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        help="scripts run at once (default 1, so timings do not disturb each other; --quick: 2)",
    )
    args = parser.parse_args()
    jobs = args.jobs or (2 if args.quick else 1)

    if args.output is None:
        args.output = (
            Path(tempfile.mkdtemp(prefix="ecrm_run_all_")) / "BENCHMARKS.md"
            if args.quick
            else ROOT / "BENCHMARKS.md"
        )
    output = args.output.resolve()
    out_dir = output.parent / "benchmark_json" if args.quick else Path(tempfile.mkdtemp())
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = output.parent / "figures" if args.quick else HERE / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    scripts = args.scripts.split(",") if args.scripts else SCRIPTS
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        write_report(
            saved["records"],
            saved["machine"],
            saved["machine_after"],
            dt.datetime.fromisoformat(saved["started"]),
            saved.get("quick", False),
            output,
            figures,
        )
        print(f"report: {output}")
        return 0
    started = dt.datetime.now(dt.UTC)
    before = machine()
    if jobs == 1:
        records = [run_script(script, args.quick, out_dir, figures) for script in scripts]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            records = list(
                pool.map(lambda script: run_script(script, args.quick, out_dir, figures), scripts)
            )
    after = machine()
    write_report(records, before, after, started, args.quick, output, figures)
    (out_dir / "run_all.json").write_text(
        json.dumps(
            {
                "started": started.isoformat(),
                "quick": args.quick,
                "machine": before,
                "machine_after": after,
                "records": records,
            },
            indent=1,
        )
    )
    print(f"report: {output}")
    failed = [r["script"] for r in records if r["returncode"]]
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
