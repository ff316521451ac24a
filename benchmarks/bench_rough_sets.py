"""Speed of ecrm_methods.rough_sets against a straightforward dict-of-tuples implementation.

Measured in the same run:

1. dependency degree gamma on 1,000,000 rows x 10 attributes (target <= 1 s);
2. QuickReduct (``RoughSetReducer(method="quickreduct").fit``, which also computes the core)
   on 1,000,000 rows x 20 attributes (target <= 30 s);
3. LEM2 rule induction on the discretized E Commerce churn table (5,630 rows), needs
   ``ECRM_DATA`` pointing at the datasets mirror; skipped otherwise.

The reference versions build indiscernibility classes as a Python dict from row tuples to row
lists and run LEM2 on Python sets of row indices: the textbook formulation. Both sides run the
same algorithm with the same tie-breaking, and the script checks that they agree. Target:
>= 20x speed-up. Not run by CI:  ``python benchmarks/bench_rough_sets.py [--rows N] [--quick]
[--json PATH]`` (``--quick``: 5,000 rows and LEM2 on the first 500 customers; ``--json`` writes
the measurements; ``tests/test_benchmarks_quick.py`` runs the quick mode).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ecrm_methods.rough_sets import (
    LEM2Classifier,
    RoughSetDiscretizer,
    RoughSetReducer,
    dependency_degree,
)

# --------------------------------------------------------------------------------------------
# Straightforward reference implementations
# --------------------------------------------------------------------------------------------


def reference_classes(columns: list[list], attributes: list[int]) -> dict:
    """Indiscernibility classes: row tuple -> list of row indices."""
    classes: dict = {}
    for i, key in enumerate(zip(*(columns[a] for a in attributes), strict=True)):
        classes.setdefault(key, []).append(i)
    return classes


def reference_counts(columns, decision, attributes) -> list[dict]:
    """Decision counts per indiscernibility class."""
    counts: dict = {}
    rows = zip(*(columns[a] for a in attributes), strict=True) if attributes else None
    if rows is None:
        keys = [()] * len(decision)
    else:
        keys = rows
    for key, d in zip(keys, decision, strict=True):
        per_class = counts.get(key)
        if per_class is None:
            counts[key] = per_class = {}
        per_class[d] = per_class.get(d, 0) + 1
    return list(counts.values())


def reference_gamma(columns, decision, attributes) -> tuple[int, float]:
    """(|POS|, conditional entropy in bits) of the attribute subset."""
    n = len(decision)
    positive, entropy = 0, 0.0
    for per_class in reference_counts(columns, decision, attributes):
        size = sum(per_class.values())
        if len(per_class) == 1:
            positive += size
        for count in per_class.values():
            entropy -= count * math.log2(count / size)
    return positive, entropy / n


def reference_quickreduct(columns, decision) -> list[int]:
    """QuickReduct with entropy tie-breaking, then backward pruning (same as ours)."""
    m = len(columns)
    full, _ = reference_gamma(columns, decision, list(range(m)))
    selected: list[int] = []
    remaining = list(range(m))
    positive = 0
    while remaining and not (positive >= full and (selected or full == 0)):
        best = None
        for a in remaining:
            pos, entropy = reference_gamma(columns, decision, selected + [a])
            score = (pos, -entropy)
            if best is None or score > best[0]:
                best = (score, a)
        selected.append(best[1])
        remaining.remove(best[1])
        positive = best[0][0]
    reduct = list(selected)
    for a in reversed(selected):
        trial = [b for b in reduct if b != a]
        if trial and reference_gamma(columns, decision, trial)[0] >= full:
            reduct = trial
    return sorted(reduct)


def reference_lem2(columns: list[list], decision: list) -> set:
    """LEM2 on Python sets: certain rules from lower, possible rules from upper
    approximations; returns the rules as (decision, frozenset of (attribute, value), type)."""
    n, m = len(decision), len(columns)
    # pair ids in the order ours uses: attribute by attribute, values by first appearance
    pair_of = {}
    for a in range(m):
        for v in columns[a]:
            if (a, v) not in pair_of:
                pair_of[(a, v)] = len(pair_of)
    blocks: dict = {}
    for a in range(m):
        for i, v in enumerate(columns[a]):
            blocks.setdefault((a, v), set()).add(i)
    classes = reference_classes(columns, list(range(m)))
    decisions = sorted(set(decision))
    rules = set()

    def cover(conditions):
        rows = set(range(n))
        for t in conditions:
            rows &= blocks[t]
        return rows

    def lem2(concept: set) -> list:
        uncovered = set(concept)
        found, covers = [], []
        while uncovered:
            conditions: list = []
            goal = set(uncovered)
            rows = set(range(n))
            while not conditions or not rows <= concept:
                used = {a for a, _ in conditions}
                candidates = [t for t in blocks if t[0] not in used and blocks[t] & goal]
                if not candidates:
                    break
                t = min(
                    candidates,
                    key=lambda t: (-len(blocks[t] & goal), len(blocks[t]), pair_of[t]),
                )
                conditions.append(t)
                rows &= blocks[t]
                goal &= blocks[t]
            for t in list(conditions):
                if len(conditions) == 1:
                    break
                trial = [s for s in conditions if s != t]
                if cover(trial) <= concept:
                    conditions = trial
            found.append(conditions)
            covers.append(cover(conditions) & concept)
            uncovered -= cover(conditions)
        kept = []
        times = {}
        for c in covers:
            for i in c:
                times[i] = times.get(i, 0) + 1
        for conditions, c in zip(found, covers, strict=True):
            if c and all(times[i] >= 2 for i in c):
                for i in c:
                    times[i] -= 1
            else:
                kept.append(conditions)
        return kept

    for d in decisions:
        lower, upper = set(), set()
        for rows in classes.values():
            labels = {decision[i] for i in rows}
            if labels == {d}:
                lower |= set(rows)
            if d in labels:
                upper |= set(rows)
        certain = [frozenset(r) for r in lem2(lower)] if lower else []
        rules |= {(d, r, "certain") for r in certain}
        if upper != lower:
            for r in lem2(upper):
                if frozenset(r) not in certain:
                    rules.add((d, frozenset(r), "possible"))
    return rules


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


def timed(function, *args, repeat=1, **kwargs):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def synthetic_table(n_rows: int, n_attributes: int, seed: int):
    rng = np.random.default_rng(seed)
    cardinalities = rng.integers(2, 7, n_attributes)
    X = pd.DataFrame(
        {f"a{j}": rng.integers(0, c, n_rows) for j, c in enumerate(cardinalities)},
    )
    # the decision depends on four attributes, so gamma(C) = 1 and the reduct is small
    y = (X["a3"] + X["a7"] * (X["a1"] % 2) + X["a9"]) % 3
    return X, y.to_numpy()


RESULTS: list[dict] = []  # every report() line, for --json


def report(label, ours, reference, target=None):
    line = (
        f"{label:<55} ours {ours:8.3f} s | reference {reference:8.3f} s | x{reference / ours:7.1f}"
    )
    if target is not None:
        line += f" | target <= {target} s: {'met' if ours <= target else 'MISSED'}"
    print(line, flush=True)
    RESULTS.append(
        {
            "benchmark": label,
            "reference": "dict-of-tuples / Python-set implementation (same algorithm)",
            "seconds": ours,
            "reference_seconds": reference,
            "speedup": reference / ours,
            "targets": {
                **({} if target is None else {f"<= {target} s": ours <= target}),
                "speed-up >= 20x": reference / ours >= 20,
            },
        }
    )


def bench_dependency(n_rows: int) -> None:
    X, y = synthetic_table(n_rows, 10, seed=0)
    columns = [X[c].tolist() for c in X.columns]
    decision = y.tolist()
    ours, gamma = timed(dependency_degree, X, y, repeat=3)
    reference, (positive, _) = timed(reference_gamma, columns, decision, list(range(10)))
    assert abs(gamma - positive / n_rows) < 1e-12, (gamma, positive / n_rows)
    report(f"dependency degree, {n_rows:,} x 10", ours, reference, target=1.0)


def bench_quickreduct(n_rows: int) -> None:
    X, y = synthetic_table(n_rows, 20, seed=1)
    columns = [X[c].tolist() for c in X.columns]
    decision = y.tolist()
    ours, reducer = timed(RoughSetReducer(method="quickreduct").fit, X, y)
    reference, reduct = timed(reference_quickreduct, columns, decision)
    assert reducer.reduct_ == [f"a{j}" for j in reduct], (reducer.reduct_, reduct)
    positive, _ = reference_gamma(columns, decision, reduct)  # untimed: agreement on gamma
    assert abs(reducer.dependency_ - positive / n_rows) < 1e-12, (reducer.dependency_, positive)
    report(
        f"QuickReduct (+ core), {n_rows:,} x 20 -> {reducer.reduct_}", ours, reference, target=30
    )


def bench_lem2(max_rows: int | None = None) -> None:
    try:
        from ecrm_methods.problems import load_problem, pair_is_available
    except ImportError:
        print("LEM2: ecrm_methods.problems is missing; skipped")
        return
    if not pair_is_available("churn", "ecommerce-churn"):
        print("LEM2: E Commerce churn data not found (set ECRM_DATA); skipped")
        return
    data = load_problem("churn", "ecommerce-churn")
    X = data.X[data.numeric_features + data.categorical_features]
    y_all = data.y
    if max_rows is not None:
        X, y_all = X.iloc[:max_rows], y_all.iloc[:max_rows]
    discretizer = RoughSetDiscretizer(method="maxdiscernibility", handle_missing="category")
    discretizer.set_output(transform="pandas")
    seconds, discrete = timed(discretizer.fit_transform, X, y_all)
    print(
        f"max-discernibility discretization of {X.shape[0]:,} x {X.shape[1]}: {seconds:.3f} s, "
        f"{sum(len(c) for c in discretizer.cuts_.values())} cuts",
        flush=True,
    )
    y = y_all.to_numpy()
    ours, model = timed(LEM2Classifier().fit, discrete, y, repeat=3)
    columns = [discrete[c].tolist() for c in discrete.columns]
    reference, rules = timed(reference_lem2, columns, y.tolist())
    names = list(discrete.columns)
    our_rules = {
        (
            r["decision"],
            frozenset((names.index(a), v) for a, v in r["conditions"]),
            r["type"],
        )
        for r in model.rules_
    }
    assert our_rules == rules, (len(our_rules), len(rules))
    report(f"LEM2, discretized E Commerce churn ({len(rules)} rules)", ours, reference)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="5,000 rows, LEM2 on 500 rows")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args()
    if args.quick:
        args.rows = 5_000
    bench_dependency(args.rows)
    bench_quickreduct(args.rows)
    bench_lem2(max_rows=500 if args.quick else None)
    if args.json:
        args.json.write_text(
            json.dumps(
                {"script": "bench_rough_sets", "quick": args.quick, "results": RESULTS}, indent=1
            )
        )


if __name__ == "__main__":
    main()
