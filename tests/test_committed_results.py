"""The committed full run in ``benchmark_results/`` still follows from the code.

A seeded random sample of its tasks, one per problem among those that took at most 10 seconds
in the committed run, is re-run with today's code at the committed run's options, and every
metric must equal the committed value to 1e-9 relative. The README's results section and the
committed leaderboard must be what the committed ``results.csv`` regenerates. When the code
changes a result, these fail until the run is redone and published
(``ecrm results publish RUN_DIR`` then ``ecrm results readme``).

Methods that train a PyTorch network are left out of the sample: their floating-point sums
depend on the CPU's vector instructions, so the last digits may differ between machines (their
results are checked for reproducibility on one machine by the neural tests).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecrm_methods.benchmark.published import (
    PUBLISHED_DIR,
    compare_recomputed,
    load_published,
    recomputable_sample,
    recompute,
    write_results_section,
)
from ecrm_methods.problems import pair_is_available

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / PUBLISHED_DIR
#: Seed of the sample; change it to check other tasks.
SAMPLE_SEED = 2026
TORCH_METHODS = ("mlp", "mlp_balanced", "som_clustering", "tsk_rules", "rough_neural")

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def committed():
    return load_published(PUBLISHED)


def test_the_committed_run_has_provenance_and_every_problem(committed):
    results, provenance = committed
    assert {"command", "commit", "machine", "options", "libraries"} <= set(provenance)
    assert len(provenance["commit"]) == 40
    assert set(results["problem"]) == {
        "segmentation",
        "churn",
        "value",
        "satisfaction",
        "response",
    }
    tasks = results.drop_duplicates(["problem", "dataset", "method", "split", "seed", "fold"])
    assert provenance["tasks"] == len(tasks)


def test_a_seeded_sample_of_committed_tasks_recomputes_exactly(committed):
    results, provenance = committed
    available = {
        (p, d)
        for p, d in results[["problem", "dataset"]].drop_duplicates().itertuples(index=False)
        if pair_is_available(p, d)
    }
    if not available:
        pytest.skip("none of the committed datasets is in the data home (ECRM_DATA)")
    candidates = results[
        [(p, d) in available for p, d in zip(results["problem"], results["dataset"], strict=True)]
    ]
    sample = recomputable_sample(
        candidates, per_problem=1, seed=SAMPLE_SEED, exclude_methods=TORCH_METHODS
    )
    assert sample["problem"].nunique() == len({p for p, _ in available})
    recomputed = recompute(sample, provenance)
    assert len(recomputed) > 0
    differences = compare_recomputed(results, recomputed, rtol=1e-9)
    assert differences.empty, differences.to_string()


def test_the_readme_results_section_is_what_the_committed_results_make(committed, tmp_path):
    copy = tmp_path / PUBLISHED_DIR
    shutil.copytree(PUBLISHED, copy)
    readme = tmp_path / "README.md"
    shutil.copyfile(ROOT / "README.md", readme)
    write_results_section(copy, readme)
    assert readme.read_text() == (ROOT / "README.md").read_text(), (
        "README.md's results section is stale: run `ecrm results readme`"
    )


def test_the_committed_leaderboard_is_what_the_committed_results_make(committed, tmp_path):
    from ecrm_methods.benchmark.report import write_leaderboard

    results, _ = committed
    if not all(
        pair_is_available(p, d)
        for p, d in results[["problem", "dataset"]].drop_duplicates().itertuples(index=False)
    ):
        pytest.skip("the leaderboard's dataset notes need every committed dataset")
    path = write_leaderboard(results, tmp_path / "leaderboard.md")
    assert path.read_text() == (PUBLISHED / "leaderboard.md").read_text()
