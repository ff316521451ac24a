"""Speed and quality of ``GAFeatureSelector`` on E Commerce churn.

GA feature selection with a population of 50 over 30 generations, fitness the 5-fold ROC-AUC
of a logistic regression on the preprocessed E Commerce churn table (median-imputed, scaled
numerics and one-hot categoricals). Early stopping is off for the timing runs, so every run
does the same 30 generations and only the evaluation strategy differs:

- reference: ``n_jobs=1`` with the fitness cache on;
- ``n_jobs=2`` with the cache on (joblib processes), ratio against the reference;
- ``n_jobs=1`` with the cache off (every individual re-runs its 5-fold CV), ratio against
  the reference.

The selector's default ``selection_rule="one_se"`` follows the GA with a backward-elimination
path (its evaluations are in the counts); ``--selection-rule best`` times the GA alone.

Quality: an outer 5-fold cross-validation of preprocessing + GA selection + logistic
regression (the GA sees only the outer training fold) against the same model on all features,
for both selection rules: the one-standard-error rule (the default) and the GA's fittest
subset (``selection_rule="best"``, the default before), with the features each keeps.

BLAS is limited to one thread (``threadpoolctl``): thousands of tiny fits only lose to
thread contention otherwise; joblib's worker processes apply the same limit by themselves.

Run: ``ECRM_DATA=... .venv/bin/python benchmarks/bench_genetic.py [--population 50]
[--generations 30] [--selection-rule one_se|best] [--skip-quality] [--quick] [--json PATH]``
(``--quick``: 200 customers, population 4, 1 generation, at most 3 features, no quality run, and a skip instead of an
error without the data; ``--json`` writes the measurements). Not run by CI (the quick mode is, by ``tests/test_benchmarks_quick.py``).
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score, cross_validate
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from ecrm_methods.genetic import GAFeatureSelector
from ecrm_methods.problems import load_problem, pair_is_available


def make_selector(args, **overrides) -> GAFeatureSelector:
    params = dict(
        scoring="roc_auc",
        cv=5,
        population_size=args.population,
        generations=args.generations,
        patience=None,
        max_features=args.max_features,
        selection_rule=args.selection_rule,
        random_state=args.seed,
    )
    params.update(overrides)
    return GAFeatureSelector(LogisticRegression(max_iter=1000), **params)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=50)
    parser.add_argument("--generations", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--selection-rule", choices=["one_se", "best"], default="one_se")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--max-features", type=int, default=None)
    parser.add_argument(
        "--quick", action="store_true", help="200 customers, population 4, 1 generation"
    )
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args()
    if args.quick:
        args.population, args.generations, args.skip_quality = 4, 1, True
        args.max_features = 3  # small subsets: the one-SE elimination path stays short

    if not pair_is_available("churn", "ecommerce-churn"):
        if args.quick:
            print("E Commerce churn is not in the data home (set ECRM_DATA): skipped")
            return
        raise SystemExit("E Commerce churn is not in the data home; set ECRM_DATA.")
    data = load_problem("churn", "ecommerce-churn")
    preprocessor = data.make_preprocessor(sparse_output=False)
    X = np.asarray(preprocessor.fit_transform(data.X), dtype=float)
    y = data.y.to_numpy()
    if args.quick:  # 200 customers: the timing runs take seconds, not minutes
        rows = np.random.default_rng(args.seed).choice(len(y), size=200, replace=False)
        X, y = X[rows], y[rows]
    print(
        f"E Commerce churn: {X.shape[0]} customers x {X.shape[1]} preprocessed features; "
        f"population {args.population}, {args.generations} generations, 5-fold LR ROC-AUC fitness"
    )

    timings = {}
    fitted = {}
    runs = [
        ("n_jobs=1, cache on (reference)", dict(n_jobs=1, cache=True)),
        ("n_jobs=2, cache on", dict(n_jobs=2, cache=True)),
        ("n_jobs=1, cache off", dict(n_jobs=1, cache=False)),
    ]
    with threadpool_limits(limits=1):
        for label, overrides in runs:
            selector = make_selector(args, **overrides)
            start = time.perf_counter()
            selector.fit(X, y)
            timings[label] = time.perf_counter() - start
            fitted[label] = selector
            print(
                f"  {label:32s} {timings[label]:8.1f} s  CV evaluations {selector.n_evaluations_:5d}"
                f"  cache hits {selector.n_cache_hits_:5d}  kept {selector.n_features_:2d}"
                f"/{X.shape[1]}  best fitness AUC {selector.best_score_:.4f}"
            )
        reference = timings[runs[0][0]]
        print("ratios against the reference (n_jobs=1, cache on):")
        for label, _ in runs[1:]:
            print(f"  {label:32s} x{timings[label] / reference:5.2f} wall time")
        same = all(
            np.array_equal(fitted[label].support_, fitted[runs[0][0]].support_) for label, _ in runs
        )
        print(f"same subset in every run: {same}")
        measurements = {
            "benchmark": f"GAFeatureSelector, E Commerce churn {X.shape[0]} x {X.shape[1]}, "
            f"population {args.population}, {args.generations} generations",
            "reference": runs[0][0],
            "seconds": {label: timings[label] for label, _ in runs},
            "ratios": {label: timings[label] / reference for label, _ in runs[1:]},
            "same_subset": bool(same),
        }

        def write_json():
            if args.json:
                args.json.write_text(
                    json.dumps(
                        {"script": "bench_genetic", "quick": args.quick, "results": [measurements]},
                        indent=1,
                    )
                )

        if args.skip_quality:
            write_json()
            return
        outer = StratifiedKFold(n_splits=5, shuffle=True, random_state=args.seed)
        all_features = Pipeline(
            [
                ("preprocess", data.make_preprocessor(sparse_output=False)),
                ("model", LogisticRegression(max_iter=1000)),
            ]
        )
        start = time.perf_counter()
        auc_all = cross_val_score(all_features, data.X, y, cv=outer, scoring="roc_auc")
        results = {}
        for rule in ("one_se", "best"):
            selected = Pipeline(
                [
                    ("preprocess", data.make_preprocessor(sparse_output=False)),
                    ("select", make_selector(args, n_jobs=2, patience=10, selection_rule=rule)),
                    ("model", LogisticRegression(max_iter=1000)),
                ]
            )
            scores = cross_validate(
                selected, data.X, y, cv=outer, scoring="roc_auc", return_estimator=True
            )
            kept = [int(fold["select"].n_features_) for fold in scores["estimator"]]
            results[rule] = (scores["test_score"], kept)
        elapsed = time.perf_counter() - start
    print(f"outer 5-fold ROC-AUC ({elapsed:.0f} s):")
    print(f"  all {X.shape[1]} features               {auc_all.mean():.4f} +- {auc_all.std():.4f}")
    labels = {"one_se": "GA, one-SE rule (default)", "best": "GA, fittest subset (best)"}
    for rule, (auc, kept) in results.items():
        print(
            f"  {labels[rule]:28s} {auc.mean():.4f} +- {auc.std():.4f}"
            f"  (GA - all {auc.mean() - auc_all.mean():+.4f})  features kept per fold {kept}"
        )
    measurements["outer_cv_auc"] = {
        "all_features": float(auc_all.mean()),
        "ga_selected": float(results["one_se"][0].mean()),
        "ga_selected_best_rule": float(results["best"][0].mean()),
        "features_kept": {rule: kept for rule, (_, kept) in results.items()},
        "seconds": elapsed,
    }
    write_json()


if __name__ == "__main__":
    main()
