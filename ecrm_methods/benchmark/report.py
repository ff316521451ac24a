"""The leaderboard: headline tables per (problem, dataset) and the full per-metric details.

:func:`write_leaderboard` writes ``leaderboard.md`` from the tidy results of
:func:`ecrm_methods.benchmark.runner.run_benchmark`; :func:`headline_markdown` is its headline
part. The metric each problem is ranked by and the metrics shown are declared here.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ecrm_methods.evaluation import (
    HIGHER_IS_BETTER,
    _format_number,
    leaderboard_markdown,
    summarize,
)
from ecrm_methods.evaluation import RESULT_COLUMNS as EVALUATION_COLUMNS
from ecrm_methods.problems import load_problem

__all__ = [
    "HEADLINE_METRIC",
    "KEY_METRICS",
    "PROBLEM_METRICS",
    "family_comparison",
    "family_comparison_markdown",
    "headline_markdown",
    "headline_metric",
    "headline_rows",
    "headline_split",
    "methods_markdown",
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
    "response": (
        "roc_auc",
        "pr_auc",
        "lift_at_10",
        "lift_at_20",
        "captured_response_at_10",
        "captured_response_at_20",
        "max_profit",
        "max_profit_depth",
        "deployed_profit",
        "deployed_depth",
    ),
}

#: The metric methods are ranked by in the headline table and the critical-difference plot:
#: metrics that a trivial forecast cannot win and that no method optimises (response: ROC-AUC,
#: not the profit ProfLogit maximises on its training rows). Value: the share
#: of holdout revenue held by the predicted top 20 % (the golden customers; a constant forecast
#: gets 20 %). Segmentation: the share of holdout-spend variance between segments fitted on
#: calibration behaviour (where the data has a holdout), else bootstrap stability.
HEADLINE_METRIC = {
    "churn": "roc_auc",
    "response": "roc_auc",
    "satisfaction": "qwk",
    "value": "top20_revenue_capture",
    "segmentation": "eta_squared_holdout_spend",
}

#: Used when a pair lacks its problem's headline metric (Customer Personality has no holdout).
FALLBACK_HEADLINE_METRIC = {"segmentation": "bootstrap_stability"}

#: Metrics shown in the headline table of each problem.
KEY_METRICS = {
    "churn": ("roc_auc", "pr_auc", "f1", "emp", "brier"),
    "satisfaction": ("qwk", "macro_f1", "mae", "roc_auc_low"),
    "value": (
        "top20_revenue_capture",
        "spearman_spend",
        "rmse_spend",
        "aggregate_error_purchases",
    ),
    "segmentation": (
        "eta_squared_holdout_spend",
        "churn_rate_range",
        "bootstrap_stability",
        "unassigned_share",
        "silhouette",
        "n_segments",
    ),
    "response": (
        "roc_auc",
        "lift_at_10",
        "max_profit",
        "deployed_profit",
        "deployed_depth",
        "pr_auc",
    ),
}

#: Metrics of the comparison split (random folds) shown beside the headline split's; the
#: headline metric alone where a problem has no entry.
OTHER_SPLIT_METRICS = {"response": ("roc_auc", "lift_at_10", "max_profit")}

#: The protocol, stated once at the top of every leaderboard.
PROTOCOL_NOTE = """\
**Protocol.** Intervals: mean and 95 % interval by the corrected resampled t (Nadeau & Bengio
2003) over seeds x folds, which accounts for folds sharing training data; a single split
(segmentation, fitted on all customers) gets a bootstrap interval over its customers. Splits:
`grouped` folds keep near-duplicate rows together (the honest estimate), `random` folds are what
most published results use. Tuning: every method runs at settings fixed without the benchmark
data or chooses them by the same inner cross-validation of each training fold (see the methods
table). Churn thresholds are chosen on out-of-fold predictions inside the training fold. Value:
no method sees any customer's holdout purchases; BTYD-type models fit the training customers'
calibration summary, supervised models learn per-week rates on an earlier window of the same
customers (features up to a training cut, targets from the cut to the calibration end) and are
scaled to the holdout length; customers slow down as they age and seasons differ, so per-week
rates of the training window can overstate the holdout's, a drift BTYD models describe and
supervised models do not (part of what this comparison measures). Segmentation: methods are compared at the same number of segments,
fitted on calibration behaviour and judged by how their segments separate each customer's
holdout (variance share of holdout spend, churn-rate range), which no method optimises.
Response: profits are per customer of the held-out set, at the campaign's contact cost and
response revenue; `max_profit` is the maximum of the held-out profit curve (MP, Verbeke et al.
2012, an upper bound read off the test rows), `deployed_profit` the held-out profit at the depth
chosen on out-of-fold predictions of the training fold (what a user would get). Where the data
has a time axis, the headline `temporal` split trains on the earlier months and tests on the
later ones: one split, so its interval is a bootstrap over the test rows."""


def headline_split(frame: pd.DataFrame) -> str:
    """The split a pair is ranked on: temporal, grouped, full, then random (the first present)."""
    splits = set(frame["split"].dropna())
    for split in ("temporal", "grouped", "full", "random"):
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


def headline_metric(problem: str, metrics) -> str | None:
    """The metric a pair is ranked by: its problem's headline, or the fallback when absent."""
    metric = HEADLINE_METRIC.get(problem)
    if metric in set(metrics):
        return metric
    return FALLBACK_HEADLINE_METRIC.get(problem, metric)


