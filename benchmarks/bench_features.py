"""Speed and peak memory of ``rfm_summary`` / ``rfm_train_test_split`` against pandas, DuckDB
and Polars, on synthetic logs of 1, 10 and 100 million purchases.

The logs come from :func:`ecrm_methods.synthetic.write_transactions_parquet` (BG/NBD + Gamma-Gamma,
about 9.5 purchases per customer over two years, so 100 million purchases are 10.6 million
customers); they are cached as parquet files in ``--data-dir`` and reused.

Each measurement runs in its own subprocess (one per size, case and engine; ``--quick``: one
per size), so that ``resource.getrusage(...).ru_maxrss`` is the peak resident memory of that
measurement alone; a watchdog kills a child whose memory passes ``--memory-cap-gb`` (the machine
is shared). Cases:

* ``summary/memory``: ``rfm_summary`` of a pandas DataFrame already in memory (loading it is not
  timed; its memory is in the peak, and reported as the baseline). pandas = ``engine="pandas"``
  (the reference path), numpy = ``engine="numpy"``, DuckDB = one SQL query over the frame,
  Polars = ``pl.from_pandas`` then a lazy query (the conversion is timed: it is what using
  Polars on a pandas frame costs). Up to 10 million purchases.
* ``summary/parquet``: the same table from the parquet file on disk: ``rfm_summary(path)``
  (numpy, batches), ``read_parquet`` in DuckDB (memory limit 6 GB, spilling to disk), Polars'
  ``scan_parquet`` with the streaming engine; pandas reads the file then runs the reference path
  (up to 10 million: at 100 million the frame alone is 2.4 GB and the group-by needs several
  times that).
* ``split/memory`` and ``split/parquet``: ``rfm_train_test_split`` (calibration to 1998-06-30),
  pandas against numpy.

Every engine's table is checked against the pandas (or, at 100 million, the numpy) table:
column sums must agree to 1e-9 relative (DuckDB and Polars compute the mean of the repeat
purchases as total minus first, which loses a few digits; ``tests/test_features.py`` checks the
package's own engines to 1e-12 on every row).

Targets (on the 2-core machine): 10 million purchases in memory in <= 3 s and >= 2x the pandas
path; 100 million purchases from parquet in <= 30 s with <= 6 GB peak memory.

Run: ``.venv/bin/python benchmarks/bench_features.py [--quick] [--json PATH]
[--sizes 1000000,10000000,100000000]``. Writes ``benchmarks/figures/features_scaling.png``.
Not run by CI (``tests/test_benchmarks_quick.py`` runs ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: BG/NBD + Gamma-Gamma parameters (per week) of a retailer whose customers buy about every ten
#: weeks: 9.46 purchases per customer on average with the windows below.
PARAMS = {"r": 1.5, "alpha": 10.0, "a": 0.5, "b": 8.0, "p": 6.25, "q": 3.74, "gamma": 15.44}
WINDOWS = {"cohort_length": 52, "observation_length": 104}  # weeks from 1997-01-01
PURCHASES_PER_CUSTOMER = 9.46
OBSERVATION_END = "1998-12-30"
SPLIT_END = "1998-06-30"
SUMMARY_COLUMNS = ["frequency", "recency", "T", "monetary_value"]
SPLIT_COLUMNS = SUMMARY_COLUMNS + ["test_frequency", "test_monetary_value", "test_spend"]
SIZES = [1_000_000, 10_000_000, 100_000_000]
QUICK_SIZES = [20_000]
MEMORY_ONLY_UP_TO = 10_000_000  # in-memory cases and the pandas parquet case
ENGINES = ("pandas", "numpy", "duckdb", "polars")


# --------------------------------------------------------------------------------------------
# DuckDB and Polars versions of rfm_summary (days, time in weeks, monetary value)
# --------------------------------------------------------------------------------------------
def duckdb_summary(source, end: str, memory_limit: str = "6GB", temp_directory=None):
    """``rfm_summary(..., freq="D", time_scaler=7)`` as one DuckDB query; ``source`` is a pandas
    frame or a parquet path."""
    import duckdb

    config = {"memory_limit": memory_limit, "preserve_insertion_order": False}
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    connection = duckdb.connect(config=config)
    if isinstance(source, (str, Path)):
        relation = f"read_parquet('{source}')"
    else:
        connection.register("log", source)
        relation = "log"
    day = "datediff('day', TIMESTAMP '1970-01-01', date)"
    end_day = f"datediff('day', TIMESTAMP '1970-01-01', TIMESTAMP '{end}')"
    query = f"""
        WITH periods AS (
            SELECT customer_id, {day} AS period, sum(amount) AS value
            FROM {relation} WHERE {day} <= {end_day} GROUP BY customer_id, period
        )
        SELECT customer_id,
               count(*) - 1.0 AS frequency,
               (max(period) - min(period)) / 7.0 AS recency,
               ({end_day} - min(period)) / 7.0 AS T,
               CASE WHEN count(*) > 1
                    THEN (sum(value) - arg_min(value, period)) / (count(*) - 1) ELSE 0 END
                   AS monetary_value
        FROM periods GROUP BY customer_id ORDER BY customer_id
    """
    result = connection.sql(query).df()
    connection.close()
    return result


def polars_summary(source, end: str):
    """``rfm_summary(..., freq="D", time_scaler=7)`` with Polars: a lazy query over a pandas
    frame (converted first) or, streaming, over a parquet path."""
    import polars as pl

    end_day = pl.Series([end]).str.to_datetime().dt.epoch("d").item()  # days since 1970 of the end
    if isinstance(source, (str, Path)):
        frame = pl.scan_parquet(source)
        engine = "streaming"
    else:
        frame = pl.from_pandas(source).lazy()
        engine = "auto"
    periods = (
        frame.select(
            pl.col("customer_id"),
            pl.col("date").dt.epoch("d").alias("period"),
            pl.col("amount").alias("value"),
        )
        .filter(pl.col("period") <= end_day)
        .group_by(["customer_id", "period"])
        .agg(pl.col("value").sum())
    )
    count = pl.len()
    summary = periods.group_by("customer_id").agg(
        (count - 1).cast(pl.Float64).alias("frequency"),
        ((pl.col("period").max() - pl.col("period").min()) / 7.0).alias("recency"),
        ((end_day - pl.col("period").min()) / 7.0).alias("T"),
        pl.when(count > 1)
        .then(
            (pl.col("value").sum() - pl.col("value").get(pl.col("period").arg_min())) / (count - 1)
        )
        .otherwise(0.0)
        .alias("monetary_value"),
    )
    return summary.sort("customer_id").collect(engine=engine).to_pandas()


# --------------------------------------------------------------------------------------------
# one measurement (child process)
# --------------------------------------------------------------------------------------------
def _rss_gb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1e9


def _peak_gb() -> float:
    """Peak resident memory of this process. Linux: ``VmHWM``, the high-water mark of this
    program's own memory (``ru_maxrss`` survives ``exec`` and would report the parent's peak
    if that was higher); elsewhere ``ru_maxrss``."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1e6  # kB
    except OSError:
        pass
    scale = 1e9 if sys.platform == "darwin" else 1e6  # bytes on macOS, kB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def run_case(case: str, engine: str, path: str, data_dir: str) -> dict:
    """Time one (case, engine) on the log at ``path``; returns the measurement."""
    import pandas as pd

    from ecrm_methods.features import rfm_summary, rfm_train_test_split

    what, source = case.split("/")
    log = pd.read_parquet(path) if source == "memory" else path
    baseline = _rss_gb()
    start, cpu = time.perf_counter(), time.process_time()
    if what == "summary" and engine in ("pandas", "numpy"):
        if source == "parquet" and engine == "pandas":
            log = str(path)
        table = rfm_summary(
            log,
            "customer_id",
            "date",
            "amount",
            observation_period_end=OBSERVATION_END,
            time_scaler=7,
            engine=engine,
        )
    elif what == "summary" and engine == "duckdb":
        table = duckdb_summary(log, OBSERVATION_END, temp_directory=data_dir)
    elif what == "summary" and engine == "polars":
        table = polars_summary(log, OBSERVATION_END)
    elif what == "split":
        table = rfm_train_test_split(
            log,
            "customer_id",
            "date",
            SPLIT_END,
            OBSERVATION_END,
            monetary_value_col="amount",
            time_scaler=7,
            engine=engine,
        )
    else:
        raise ValueError(f"no {engine} version of {case}")
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    columns = SPLIT_COLUMNS if what == "split" else SUMMARY_COLUMNS
    return {
        "case": case,
        "engine": engine,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_gb": _peak_gb(),
        "baseline_gb": baseline,
        "n_customers": len(table),
        "sums": {name: float(table[name].astype(float).sum()) for name in columns},
        "status": "ok",
    }


