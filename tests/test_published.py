"""The committed-results machinery: publish a run, recompute its tasks, regenerate the README.

A small real run (value on the embedded CDNOW sample, 2 folds) stands in for the full one, so
these tests need no mirrored data; ``test_committed_results.py`` checks the real committed run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecrm_methods.benchmark import run_benchmark
from ecrm_methods.benchmark.published import (
    FULL_RUN_OPTIONS,
    RESULTS_MARKERS,
    compare_recomputed,
    headline_summary,
    headline_tables_markdown,
    load_published,
    publish_run,
    recomputable_sample,
    recompute,
    time_by,
    write_results_section,
)

OPTIONS = {**FULL_RUN_OPTIONS, "n_folds": 2}  # the committed run's options, fewer folds


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("run")
    run_benchmark(
        problems="value",
        datasets="cdnow-sample",
        methods=["zero", "naive_rate", "bgnbd_gamma_gamma"],
        n_folds=OPTIONS["n_folds"],
        seeds=1,
        out_dir=run_dir,
        verbose=0,
        plots=False,
        threads_per_task=1,
    )
    dest = tmp_path_factory.mktemp("published")
    publish_run(
        run_dir,
        dest,
        command="ecrm benchmark --problem value --dataset cdnow-sample --folds 2",
        commit="0123456789abcdef",
        options=OPTIONS,
        wall_seconds=12.5,
        jobs=1,
    )
    return dest


def test_publish_writes_the_run_and_its_provenance(published):
    results, provenance = load_published(published)
    assert (published / "leaderboard.md").read_text().startswith("#")
    assert provenance["commit"] == "0123456789abcdef"
    assert provenance["options"] == OPTIONS
    assert provenance["tasks"] == 3 * 2  # three methods, two folds
    assert provenance["failed_tasks"] == 0
    assert provenance["machine"]["cores"] >= 1
    assert set(provenance["libraries"]) >= {"numpy", "scikit-learn", "torch"}
    # where the time went: task seconds counted once per task, not once per metric row
    tasks = results.drop_duplicates(["method", "split", "seed", "fold"])
    assert provenance["task_seconds"] == pytest.approx(tasks["task_seconds"].sum(), abs=0.1)
    by_method = time_by(results, ["method"])
    assert by_method["tasks"].tolist() == [2, 2, 2]
    assert by_method["share"].sum() == pytest.approx(1.0)


def test_recomputed_tasks_equal_the_published_ones_and_a_change_is_caught(published):
    results, provenance = load_published(published)
    sample = recomputable_sample(results, per_problem=3, seed=4)
    assert len(sample) == 3 and set(sample["problem"]) == {"value"}
    again = recomputable_sample(results, per_problem=3, seed=4)
    pd.testing.assert_frame_equal(sample, again)  # seeded
    recomputed = recompute(sample, provenance)
    assert len(recomputed) == 3 * results["metric"].nunique()
    assert compare_recomputed(results, recomputed, rtol=1e-12).empty

    # a result the code no longer produces is reported, naming the row and the column
    tampered = results.copy()
    row = tampered.index[
        (tampered["method"] == sample["method"].iloc[0])
        & (tampered["fold"] == sample["fold"].iloc[0])
        & (tampered["metric"] == "top20_revenue_capture")
    ][0]
    tampered.loc[row, "value"] *= 1 + 1e-6
    differences = compare_recomputed(tampered, recomputed, rtol=1e-9)
    assert len(differences) == 1
    assert differences.iloc[0]["metric"] == "top20_revenue_capture"
    assert differences.iloc[0]["column"] == "value"


def test_recompute_refuses_a_task_outside_the_committed_grid(published):
    results, provenance = load_published(published)
    key = (
        results.drop_duplicates(["method", "fold"])
        .iloc[[0]][["problem", "dataset", "method", "split", "seed", "fold"]]
        .copy()
    )
    key["fold"] = 7  # the committed run had 2 folds
    with pytest.raises(ValueError, match="no task .* committed options"):
        recompute(key, provenance)


def test_sample_skips_failed_and_slow_tasks():
    rows = []
    for method, seconds, error in (("fast", 1.0, ""), ("slow", 50.0, ""), ("broken", 1.0, "E")):
        for metric in ("a", "b"):
            rows.append(
                {
                    "problem": "churn",
                    "dataset": "d",
                    "method": method,
                    "split": "random",
                    "seed": 0,
                    "fold": 0,
                    "metric": metric,
                    "task_seconds": seconds,
                    "error": error,
                }
            )
    sample = recomputable_sample(pd.DataFrame(rows), per_problem=3, max_task_seconds=10)
    assert sample["method"].tolist() == ["fast"]


def test_headline_tables_rank_the_zero_forecast_last(published):
    results, _ = load_published(published)
    summary = headline_summary(results)
    assert set(summary["metric"]) == {"top20_revenue_capture"}
    assert summary.set_index("method").loc["zero", "rank"] == 3
    table = headline_tables_markdown(results)
    assert "| `zero` | baseline | 0.200 (3) |" in table
    assert table.index("`bgnbd_gamma_gamma`") < table.index("`zero`")


def test_readme_section_is_regenerated_between_its_markers(published, tmp_path):
    start, end = RESULTS_MARKERS
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\nbefore\n\n{start}\nold text\n{end}\n\nafter\n")
    written = write_results_section(published, readme)
    text = readme.read_text()
    assert "old text" not in text and text.startswith("# title\n\nbefore\n")
    assert text.rstrip().endswith("after")
    assert "### value" in text and "| `zero` | baseline |" in text
    assert "commit `0123456`" in text
    figure = published / "figures" / "value.png"
    assert figure in written and figure.stat().st_size > 1000
    link = Path(os.path.relpath(figure, tmp_path)).as_posix()
    assert f"![value]({link})" in text
    # idempotent: a second regeneration gives the same text
    write_results_section(published, readme)
    assert readme.read_text() == text


def test_missing_markers_and_missing_results_get_clear_errors(published, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    with pytest.raises(ValueError, match="results:start"):
        write_results_section(published, readme)
    with pytest.raises(FileNotFoundError, match="ecrm results publish"):
        load_published(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match="finished run"):
        publish_run(tmp_path, tmp_path / "out", command="x", commit="y")


def test_cli_publishes_and_regenerates(published, tmp_path, capsys):
    from ecrm_methods.cli import main

    dest = tmp_path / "dest"
    options = json.dumps(OPTIONS)
    status = main(
        [
            "results",
            "publish",
            str(published),
            "--dest",
            str(dest),
            "--command",
            "cmd",
            "--commit",
            "abc",
            "--options",
            options,
        ]
    )
    assert status == 0
    _, provenance = load_published(dest)
    assert provenance["command"] == "cmd" and provenance["options"]["n_folds"] == 2
    readme = tmp_path / "README.md"
    readme.write_text("\n".join(RESULTS_MARKERS) + "\n")
    assert main(["results", "readme", "--dest", str(dest), "--readme", str(readme)]) == 0
    assert "### value" in readme.read_text()
    assert "wrote" in capsys.readouterr().out


def test_plot_headline_checks_its_input(published):
    import matplotlib

    matplotlib.use("Agg")
    from ecrm_methods.plotting import plot_headline, plot_quality_vs_time

    results, _ = load_published(published)
    summary = headline_summary(results)
    fig = plot_headline(summary)
    assert len(fig.axes) == 1
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "zero"  # best at the top: the worst is drawn first, at the bottom
    with pytest.raises(ValueError, match="lacks the column"):
        plot_headline(summary.drop(columns="ci_low"))
    with pytest.raises(ValueError, match="one problem"):
        plot_headline(pd.concat([summary, summary.assign(problem="churn")]))
    with pytest.raises(TypeError, match="DataFrame"):
        plot_headline(np.zeros(3))
    timed = summary.assign(fit_seconds=[0.01, 0.5, 2.0])
    ax = plot_quality_vs_time(timed)
    assert ax.get_xscale() == "log" and len(ax.collections) == 3