def _summarizable(frame: pd.DataFrame) -> pd.DataFrame:
    wanted = (*EVALUATION_COLUMNS, "split", "boot_low", "boot_high")
    keep = [c for c in wanted if c in frame.columns]
    return frame.loc[:, keep]


def headline_markdown(results: pd.DataFrame, cells=None) -> str:
    """Headline tables: per pair, methods ranked on the headline split, random split beside.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results from :func:`run_benchmark`.
    cells : list, optional
        The grid (unused; kept for callers that pass it).

    Returns
    -------
    str
        Markdown.
    """
    lines = []
    for (problem, dataset), frame in results.groupby(["problem", "dataset"], sort=True):
        headline = headline_split(frame)
        ok = frame[~frame["error"].astype(bool)]
        summary = summarize(_summarizable(ok)) if len(ok) else summarize(_summarizable(frame))
        main = summary[summary["split"] == headline]
        other = summary[(summary["split"] == "random") & (headline in ("grouped", "temporal"))]
        key_metric = headline_metric(problem, main["metric"])
        higher = HIGHER_IS_BETTER.get(key_metric, True)
        order = (
            main[main["metric"] == key_metric]
            .sort_values("mean", ascending=not higher, na_position="last")["method"]
            .tolist()
        )
        order += [m for m in sorted(frame["method"].unique()) if m not in order]
        metrics = [m for m in KEY_METRICS.get(problem, ()) if m in set(main["metric"])]
        lines += [f"## {problem} / {dataset}", ""]
        try:
            data = load_problem(problem, dataset)
        except Exception:  # noqa: BLE001 - the notes are optional
            data = None
        if data is not None:
            report = data.duplicates
            note = (
                f"{report.get('n_rows', len(data.X)):,} rows; exact duplicates "
                f"{report.get('exact_duplicate_rows', 0):,}, near duplicates (<= 2 columns) "
                f"{report.get('near_duplicate_rows', 0):,}."
            )
            if headline == "temporal" and data.temporal_split is not None:
                note += (
                    f" Headline split: temporal, {data.temporal_split.description}; one split, "
                    "so intervals are bootstraps over its test rows"
                    + (
                        "; stratified random folds are shown for comparison with the literature."
                        if not other.empty
                        else "."
                    )
                )
            elif data.groups is not None and problem != "segmentation":
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
            lines += _response_notes(data)
            windows = data.describe_windows() if hasattr(data, "describe_windows") else ""
            if windows:
                lines += ["Windows:", *[f"- {line}" for line in windows.splitlines()], ""]
            if problem == "segmentation" and data.holdout_spend is None:
                lines += [
                    "No time axis: segments are judged by bootstrap stability and internal "
                    "indices only (no holdout behaviour to separate).",
                    "",
                ]
        lines += [f"Ranked by `{key_metric}` ({'higher' if higher else 'lower'} is better).", ""]
        header = ["rank", "method", "family"] + [f"{m} ({headline})" for m in metrics]
        other_metrics = [
            m for m in OTHER_SPLIT_METRICS.get(problem, (key_metric,)) if m in set(other["metric"])
        ]
        if not other.empty:
            header += [f"{m} (random)" for m in other_metrics]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        families = frame.drop_duplicates("method").set_index("method")["family"]
        for rank, method in enumerate(order, start=1):
            cells_row = [str(rank), method, str(families.get(method, ""))]
            cells_row += [_cell(main, method, m) for m in metrics]
            if not other.empty:
                cells_row += [_cell(other, method, m) for m in other_metrics]
            lines.append("| " + " | ".join(cells_row) + " |")
        notes = []
        errors = frame.loc[frame["error"].astype(bool)].drop_duplicates("method")
        for row in errors.itertuples():
            notes.append(f"- `{row.method}` FAILED: {row.error}")
        if "n_warnings" in frame.columns:
            warned = frame[frame["n_warnings"].fillna(0) > 0]
            for method, group in warned.groupby("method"):
                fits = group.drop_duplicates(["seed", "fold", "split"])
                notes.append(
                    f"- `{method}` raised warnings in {len(fits)} fit(s) "
                    f"({int(fits['n_warnings'].sum())} in all); first: {fits['warning'].iloc[0]}"
                )
        if "chosen" in frame.columns:
            chosen = frame[frame["chosen"].fillna("").astype(bool)]
            for method, group in chosen.groupby("method"):
                counts = group.drop_duplicates(["seed", "fold", "split"])["chosen"].value_counts()
                choices = "; ".join(f"{text} x{n}" for text, n in counts.items())
                notes.append(f"- `{method}` inner CV chose: {choices}")
        if notes:
            lines += [""] + notes
        lines.append("")
    return "\n".join(lines)