def child_main(arguments: list[str]) -> None:
    """``--child PATH DATA_DIR CASE:ENGINE ...``: run the cases in order, print JSON lines."""
    path, data_dir, *cases = arguments
    for item in cases:
        case, engine = item.split(":")
        print(json.dumps(run_case(case, engine, path, data_dir)), flush=True)


# --------------------------------------------------------------------------------------------
# parent: data, subprocesses with a memory watchdog, report, figure
# --------------------------------------------------------------------------------------------
def ensure_log(n_purchases: int, data_dir: Path) -> tuple[Path, int]:
    """A cached synthetic log of about ``n_purchases`` purchases; (path, actual rows)."""
    import pyarrow.parquet as pq

    from ecrm_methods.synthetic import write_transactions_parquet

    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"synthetic_{n_purchases}.parquet"
    if path.exists():
        try:
            return path, pq.ParquetFile(path).metadata.num_rows
        except Exception:  # a partial file from an interrupted run
            path.unlink()
    customers = max(1, round(n_purchases / PURCHASES_PER_CUSTOMER))
    start = time.perf_counter()
    info = write_transactions_parquet(
        path, customers, PARAMS, chunk_customers=1_000_000, random_state=2024, **WINDOWS
    )
    print(
        f"  generated {info['n_rows']:,} purchases of {customers:,} customers in "
        f"{time.perf_counter() - start:.0f} s -> {path}",
        flush=True,
    )
    return path, info["n_rows"]


