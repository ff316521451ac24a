"""The committed results of one full benchmark run, and what is made from them.

A benchmark run of every method over every mirrored dataset (``ecrm benchmark --problem all
--dataset all --methods all --folds 5 --seeds 1 --jobs 2 --threads 1``: each family's primary
method, the hybrids and variants, and the baselines; about 70 minutes on 2 cores) takes longer
than CI allows, so its output is committed in the tracked folder ``benchmark_results/``:

- ``results.csv`` and ``leaderboard.md``, exactly as the run wrote them;
- ``provenance.json``: the command, the commit, the machine, the library versions, the run's
  options (what :func:`recompute` needs to rebuild any of its tasks) and where the time went.

From those files, and nothing else, :func:`write_results_section` regenerates the README's
results section (one headline table and one figure per problem, ``ecrm results readme``) and
``notebooks/06_method_comparison.ipynb`` draws the comparison. :func:`recompute` re-runs a
seeded sample of the committed tasks with today's code; a CI test checks they equal the
committed values to 1e-9 relative, so a code change that alters a result fails until the
results are regenerated (``ecrm results publish RUN_DIR``).

``results/`` stays the ignored working folder of ``ecrm main``.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecrm_methods.benchmark.cache import library_versions
from ecrm_methods.benchmark.registry import get_methods
from ecrm_methods.benchmark.report import (
    HEADLINE_METRIC,
    _summarizable,
    headline_metric,
    headline_split,
)
from ecrm_methods.benchmark.runner import (
    RESULT_COLUMNS,
    build_tasks,
    execute_task,
    task_options,
)
from ecrm_methods.evaluation import HIGHER_IS_BETTER, summarize
from ecrm_methods.problems import PROBLEMS

__all__ = [
    "PUBLISHED_DIR",
    "RESULTS_MARKERS",
    "compare_recomputed",
    "headline_summary",
    "headline_tables_markdown",
    "load_published",
    "publish_run",
    "recompute",
    "recomputable_sample",
    "time_by",
    "write_results_section",
]

#: The tracked folder of the committed full run, relative to the repository root.
PUBLISHED_DIR = "benchmark_results"

#: The README's results section lies between these two lines (both kept when regenerated).
RESULTS_MARKERS = ("<!-- results:start -->", "<!-- results:end -->")

#: :func:`~ecrm_methods.benchmark.runner.task_options` keywords a provenance file records.
_TASK_OPTION_KEYS = (
    "stability_resamples",
    "threshold_cv",
    "n_segments",
    "bootstrap_resamples",
    "stability_max_samples",
    "campaign",
)

#: The run options of ``ecrm benchmark`` at its defaults, with 5 folds and 1 seed.
FULL_RUN_OPTIONS = {
    "n_folds": 5,
    "seeds": [0],
    "random_split_too": True,
    "stability_resamples": 10,
    "threshold_cv": 3,
    "n_segments": 4,
    "bootstrap_resamples": 100,
    "stability_max_samples": 5000,
    "campaign": None,
    "threads": 1,
}

_KEY = ["problem", "dataset", "method", "split", "seed", "fold"]


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gb = round(pages / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "system": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
    }


def time_by(results: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Task seconds summed over the tasks of a run, grouped by ``by`` (largest first).

    Each task (one method on one split, seed and fold) writes one row per metric, all carrying
    the task's ``task_seconds``: they are counted once.
    """
    tasks = results.drop_duplicates(_KEY)
    table = (
        tasks.groupby(list(by))["task_seconds"]
        .agg(task_seconds="sum", tasks="count")
        .sort_values("task_seconds", ascending=False)
        .reset_index()
    )
    table["share"] = table["task_seconds"] / table["task_seconds"].sum()
    return table


