"""The benchmark's response pairs: registrations, splits, leaderboard and command line.

Small grids (2 folds, 1 seed, fast methods) on the mirrored datasets; each test skips when its
dataset is absent.
"""

from __future__ import annotations

import pytest

from ecrm_methods.datasets import is_available
from ecrm_methods.problems import load_problem


def needs(*names):
    missing = [name for name in names if not is_available(name)]
    return pytest.mark.skipif(bool(missing), reason=f"dataset(s) {missing} not in the data home")


def test_every_family_has_a_primary_response_method():
    from ecrm_methods.benchmark.registry import FAMILIES, get_methods, primary_methods

    primaries = primary_methods("response")
    assert {family for _, family in primaries} == set(FAMILIES)
    names = {spec.name for spec in get_methods("response")}
    assert {
        "logistic_regression",
        "hist_gradient_boosting",
        "majority_class",
        "mlp",
        "ga_feature_selection_logistic",
        "ga_control_logistic",
        "proflogit",
        "lem2_rules",
        "fuzzy_rules",
    } <= names


@pytest.mark.data
@needs("customer-personality", "online-shoppers")
def test_benchmark_runs_the_response_pairs_temporal_split_first(tmp_path):
    from ecrm_methods.benchmark import PROBLEM_METRICS, run_benchmark, runner
    from ecrm_methods.benchmark.registry import get_methods

    results = run_benchmark(
        problems="response",
        methods=["logistic_regression", "majority_class"],
        n_folds=2,
        seeds=(0,),
        out_dir=tmp_path,
        verbose=0,
        plots=False,
        bootstrap_resamples=20,
        threads_per_task=1,
    )
    assert (results["error"] == "").all(), results.loc[results["error"] != "", "error"].iloc[0]
    assert set(results["metric"]) == set(PROBLEM_METRICS["response"])
    splits = results.groupby("dataset")["split"].unique().map(set).to_dict()
    assert splits == {
        "customer-personality": {"grouped", "random"},
        "online-shoppers": {"temporal", "random"},
    }
    temporal = results[results["split"] == "temporal"]
    assert set(temporal["fold"]) == {0}
    roc = temporal[
        (temporal["metric"] == "roc_auc") & (temporal["method"] == "logistic_regression")
    ]
    assert (roc["boot_low"] < roc["value"]).all() and (roc["value"] < roc["boot_high"]).all()
    floor = results[(results["method"] == "majority_class") & (results["metric"] == "max_profit")]
    assert (floor["value"] == 0).all()  # nobody is worth contacting on one score for all
    depths = results.loc[results["metric"] == "deployed_depth", "value"]
    assert depths.between(0, 1).all()
    board = (tmp_path / "leaderboard.md").read_text()
    section = board[board.index("## response / online-shoppers") :]
    assert "roc_auc (temporal)" in section and "roc_auc (random)" in section
    assert section.index("roc_auc (temporal)") < section.index("roc_auc (random)")
    assert "Campaign: a contact costs 3, a response brings 11" in section
    assert "Indicator groups: demographics (6); behaviour (8); value (8)" in board
    # the temporal fold never trains on November or December
    data = load_problem("response", "online-shoppers")
    ((train, test),) = runner._fold_indices(data, "temporal", 0, 0)
    assert data.extra["month"][train].max() == 10 and data.extra["month"][test].min() == 11
    # ProfLogit is built with the pair's own campaign economics
    spec = next(s for s in get_methods("response") if s.name == "proflogit")
    model = spec.build(load_problem("response", "customer-personality"), 0)[-1]
    assert (model.contact_cost, model.response_revenue) == (3.0, 11.0)


@pytest.mark.data
@needs("customer-personality")
def test_campaign_option_changes_the_profit_not_the_ranking(tmp_path):
    from ecrm_methods.benchmark import run_benchmark

    def run(**kwargs):
        return run_benchmark(
            problems="response",
            datasets="customer-personality",
            methods=["logistic_regression"],
            n_folds=2,
            seeds=(0,),
            out_dir=None,
            verbose=0,
            random_split_too=False,
            threads_per_task=1,
            **kwargs,
        ).set_index(["fold", "metric"])["value"]

    own, cheaper = run(), run(campaign=(1.0, 11.0))
    assert own.loc[(0, "roc_auc")] == cheaper.loc[(0, "roc_auc")]
    assert cheaper.loc[(0, "max_profit")] > own.loc[(0, "max_profit")]
    with pytest.raises(ValueError, match="must exceed contact_cost"):
        run(campaign=(11.0, 3.0))
    with pytest.raises(ValueError, match=r"\(contact_cost, response_revenue\)"):
        run(campaign=3.0)


@pytest.mark.data
@needs("customer-personality")
def test_cli_benchmark_response(tmp_path, capsys):
    from ecrm_methods.cli import main

    out = tmp_path / "resp"
    status = main(
        [
            "benchmark",
            "--problem",
            "response",
            "--dataset",
            "customer-personality",
            "--methods",
            "majority_class",
            "--folds",
            "2",
            "--no-random-split",
            "--threads",
            "1",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    assert "response / customer-personality" in capsys.readouterr().out
    assert (out / "leaderboard.md").exists()
    assert main(["benchmark", "--problem", "response", "--contact-cost", "3"]) == 2
    assert "go together" in capsys.readouterr().err