def _response_notes(data) -> list[str]:
    """The campaign economics and indicator groups of a response pair, as leaderboard lines."""
    campaign = getattr(data, "campaign", None)
    if data.problem != "response" or campaign is None:
        return []
    lines = [
        f"Campaign: a contact costs {campaign.contact_cost:g}, a response brings "
        f"{campaign.response_revenue:g} ({campaign.source}); a contact pays at a response rate "
        f"above {campaign.breakeven_rate:.1%}, against a base rate of {data.y.mean():.1%} "
        "here. Profits are per customer of the held-out set.",
    ]
    if data.feature_groups:
        groups = "; ".join(
            f"{name.replace('_', ' ')} ({len(columns)})"
            for name, columns in data.feature_groups.items()
        )
        lines.append(f"Indicator groups: {groups}.")
    return [*lines, ""]


def family_comparison(results: pd.DataFrame):
    """Compare the families across every (problem, dataset) pair of the results.

    Each family is represented on each problem by its declared primary method
    (:func:`ecrm_methods.benchmark.registry.primary_methods`, never the best scorer), the
    practitioner baseline by its own primary method; blocks are the (problem, dataset) pairs on
    their headline split and headline metric (``cdnow-sample``, a subset of ``cdnow``, is not a
    separate block). Returns None when fewer than two families have results.

    Returns
    -------
    ecrm_methods.evaluation.FamilyComparison or None
    """
    from ecrm_methods.benchmark.registry import primary_methods
    from ecrm_methods.evaluation import compare_families

    rows = headline_rows(results)
    if rows.empty:
        return None
    present = set(zip(rows["problem"], rows["method"], strict=False))
    primaries = {key: name for key, name in primary_methods().items() if (key[0], name) in present}
    problems = sorted({problem for problem, _ in primaries})
    if len({family for _, family in primaries}) < 2 or not problems:
        return None
    metric = {
        problem: headline_metric(problem, rows.loc[rows["problem"] == problem, "metric"])
        for problem in problems
    }
    rows = rows[rows["problem"].isin(problems)]
    try:
        return compare_families(rows, metric, None, primaries)
    except ValueError as error:
        warnings.warn(f"family comparison skipped: {error}", stacklevel=2)
        return None