def publish_run(
    run_dir: str | os.PathLike,
    dest: str | os.PathLike = PUBLISHED_DIR,
    *,
    command: str,
    commit: str,
    options: dict | None = None,
    started: str | None = None,
    finished: str | None = None,
    wall_seconds: float | None = None,
    jobs: int | None = None,
    load_note: str = "",
) -> Path:
    """Copy a finished run's ``results.csv`` and ``leaderboard.md`` into ``dest`` with provenance.

    Parameters
    ----------
    run_dir : path
        The run's ``--out`` folder.
    dest : path, default="benchmark_results"
        The tracked folder.
    command : str
        The command that made the run.
    commit : str
        The commit of the code that ran (the run's source tree).
    options : dict or None
        The run's options (:data:`FULL_RUN_OPTIONS` when None): folds, seeds, and the
        :func:`~ecrm_methods.benchmark.runner.task_options` keywords.
    started, finished : str or None
        ISO times of the run.
    wall_seconds : float or None
        Wall time of the run.
    jobs : int or None
        Local worker processes of the run.
    load_note : str
        What else the machine was doing.

    Returns
    -------
    pathlib.Path
        ``dest / "provenance.json"``.

    Raises
    ------
    FileNotFoundError
        ``run_dir`` has no ``results.csv`` or ``leaderboard.md``.
    """
    run_dir, dest = Path(run_dir), Path(dest)
    for name in ("results.csv", "leaderboard.md"):
        if not (run_dir / name).is_file():
            raise FileNotFoundError(f"{run_dir / name} not found: is {run_dir} a finished run?")
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("results.csv", "leaderboard.md"):
        shutil.copyfile(run_dir / name, dest / name)
    results = _read_results(dest / "results.csv")
    task_seconds = float(results.drop_duplicates(_KEY)["task_seconds"].sum())
    by_problem = time_by(results, ["problem"])
    by_method = time_by(results, ["problem", "dataset", "method"]).head(15)
    provenance = {
        "command": command,
        "commit": commit,
        "machine": _machine(),
        "libraries": library_versions(),
        "options": dict(FULL_RUN_OPTIONS if options is None else options),
        "started": started,
        "finished": finished,
        "wall_seconds": wall_seconds,
        "jobs": jobs,
        "load_note": load_note,
        "tasks": int(len(results.drop_duplicates(_KEY))),
        "failed_tasks": int(
            results.loc[results["error"].astype(bool)].drop_duplicates(_KEY).shape[0]
        ),
        "task_seconds": round(task_seconds, 1),
        "task_seconds_by_problem": {
            row.problem: round(row.task_seconds, 1) for row in by_problem.itertuples()
        },
        "largest_cells": [
            {
                "problem": row.problem,
                "dataset": row.dataset,
                "method": row.method,
                "tasks": int(row.tasks),
                "task_seconds": round(row.task_seconds, 1),
            }
            for row in by_method.itertuples()
        ],
    }
    path = dest / "provenance.json"
    path.write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n")
    return path


def _read_results(path: Path) -> pd.DataFrame:
    text_columns = {"error": str, "warning": str, "chosen": str}
    results = pd.read_csv(path, dtype=text_columns, keep_default_na=False, na_values=[""])
    for column in text_columns:
        if column in results.columns:
            results[column] = results[column].fillna("")
    return results


def load_published(dest: str | os.PathLike = PUBLISHED_DIR) -> tuple[pd.DataFrame, dict]:
    """The committed results and their provenance.

    Raises
    ------
    FileNotFoundError
        ``dest`` lacks ``results.csv`` or ``provenance.json`` (the message says how to make them).
    """
    dest = Path(dest)
    missing = [n for n in ("results.csv", "provenance.json") if not (dest / n).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{', '.join(missing)} not found in {dest}: run the full grid "
            "(`ecrm benchmark --problem all --dataset all --methods all --folds 5 "
            "--seeds 1 --jobs 2 --threads 1 --out RUN_DIR`), then `ecrm results publish RUN_DIR`."
        )
    results = _read_results(dest / "results.csv")
    provenance = json.loads((dest / "provenance.json").read_text())
    return results, provenance


# --------------------------------------------------------------------------------------------
# Re-computation
# --------------------------------------------------------------------------------------------


def recomputable_sample(
    results: pd.DataFrame,
    per_problem: int = 1,
    seed: int = 0,
    max_task_seconds: float = 10.0,
    exclude_methods: Sequence[str] = (),
) -> pd.DataFrame:
    """A seeded random sample of committed tasks, ``per_problem`` from each problem.

    Only tasks that took at most ``max_task_seconds`` in the committed run and did not fail are
    drawn (CI re-runs them).

    Returns
    -------
    pandas.DataFrame
        One row per task: problem, dataset, method, split, seed, fold.
    """
    tasks = results.drop_duplicates(_KEY)
    tasks = tasks[
        (tasks["task_seconds"] <= max_task_seconds)
        & ~tasks["error"].astype(bool)
        & ~tasks["method"].isin(list(exclude_methods))
    ]
    rng = np.random.default_rng(seed)
    picks = []
    for _, group in tasks.sort_values(_KEY).groupby("problem", sort=True):
        rows = rng.choice(len(group), size=min(per_problem, len(group)), replace=False)
        picks.append(group.iloc[np.sort(rows)][_KEY])
    return pd.concat(picks, ignore_index=True) if picks else pd.DataFrame(columns=_KEY)