def run_children(path, data_dir, cases, timeout_s, memory_cap_gb) -> list[dict]:
    """Run ``cases`` (list of 'case:engine') in one child; kill it past the cap or timeout."""
    import psutil

    command = [sys.executable, __file__, "--child", str(path), str(data_dir), *cases]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE.parent
    )
    watched = psutil.Process(process.pid)
    start, status = time.perf_counter(), None
    while process.poll() is None:
        try:
            rss = watched.memory_info().rss / 1e9
        except psutil.NoSuchProcess:
            break
        if rss > memory_cap_gb:
            status = f"killed above {memory_cap_gb:g} GB"
        elif time.perf_counter() - start > timeout_s:
            status = f"killed after {timeout_s:g} s"
        if status:
            process.kill()
            break
        time.sleep(0.05)
    stdout, stderr = process.communicate()
    results = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    done = {(r["case"], r["engine"]) for r in results}
    for item in cases:
        case, engine = item.split(":")
        if (case, engine) not in done:
            error = status or (stderr.strip().splitlines() or ["failed"])[-1]
            results.append({"case": case, "engine": engine, "status": error})
            status = status and "not run (an earlier case in this child was killed)"
    return results


def plan(size: int, engines: tuple[str, ...]) -> list[str]:
    """The 'case:engine' measurements for a log of nominal ``size`` purchases."""
    small = size <= MEMORY_ONLY_UP_TO
    cases = []
    for engine in engines:
        if small:
            cases.append(f"summary/memory:{engine}")
        if engine != "pandas" or small:
            cases.append(f"summary/parquet:{engine}")
    for engine in ("pandas", "numpy"):
        if small:
            cases.append(f"split/memory:{engine}")
        if engine == "numpy" or small:
            cases.append(f"split/parquet:{engine}")
    return cases


def check_agreement(results: list[dict]) -> None:
    """Mark each result with whether its column sums match the reference's (1e-9 relative)."""
    by_key = {}
    for r in results:
        if r["status"] == "ok":
            by_key[(r["n_rows"], r["case"].split("/")[0], r["case"], r["engine"])] = r
    for r in results:
        if r["status"] != "ok":
            continue
        what = r["case"].split("/")[0]
        reference = None
        for candidate in ("memory:pandas", "parquet:pandas", "memory:numpy", "parquet:numpy"):
            source, engine = candidate.split(":")
            reference = by_key.get((r["n_rows"], what, f"{what}/{source}", engine))
            if reference is not None:
                break
        agree = reference["n_customers"] == r["n_customers"] and all(
            abs(r["sums"][k] - v) <= 1e-9 * max(1.0, abs(v)) for k, v in reference["sums"].items()
        )
        r["agrees_with"] = f"{reference['case']}:{reference['engine']}"
        r["agrees"] = bool(agree)