def family_comparison_markdown(comparison) -> str:
    """The family comparison as markdown: mean ranks, the test and its caveat, the blocks."""
    if comparison is None:
        return "Not enough families or blocks in these results for a comparison."
    ranks = comparison.ranks
    lines = [
        f"Blocks: {len(ranks)} (problem, dataset) pairs; each family is represented by its "
        "declared primary method on each problem, ranked within each block on the block's "
        "headline metric (1 = best).",
        "",
    ]
    mean_rank = ranks.mean(axis=0).sort_values()
    lines += ["| family | mean rank |", "|---|---|"]
    lines += [f"| {family} | {value:.2f} |" for family, value in mean_rank.items()]
    lines.append("")
    result = comparison.result
    if result is not None:
        pvalue = getattr(result, "pvalue", float("nan"))
        cd = getattr(result, "cd", None)
        text = f"Friedman test p = {pvalue:.3g}"
        if cd is not None and np.isfinite(cd):
            text += f"; Nemenyi critical difference {cd:.2f} ranks"
        lines += [text + ".", ""]
    if comparison.warning:
        lines += [f"*{comparison.warning}*", ""]
    table = ranks.copy()
    table.index = [f"{problem} / {dataset}" for problem, dataset in table.index]
    header = ["block", *map(str, table.columns)]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for block, row in table.iterrows():
        lines.append("| " + " | ".join([block, *[f"{v:.1f}" for v in row]]) + " |")
    for dropped in comparison.dropped_blocks:
        lines.append(f"\n- left out: {dropped}")
    return "\n".join(lines)


def methods_markdown(results: pd.DataFrame) -> str:
    """One row per method of the results: family, description, tuning policy, what it learns."""
    from ecrm_methods.benchmark.registry import get_methods

    lines = [
        "| problem | method | family | description | tuning | learns from |",
        "|---|---|---|---|---|---|",
    ]
    present = set(zip(results["problem"], results["method"], strict=False))
    for spec in get_methods():
        if (spec.problem, spec.name) not in present:
            continue
        learns = spec.learns_from or ""
        if spec.problem == "segmentation":
            learns = (
                f"compared at the common number of segments (`{spec.segments_param}`)"
                if spec.segments_param
                else "keeps its own number of segments"
            )
        lines.append(
            f"| {spec.problem} | `{spec.name}` | {spec.family} | {spec.description} | "
            f"{spec.tuning} | {learns} |"
        )
    return "\n".join(lines)


def write_leaderboard(results: pd.DataFrame, path: str | os.PathLike, cells=None) -> Path:
    """Write ``leaderboard.md``: protocol, headline tables, methods, every metric with intervals.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results from :func:`run_benchmark`.
    path : path
        The file to write.
    cells : list, optional
        Unused; kept for callers that pass it.

    Returns
    -------
    Path
    """
    path = Path(path)
    ok = results[~results["error"].astype(bool)]
    text = [
        "# ecrm benchmark leaderboard",
        "",
        PROTOCOL_NOTE,
        "",
        headline_markdown(results, cells),
        "# Families across datasets",
        "",
        family_comparison_markdown(family_comparison(results)),
        "",
        "# Methods",
        "",
        methods_markdown(results),
        "",
        "# Details",
        "",
        leaderboard_markdown(_summarizable(ok)).replace("# Leaderboard\n", "", 1),
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