def recompute(keys: pd.DataFrame, provenance: dict) -> pd.DataFrame:
    """Re-run the given committed tasks with today's code, at the committed run's options.

    Parameters
    ----------
    keys : pandas.DataFrame
        Rows with problem, dataset, method, split, seed, fold (:func:`recomputable_sample`).
    provenance : dict
        The committed ``provenance.json``.

    Returns
    -------
    pandas.DataFrame
        The recomputed result rows (columns
        :data:`~ecrm_methods.benchmark.runner.RESULT_COLUMNS`).
    """
    run = provenance["options"]
    options = task_options(**{k: _option(run, k) for k in _TASK_OPTION_KEYS if k in run})
    rows: list[dict] = []
    for key in keys[_KEY].itertuples(index=False):
        (spec,) = get_methods(key.problem, names=key.method, include_optional=True)
        tasks = build_tasks(
            [(key.problem, key.dataset, [spec])],
            int(run["n_folds"]),
            [int(key.seed)],
            options,
            random_split_too=bool(run.get("random_split_too", True)),
            threads_per_task=run.get("threads"),
        )
        matching = [t for t in tasks if t.split == key.split and t.fold == int(key.fold)]
        if not matching:
            raise ValueError(
                f"no task {tuple(key)} in the grid the committed options describe; were the "
                "results made with other options?"
            )
        rows.extend(execute_task(matching[0]))
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def compare_recomputed(
    results: pd.DataFrame, recomputed: pd.DataFrame, rtol: float = 1e-9
) -> pd.DataFrame:
    """Recomputed rows against the committed ones: the rows that differ by more than ``rtol``.

    ``value``, ``boot_low`` and ``boot_high`` are compared (NaN equals NaN); a recomputed row
    with no committed counterpart, or a failed recomputation, is a difference too.

    Returns
    -------
    pandas.DataFrame
        Empty when everything matches; otherwise the key, metric, column, committed and
        recomputed values of each difference.
    """
    on = [*_KEY, "metric"]
    merged = recomputed.merge(
        results, on=on, how="left", suffixes=("_recomputed", "_committed"), indicator=True
    )
    problems = []
    for row in merged.to_dict("records"):
        record = {c: row[c] for c in on}
        if row["_merge"] != "both":
            problems.append({**record, "column": "row", "committed": None, "recomputed": None})
            continue
        if row["error_recomputed"]:
            problems.append(
                {
                    **record,
                    "column": "error",
                    "committed": "",
                    "recomputed": row["error_recomputed"],
                }
            )
            continue
        for column in ("value", "boot_low", "boot_high"):
            new = float(row[f"{column}_recomputed"])
            old = float(row[f"{column}_committed"])
            same = (np.isnan(new) and np.isnan(old)) or np.isclose(new, old, rtol=rtol, atol=0)
            if not same:
                problems.append({**record, "column": column, "committed": old, "recomputed": new})
    return pd.DataFrame(problems, columns=[*on, "column", "committed", "recomputed"])


def _option(run: dict, key: str):
    value = run[key]
    return tuple(value) if key == "campaign" and value is not None else value


# --------------------------------------------------------------------------------------------
# Headline tables and the README section
# --------------------------------------------------------------------------------------------


