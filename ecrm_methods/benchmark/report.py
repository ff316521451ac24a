"""The leaderboard: headline tables per (problem, dataset) and the full per-metric details.

:func:`write_leaderboard` writes ``leaderboard.md`` from the tidy results of
:func:`ecrm_methods.benchmark.runner.run_benchmark`; :func:`headline_markdown` is its headline
part. The metric each problem is ranked by and the metrics shown are declared here.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ecrm_methods.evaluation import (
    HIGHER_IS_BETTER,
    _format_number,
    leaderboard_markdown,
    summarize,
)
from ecrm_methods.problems import load_problem

__all__ = [
    "HEADLINE_METRIC",
    "KEY_METRICS",
    "PROBLEM_METRICS",
    "headline_markdown",
    "headline_split",
    "write_leaderboard",
]

#: Metrics each problem reports (a failed fit gets one NaN row per metric).
PROBLEM_METRICS: dict[str, tuple[str, ...]] = {
    "churn": ("roc_auc", "pr_auc", "f1", "top_decile_lift", "emp", "brier"),
    "satisfaction": ("qwk", "macro_f1", "mae", "roc_auc_low"),
    "value": (
        "mae_purchases",
        "rmse_purchases",
        "mae_spend",
        "rmse_spend",
        "spearman_spend",
        "top20_revenue_capture",
        "top20_revenue_capture_ratio",
        "aggregate_error_purchases",
    ),
    "segmentation": (
        "silhouette",
        "davies_bouldin",
        "calinski_harabasz",
        "n_segments",
        "top_segment_revenue_share",
        "unassigned_share",
        "bootstrap_stability",
    ),
}

#: The metric methods are ranked by in the headline table and the critical-difference plot.
HEADLINE_METRIC = {
    "churn": "roc_auc",
    "satisfaction": "qwk",
    "value": "mae_spend",
    "segmentation": "silhouette",
}

#: Metrics shown in the headline table of each problem.
KEY_METRICS = {
    "churn": ("roc_auc", "pr_auc", "f1", "emp", "brier"),
    "satisfaction": ("qwk", "macro_f1", "mae", "roc_auc_low"),
    "value": (
        "mae_purchases",
        "mae_spend",
        "rmse_spend",
        "spearman_spend",
        "top20_revenue_capture",
    ),
    "segmentation": (
        "silhouette",
        "davies_bouldin",
        "bootstrap_stability",
        "n_segments",
        "top_segment_revenue_share",
    ),
}


def headline_split(frame: pd.DataFrame) -> str:
    splits = set(frame["split"].dropna())
    for split in ("grouped", "full", "random"):
        if split in splits:
            return split
    return sorted(splits)[0] if splits else ""


def _cell(summary: pd.DataFrame, method: str, metric: str) -> str:

    row = summary[(summary["method"] == method) & (summary["metric"] == metric)]
    if row.empty:
        return "-"
    row = row.iloc[0]
    text = _format_number(row["mean"])
    if np.isfinite(row["ci_low"]):
        text += f" [{_format_number(row['ci_low'])}, {_format_number(row['ci_high'])}]"
    if row["n_failed"]:
        text += f" ({int(row['n_failed'])} failed)"
    return text


def headline_markdown(results: pd.DataFrame, cells=None) -> str:
    """Headline tables: per pair, methods ranked on the headline split, random split beside.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results from :func:`run_benchmark`.
    cells : list, optional
        The grid (for the duplicate notes); data are reloaded when omitted.

    Returns
    -------
    str
        Markdown.
    """

    lines = []
    for (problem, dataset), frame in results.groupby(["problem", "dataset"], sort=True):
        headline = headline_split(frame)
        summary = summarize(frame.drop(columns=["error"]))
        main = summary[summary["split"] == headline]
        other = summary[(summary["split"] == "random") & (headline == "grouped")]
        key_metric = HEADLINE_METRIC.get(problem)
        higher = HIGHER_IS_BETTER.get(key_metric, True)
        order = (
            main[main["metric"] == key_metric]
            .sort_values("mean", ascending=not higher, na_position="last")["method"]
            .tolist()
        )
        order += [m for m in sorted(main["method"].unique()) if m not in order]
        metrics = [m for m in KEY_METRICS.get(problem, ()) if m in set(main["metric"])]
        lines += [f"## {problem} / {dataset}", ""]
        try:
            data = load_problem(problem, dataset)
            report = data.duplicates
            note = (
                f"{report.get('n_rows', len(data.X)):,} rows; exact duplicates "
                f"{report.get('exact_duplicate_rows', 0):,}, near duplicates (<= 2 columns) "
                f"{report.get('near_duplicate_rows', 0):,}."
            )
            if data.groups is not None and problem != "segmentation":
                note += (
                    f" Headline split: folds keep {len(np.unique(data.groups)):,} near-duplicate "
                    "groups together"
                    + (
                        "; the random split is shown for comparison with the literature."
                        if not other.empty
                        else "."
                    )
                )
            lines += [note, ""]
        except Exception:  # noqa: BLE001 - the note is optional
            pass
        header = ["rank", "method", "family"] + [f"{m} ({headline})" for m in metrics]
        if not other.empty:
            header.append(f"{key_metric} (random)")
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        families = frame.drop_duplicates("method").set_index("method")["family"]
        for rank, method in enumerate(order, start=1):
            cells_row = [str(rank), method, str(families.get(method, ""))]
            cells_row += [_cell(main, method, m) for m in metrics]
            if not other.empty:
                cells_row.append(_cell(other, method, key_metric))
            lines.append("| " + " | ".join(cells_row) + " |")
        errors = frame.loc[frame["error"].astype(bool)].drop_duplicates("method")
        for row in errors.itertuples():
            lines.append(f"\n`{row.method}` failed: {row.error}")
        lines.append("")
    return "\n".join(lines)


def write_leaderboard(results: pd.DataFrame, path: str | os.PathLike, cells=None) -> Path:
    """Write ``leaderboard.md``: headline tables, then every metric with intervals."""

    path = Path(path)
    text = [
        "# ecrm benchmark leaderboard",
        "",
        "Mean and 95 % t-interval over seeds x folds. `grouped`: folds keep near-duplicate "
        "customers together (the honest estimate); `random`: plain stratified folds (what most "
        "published results use); `full`: segmentation fitted on all customers.",
        "",
        headline_markdown(results, cells),
        "# Details",
        "",
        leaderboard_markdown(results.drop(columns=["error"])).replace("# Leaderboard\n", "", 1),
    ]
    path.write_text("\n".join(text))
    return path


def headline_rows(results: pd.DataFrame) -> pd.DataFrame:
    """The successful result rows of each pair's headline split (what the plots rank)."""
    frame = results[~results["error"].astype(bool)].drop(columns=["error"])
    parts = [
        pair[pair["split"] == headline_split(pair)]
        for _, pair in frame.groupby(["problem", "dataset"])
    ]
    return pd.concat(parts, ignore_index=True) if parts else frame
