"""The ``ecrm`` command line.

Verbs
-----
::

    ecrm datasets list            the dataset registry and where each dataset was found
    ecrm datasets info NAME       one dataset card
    ecrm datasets verify          sha256 and row counts of every dataset file found
    ecrm overview                 CDNOW customer summary, calibration/holdout table, 80/20 figure
    ecrm benchmark ...            the method x problem x dataset leaderboard (problems:
                                  segmentation, churn, value, satisfaction, response)
    ecrm main                     the README's main job: overview, then the benchmark on every
                                  dataset that is available
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path


def _cmd_datasets_list(args: argparse.Namespace) -> int:
    from ecrm_methods import datasets

    table = datasets.list_datasets()
    print(table.to_string(index=False))
    print(f"\ndata home: {datasets.data_home()} (set ECRM_DATA to change it)")
    return 0


def _cmd_datasets_info(args: argparse.Namespace) -> int:
    from ecrm_methods import datasets

    info = datasets.dataset_info(args.name)
    for field in dataclasses.fields(info):
        print(f"{field.name:>16}: {getattr(info, field.name)}")
    print(f"{'available':>16}: {datasets.is_available(args.name)}")
    return 0


def _cmd_datasets_verify(args: argparse.Namespace) -> int:
    from ecrm_methods import datasets

    if args.download:
        for name in args.names or list(datasets.DATASETS):
            try:
                datasets.fetch(name, download=True)
            except datasets.DatasetError as error:
                print(f"{name}: {error}", file=sys.stderr)
    table = datasets.verify_datasets(args.names or None)
    print(table.to_string(index=False))
    found = table[table["status"] != "missing"]
    bad = found[found["status"] != "ok"]
    print(
        f"\n{len(found)} file(s) found, {len(found) - len(bad)} ok, {len(bad)} with problems, "
        f"{int((table['status'] == 'missing').sum())} missing; data home: {datasets.data_home()}"
    )
    return 1 if len(bad) else 0


def _cmd_overview(args: argparse.Namespace) -> int:
    from ecrm_methods.overview import cdnow_overview

    report = cdnow_overview(out_dir=Path(args.out), sample=args.sample)
    print(report.text)
    return 0


def _cmd_main(args: argparse.Namespace) -> int:
    from ecrm_methods.benchmark import run_main_job

    status = _cmd_overview(args)
    return run_main_job(out_dir=Path(args.results), quick=args.quick) or status


def _add_benchmark_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``benchmark`` verb to the ``ecrm`` command line.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The ``ecrm`` verbs.

    Returns
    -------
    argparse.ArgumentParser
        The ``benchmark`` parser; its ``func`` default runs :func:`run_benchmark`.
    """
    from ecrm_methods.problems import PROBLEMS

    parser = subparsers.add_parser(
        "benchmark",
        help="run the method x problem x dataset benchmark and write the leaderboard",
        description="Run registered methods on (problem, dataset) pairs with cross-validation "
        "and write results.csv, leaderboard.md and plots.",
    )
    parser.add_argument(
        "--problem",
        default="all",
        help="problem(s), comma separated, or 'all': "
        + "; ".join(f"{name} ({spec.description})" for name, spec in PROBLEMS.items()),
    )
    parser.add_argument(
        "--dataset", default="all", help="dataset(s), comma separated, or 'all' available ones"
    )
    parser.add_argument(
        "--methods",
        default="all",
        help="method names, comma separated, 'all', or 'comparison' (each family's primary "
        "method and the baselines: what `ecrm main` runs)",
    )
    parser.add_argument(
        "--family",
        default=None,
        help="only these families (baseline, neural, genetic, rough_sets, fuzzy)",
    )
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--seeds", type=int, default=1, help="number of seeds (default 1)")
    parser.add_argument(
        "--segments",
        type=int,
        default=4,
        help="number of segments every segmentation method is compared at (default 4)",
    )
    parser.add_argument(
        "--threshold-cv",
        type=int,
        default=3,
        help="inner folds choosing the churn threshold and the response campaign depth inside "
        "each training fold (default 3; 0 = on in-sample training predictions)",
    )
    parser.add_argument(
        "--contact-cost",
        type=float,
        default=None,
        help="response: cost of one contact (with --response-revenue; default: each dataset's "
        "own, 3 on Customer Personality, the same assumed for Online Shoppers)",
    )
    parser.add_argument(
        "--response-revenue",
        type=float,
        default=None,
        help="response: revenue of one response (with --contact-cost; default 11, as above)",
    )
    parser.add_argument(
        "--stability-resamples",
        type=int,
        default=10,
        help="bootstrap refits of the segmentation stability metric (default 10; 0 skips it)",
    )
    parser.add_argument("--out", default="results", help="output folder (default results/)")
    parser.add_argument("--jobs", type=int, default=1, help="local parallel jobs (-1 = all)")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address")
    parser.add_argument("--cache-dir", default=None, help="result cache (default OUT/cache)")
    parser.add_argument(
        "--no-random-split",
        action="store_true",
        help="skip the random-split comparison on data with near duplicates or a temporal split",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small smoke grid: 2 folds, 1 seed, 2 stability resamples",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS/OpenMP threads per fit (1 on a busy machine)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=_cmd_benchmark)
    return parser


def _cmd_benchmark(args: argparse.Namespace) -> int:
    from ecrm_methods.benchmark import headline_markdown, run_benchmark

    folds, seeds, resamples = args.folds, args.seeds, args.stability_resamples
    if args.quick:
        folds, seeds, resamples = 2, 1, 2
    campaign = None
    if (args.contact_cost is None) != (args.response_revenue is None):
        raise ValueError(
            "--contact-cost and --response-revenue go together: give both (e.g. "
            "--contact-cost 3 --response-revenue 11) or neither."
        )
    if args.contact_cost is not None:
        campaign = (args.contact_cost, args.response_revenue)
    results = run_benchmark(
        problems=args.problem,
        datasets=None if args.dataset == "all" else args.dataset,
        methods=args.methods,
        n_folds=folds,
        seeds=seeds,
        out_dir=args.out,
        n_jobs=args.jobs,
        scheduler=args.scheduler,
        cache_dir=args.cache_dir,
        random_split_too=not args.no_random_split,
        verbose=0 if args.quiet else 1,
        family=args.family,
        stability_resamples=resamples,
        threads_per_task=args.threads,
        n_segments=args.segments,
        threshold_cv=args.threshold_cv,
        campaign=campaign,
    )
    print(headline_markdown(results))
    print(f"wrote {Path(args.out) / 'results.csv'} and {Path(args.out) / 'leaderboard.md'}")
    return _exit_status(results)


def _exit_status(results) -> int:
    """1 when any fit failed (after every result was written and the failures listed)."""
    failed = results.loc[results["error"].astype(bool)]
    if failed.empty:
        return 0
    tasks = failed.drop_duplicates(["problem", "dataset", "method", "seed", "fold", "split"])
    print(f"ecrm: {len(tasks)} fit(s) failed; see the FAILED lines above", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    """Build the ``ecrm`` argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="ecrm",
        description="Soft-computing methods for analytical e-commerce CRM.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    ds = verbs.add_parser("datasets", help="list, describe and verify the datasets")
    ds_verbs = ds.add_subparsers(dest="datasets_verb", required=True, metavar="ACTION")
    ds_list = ds_verbs.add_parser("list", help="the dataset registry and availability")
    ds_list.set_defaults(func=_cmd_datasets_list)
    ds_info = ds_verbs.add_parser("info", help="one dataset card")
    ds_info.add_argument("name")
    ds_info.set_defaults(func=_cmd_datasets_info)
    ds_verify = ds_verbs.add_parser("verify", help="check sha256 and row counts")
    ds_verify.add_argument("names", nargs="*", help="datasets to verify (default: all)")
    ds_verify.add_argument(
        "--download", action="store_true", help="download missing files where a public URL exists"
    )
    ds_verify.set_defaults(func=_cmd_datasets_verify)

    for name, func, text in (
        ("overview", _cmd_overview, "CDNOW customer summary and the 80/20 figure"),
        ("main", _cmd_main, "the main job: overview plus the benchmark on available data"),
    ):
        sub = verbs.add_parser(name, help=text)
        sub.add_argument("--out", default="reports", help="folder for figures (default: reports)")
        sub.add_argument(
            "--sample", action="store_true", help="use the 2,357-customer CDNOW sample"
        )
        if name == "main":
            sub.add_argument("--results", default="results", help="benchmark output folder")
            sub.add_argument("--quick", action="store_true", help="a small smoke grid")
        sub.set_defaults(func=func)

    _add_benchmark_parser(verbs)
    _add_results_parser(verbs)
    return parser


def _add_results_parser(verbs) -> None:
    results = verbs.add_parser(
        "results",
        help="publish a full benchmark run into benchmark_results/, or regenerate "
        "the README's results section from it",
    )
    actions = results.add_subparsers(dest="results_verb", required=True, metavar="ACTION")
    publish = actions.add_parser(
        "publish", help="copy RUN_DIR's results.csv and leaderboard.md with a provenance file"
    )
    publish.add_argument("run_dir", help="the finished run's --out folder")
    publish.add_argument("--dest", default="benchmark_results", help="the tracked folder")
    publish.add_argument("--command", required=True, help="the command that made the run")
    publish.add_argument(
        "--commit", default=None, help="commit of the code that ran (default: this checkout's)"
    )
    publish.add_argument("--started", default=None, help="ISO start time of the run")
    publish.add_argument("--finished", default=None, help="ISO end time of the run")
    publish.add_argument("--wall-seconds", type=float, default=None, help="wall time of the run")
    publish.add_argument("--jobs", type=int, default=None, help="worker processes of the run")
    publish.add_argument("--load-note", default="", help="what else the machine was doing")
    publish.add_argument(
        "--options",
        default=None,
        help="the run's options as JSON (default: ecrm benchmark's defaults, 5 folds, 1 seed)",
    )
    publish.set_defaults(func=_cmd_results_publish)
    readme = actions.add_parser(
        "readme", help="regenerate the README's results section and figures from --dest"
    )
    readme.add_argument("--dest", default="benchmark_results", help="the tracked folder")
    readme.add_argument("--readme", default="README.md", help="the README to update")
    readme.set_defaults(func=_cmd_results_readme)


def _cmd_results_publish(args: argparse.Namespace) -> int:
    import json

    from ecrm_methods.benchmark.published import current_commit, publish_run

    path = publish_run(
        args.run_dir,
        args.dest,
        command=args.command,
        commit=args.commit or current_commit(),
        options=None if args.options is None else json.loads(args.options),
        started=args.started,
        finished=args.finished,
        wall_seconds=args.wall_seconds,
        jobs=args.jobs,
        load_note=args.load_note,
    )
    print(f"wrote {path.parent / 'results.csv'}, {path.parent / 'leaderboard.md'} and {path}")
    return 0


def _cmd_results_readme(args: argparse.Namespace) -> int:
    from ecrm_methods.benchmark.published import write_results_section

    for path in write_results_section(args.dest, args.readme):
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ecrm`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except Exception as error:  # a clear one-line error, not a traceback, for known failures
        from ecrm_methods import datasets

        if isinstance(error, datasets.DatasetError | ValueError | KeyError):
            print(f"ecrm: error: {error}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