def headline_summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per (problem, dataset): every method's headline metric on the headline split, ranked.

    Problems come in the registry's order (segmentation, churn, value, satisfaction,
    response), datasets alphabetically.

    Returns
    -------
    pandas.DataFrame
        problem, dataset, split, metric, method, family, mean, ci_low, ci_high, interval, rank
        (1 = best), n_failed.
    """
    frames = []
    order = {name: index for index, name in enumerate(PROBLEMS)}
    pairs = sorted(
        results.groupby(["problem", "dataset"], sort=True),
        key=lambda item: (order.get(item[0][0], len(order)), item[0][1]),
    )
    for (problem, _dataset), frame in pairs:
        split = headline_split(frame)
        rows = frame[(frame["split"] == split) & ~frame["error"].astype(bool)]
        metric = headline_metric(problem, rows["metric"])
        if metric is None:
            continue
        rows = rows[rows["metric"] == metric]
        summary = summarize(_summarizable(rows))
        higher = HIGHER_IS_BETTER.get(metric, True)
        summary = summary.sort_values("mean", ascending=not higher, na_position="last")
        summary["rank"] = np.arange(1, len(summary) + 1)
        frames.append(summary)
    columns = [
        "problem",
        "dataset",
        "split",
        "metric",
        "method",
        "family",
        "mean",
        "ci_low",
        "ci_high",
        "interval",
        "rank",
        "n_failed",
    ]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def headline_tables_markdown(results: pd.DataFrame, digits: int = 3) -> str:
    """One markdown table per problem: methods (rows) x datasets (columns), mean and rank."""
    summary = headline_summary(results)
    return "\n".join(
        _problem_table(frame, digits) for _, frame in summary.groupby("problem", sort=False)
    )


def _problem_table(frame: pd.DataFrame, digits: int = 3) -> str:
    problem = frame["problem"].iloc[0]
    metric = HEADLINE_METRIC.get(problem, frame["metric"].iloc[0])
    datasets = list(dict.fromkeys(frame["dataset"]))
    first = frame.drop_duplicates("dataset").set_index("dataset")
    order = frame.groupby("method")["rank"].mean().sort_values(kind="stable").index.tolist()
    families = frame.drop_duplicates("method").set_index("method")["family"]
    header = ["method", "family"] + [
        f"{d} ({first.loc[d, 'split']}"
        + ("" if first.loc[d, "metric"] == metric else f", {first.loc[d, 'metric']}")
        + ")"
        for d in datasets
    ]
    higher = HIGHER_IS_BETTER.get(metric, True)
    lines = [
        f"**{problem}**: `{metric}` ({'higher' if higher else 'lower'} is better), mean over "
        "the headline split's folds (rank within the dataset; methods ordered by mean rank).",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    cells = frame.set_index(["method", "dataset"])
    for method in order:
        row = [f"`{method}`", str(families[method])]
        for dataset in datasets:
            if (method, dataset) in cells.index:
                cell = cells.loc[(method, dataset)]
                row.append(f"{cell['mean']:.{digits}f} ({int(cell['rank'])})")
            else:
                row.append("")
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    return "\n".join(lines)


def write_results_section(
    dest: str | os.PathLike = PUBLISHED_DIR,
    readme: str | os.PathLike = "README.md",
) -> list[Path]:
    """Regenerate the README's results section and its figures from the committed results.

    The section between :data:`RESULTS_MARKERS` is replaced by the headline table of each
    problem and a link to its figure (``dest/figures/<problem>.png``, drawn by
    :func:`ecrm_methods.plotting.plot_headline`).

    Returns
    -------
    list of pathlib.Path
        The README and the figures written.

    Raises
    ------
    ValueError
        The README lacks the markers.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from ecrm_methods.plotting import plot_headline

    dest, readme = Path(dest), Path(readme)
    results, provenance = load_published(dest)
    text = readme.read_text()
    start, end = RESULTS_MARKERS
    if start not in text or end not in text:
        raise ValueError(f"{readme} lacks the lines {start!r} and {end!r} around its results.")
    figures = dest / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    summary = headline_summary(results)
    shown = Path(os.path.relpath(dest, readme.parent)).as_posix()
    written = []
    parts = [
        start,
        "",
        f"From the committed benchmark run in `{shown}/` (`{provenance['command']}` at "
        f"commit `{provenance['commit'][:7]}`, {provenance['tasks']} tasks, "
        f"{provenance.get('failed_tasks', 0)} failed); `leaderboard.md` there has every metric "
        "with its interval, and `notebooks/06_method_comparison.ipynb` the discussion. "
        "Regenerate this section with `ecrm results readme`.",
        "",
    ]
    for problem, frame in summary.groupby("problem", sort=False):
        fig = plot_headline(frame)
        path = figures / f"{problem}.png"
        fig.savefig(path, dpi=90, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        written.append(path)
        parts += [
            f"### {problem}",
            "",
            _problem_table(frame).strip(),
            "",
            f"![{problem}]({Path(os.path.relpath(path, readme.parent)).as_posix()})",
            "",
        ]
    parts.append(end)
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    readme.write_text(pattern.sub(lambda _: "\n".join(parts), text, count=1))
    return [readme, *written]


def current_commit(root: str | os.PathLike = ".") -> str:
    """The commit checked out at ``root`` ("unknown" outside a git repository)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()