def machine_description() -> dict:
    import platform

    import psutil

    model = platform.processor()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {}
    for name in ("numpy", "pandas", "pyarrow", "duckdb", "polars", "dask"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "not installed"
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "versions": versions,
    }


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_time, ax_memory) = plt.subplots(1, 2, figsize=(11, 4.2))
    series: dict = {}
    for r in results:
        if r["status"] == "ok" and r["case"].startswith("summary"):
            label = f"{r['engine']} ({r['case'].split('/')[1]})"
            series.setdefault(label, []).append((r["n_rows"], r["seconds"], r["peak_gb"]))
    for label, points in sorted(series.items()):
        points.sort()
        rows = [p[0] for p in points]
        style = "-o" if "memory" in label else "--s"
        ax_time.plot(rows, [p[1] for p in points], style, label=label)
        ax_memory.plot(rows, [p[2] for p in points], style, label=label)
    for ax, title, unit in (
        (ax_time, "rfm_summary: wall time", "seconds"),
        (ax_memory, "rfm_summary: peak resident memory", "GB"),
    ):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("purchases in the log")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    ax_time.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def targets(results: list[dict]) -> list[dict]:
    def find(n_rows, case, engine):
        for r in results:
            if (r["n_rows"], r["case"], r["engine"]) == (n_rows, case, engine):
                return r if r["status"] == "ok" else None
        return None

    verdicts = []
    ten = [r["n_rows"] for r in results if r["size"] == 10_000_000]
    hundred = [r["n_rows"] for r in results if r["size"] == 100_000_000]
    if ten:
        ours, pandas = (
            find(ten[0], "summary/memory", "numpy"),
            find(ten[0], "summary/memory", "pandas"),
        )
        if ours and pandas:
            verdicts.append(
                {
                    "target": "10M purchases in memory <= 3 s",
                    "measured": f"{ours['seconds']:.2f} s (CPU {ours['cpu_seconds']:.2f} s)",
                    "met": ours["seconds"] <= 3,
                }
            )
            ratio = pandas["seconds"] / ours["seconds"]
            verdicts.append(
                {
                    "target": ">= 2x the pandas path at 10M (same run)",
                    "measured": f"{ratio:.1f}x ({pandas['seconds']:.2f} s / {ours['seconds']:.2f} s)",
                    "met": ratio >= 2,
                }
            )
    if hundred:
        ours = find(hundred[0], "summary/parquet", "numpy")
        if ours:
            verdicts.append(
                {
                    "target": "100M purchases from parquet <= 30 s",
                    "measured": f"{ours['seconds']:.1f} s (CPU {ours['cpu_seconds']:.1f} s)",
                    "met": ours["seconds"] <= 30,
                }
            )
            verdicts.append(
                {
                    "target": "100M purchases from parquet <= 6 GB peak",
                    "measured": f"{ours['peak_gb']:.2f} GB",
                    "met": ours["peak_gb"] <= 6,
                }
            )
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one tiny log, one child")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--sizes", help="comma-separated numbers of purchases")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "ecrm_bench_features"
    )
    parser.add_argument(
        "--figure",
        type=Path,
        help="default benchmarks/figures/features_scaling.png (--quick: in --data-dir)",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per child")
    parser.add_argument("--memory-cap-gb", type=float, default=10.0)
    args = parser.parse_args()

    sizes = [int(float(s)) for s in args.sizes.split(",")] if args.sizes else None
    sizes = sizes or (QUICK_SIZES if args.quick else SIZES)
    engines = tuple(e for e in args.engines.split(",") if e)
    available = []
    for engine in engines:
        if engine in ("duckdb", "polars"):
            try:
                __import__(engine)
            except ImportError:
                print(f"{engine} is not installed: its cases are skipped")
                continue
        available.append(engine)
    machine = machine_description()
    print(
        f"machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB, load {machine['load_average']}"
    )
    data_dir = args.data_dir / "quick" if args.quick else args.data_dir
    if args.figure is None:
        args.figure = (data_dir if args.quick else HERE / "figures") / "features_scaling.png"
    results = []
    for size in sizes:
        path, n_rows = ensure_log(size, data_dir)
        cases = plan(size, tuple(available))
        print(f"{n_rows:,} purchases: {len(cases)} measurements", flush=True)
        groups = [cases] if args.quick else [[case] for case in cases]
        for group in groups:
            for r in run_children(path, data_dir, group, args.timeout, args.memory_cap_gb):
                r.update(size=size, n_rows=n_rows)
                results.append(r)
                if r["status"] == "ok":
                    print(
                        f"  {r['case']:16s} {r['engine']:7s} {r['seconds']:8.2f} s "
                        f"(CPU {r['cpu_seconds']:7.2f} s)  peak {r['peak_gb']:6.2f} GB "
                        f"(data {r['baseline_gb']:5.2f} GB)  {r['n_customers']:,} customers",
                        flush=True,
                    )
                else:
                    print(f"  {r['case']:16s} {r['engine']:7s} {r['status']}", flush=True)
    check_agreement(results)
    disagree = [r for r in results if r.get("agrees") is False]
    for r in disagree:
        print(f"  DISAGREES: {r['case']} {r['engine']} at {r['n_rows']:,} vs {r['agrees_with']}")
    verdicts = targets(results)
    for v in verdicts:
        print(f"target {v['target']}: {v['measured']} -> {'met' if v['met'] else 'MISSED'}")
    plot(results, args.figure)
    print(f"figure: {args.figure}")
    machine["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "script": "bench_features",
                    "quick": args.quick,
                    "machine": machine,
                    "results": results,
                    "targets": verdicts,
                    "figures": [str(args.figure)],
                },
                indent=1,
            )
        )
    if disagree:
        raise SystemExit("some engines disagree with the reference table")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
    else:
        main()
