"""Speed and memory of ecrm_methods.fuzzy against scikit-fuzzy, measured in the same run.

1. Fuzzy c-means: 1,000,000 x 3 points, 5 clusters, m = 2, exactly 20 iterations, both started
   from the same membership matrix. Target: >= 5x faster than ``skfuzzy.cluster.cmeans`` and
   peak memory (tracemalloc, during fit) <= 2 x (data + membership matrix).
2. Mamdani inference: predicting 100,000 rows with 50 rules in <= 2 s; scikit-fuzzy's
   ``ControlSystemSimulation`` is timed on a few hundred rows and extrapolated.

Run: ``python benchmarks/bench_fuzzy.py [--quick] [--json PATH]`` (``--quick``: sizes divided
by 100, 10 reference rows; ``--json`` writes the measurements). Not run by CI (the quick mode is,
by ``tests/test_benchmarks_quick.py``).
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from pathlib import Path

import numpy as np
import skfuzzy
from skfuzzy import control as ctrl

from ecrm_methods.fuzzy import FuzzyCMeans, FuzzyRuleRegressor


def bench_cmeans(n_samples, n_clusters=5, n_features=3, n_iter=20, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, size=(n_clusters, n_features))
    X = centers[rng.integers(0, n_clusters, n_samples)] + rng.normal(size=(n_samples, n_features))
    initial = rng.uniform(size=(n_samples, n_clusters))
    initial /= initial.sum(axis=1, keepdims=True)

    fcm = FuzzyCMeans(n_clusters, m=2.0, tol=0.0, max_iter=n_iter, init=initial)
    tracemalloc.start()
    start = time.perf_counter()
    fcm.fit(X)
    ours = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    data_transposed = np.ascontiguousarray(X.T)
    init_transposed = np.ascontiguousarray(initial.T)
    tracemalloc.start()
    start = time.perf_counter()
    ref_centers, *_ = skfuzzy.cluster.cmeans(
        data_transposed, n_clusters, 2.0, error=0.0, maxiter=n_iter, init=init_transposed
    )
    reference = time.perf_counter() - start
    _, ref_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    budget = 2 * (X.nbytes + initial.nbytes)
    print(f"fuzzy c-means: {n_samples:,} x {n_features}, {n_clusters} clusters, m=2, {n_iter} iter")
    print(f"  ecrm_methods FuzzyCMeans : {ours:8.3f} s   peak {peak / 2**20:8.1f} MiB")
    print(f"  skfuzzy.cluster.cmeans   : {reference:8.3f} s   peak {ref_peak / 2**20:8.1f} MiB")
    print(f"  speed-up                 : {reference / ours:8.1f} x   (target >= 5x)")
    print(
        f"  peak / (data + membership): {peak / (X.nbytes + initial.nbytes):6.2f}  "
        f"(target <= 2; budget {budget / 2**20:.1f} MiB)"
    )
    print(f"  max |center difference|  : {np.abs(fcm.cluster_centers_ - ref_centers).max():.2e}")
    return {
        "benchmark": f"fuzzy c-means, {n_samples:,} x {n_features}, {n_clusters} clusters, "
        f"{n_iter} iterations",
        "reference": "skfuzzy.cluster.cmeans",
        "seconds": ours,
        "reference_seconds": reference,
        "speedup": reference / ours,
        "peak_mib": peak / 2**20,
        "reference_peak_mib": ref_peak / 2**20,
        "targets": {
            "speed-up >= 5x": bool(reference / ours >= 5),
            "peak <= 2 x (data + membership)": bool(peak <= budget),
        },
    }


def _skfuzzy_system(reg):
    inputs = {}
    for name, universe in reg.universes_.items():
        variable = ctrl.Antecedent(universe, name)
        for term, mf in reg.membership_functions_[name].items():
            variable[term] = mf
        inputs[name] = variable
    output = ctrl.Consequent(reg.output_universe_, reg.target_name_)
    for term, mf in reg.output_membership_functions_.items():
        output[term] = mf
    rules = []
    for rule in reg.rules_:
        (conjunction,) = rule.antecedent
        condition = None
        for clause in conjunction:
            term = inputs[clause.variable][clause.term]
            condition = term if condition is None else condition & term
        rules.append(ctrl.Rule(condition, output[rule.consequent_term]))
    return ctrl.ControlSystemSimulation(ctrl.ControlSystem(rules))


def bench_mamdani(n_rows, n_rules=50, n_reference_rows=300, seed=0, n_train=5000):
    rng = np.random.default_rng(seed)
    X_train = rng.uniform(0, 10, size=(n_train, 3))
    y_train = np.sin(X_train[:, 0]) + 0.3 * X_train[:, 1] - 0.1 * X_train[:, 2] ** 1.5
    reg = FuzzyRuleRegressor(n_terms=4, max_rules=n_rules, resolution=201).fit(X_train, y_train)
    X = rng.uniform(0, 10, size=(n_rows, 3))
    reg.predict(X[:1000])  # warm-up
    start = time.perf_counter()
    prediction = reg.predict(X)
    ours = time.perf_counter() - start

    simulation = _skfuzzy_system(reg)
    rows = X[:n_reference_rows]
    reference_values = []
    start = time.perf_counter()
    for row in rows:
        for name, value in zip(reg.universes_, row, strict=True):
            simulation.input[name] = value
        simulation.compute()
        reference_values.append(simulation.output.get(reg.target_name_, np.nan))
    reference_per_row = (time.perf_counter() - start) / n_reference_rows
    reference_values = np.array(reference_values)
    fired = ~np.isnan(reference_values)
    difference = np.abs(prediction[:n_reference_rows][fired] - reference_values[fired]).max()

    print(f"Mamdani inference: {n_rows:,} rows, {len(reg.rules_)} rules, 3 inputs x 4 terms")
    print(f"  ecrm_methods predict     : {ours:8.3f} s   (target <= 2 s)")
    print(
        f"  skfuzzy ControlSystemSimulation: {reference_per_row * 1e3:.2f} ms/row "
        f"-> {reference_per_row * n_rows:8.1f} s extrapolated to {n_rows:,} rows"
    )
    print(f"  speed-up                 : {reference_per_row * n_rows / ours:8.0f} x")
    print(f"  max |difference| on {fired.sum()} rows: {difference:.2e}")
    return {
        "benchmark": f"Mamdani inference, {n_rows:,} rows, {len(reg.rules_)} rules",
        "reference": f"skfuzzy ControlSystemSimulation ({n_reference_rows} rows, extrapolated)",
        "seconds": ours,
        "reference_seconds": float(reference_per_row * n_rows),
        "speedup": float(reference_per_row * n_rows / ours),
        "targets": {"predict <= 2 s": bool(ours <= 2)},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="sizes divided by 100")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args()
    scale = 100 if args.quick else 1
    results = [bench_cmeans(1_000_000 // scale)]
    print()
    if args.quick:
        results.append(bench_mamdani(100_000 // scale, n_reference_rows=10, n_train=1000))
    else:
        results.append(bench_mamdani(100_000))
    if args.json:
        args.json.write_text(
            json.dumps({"script": "bench_fuzzy", "quick": args.quick, "results": results}, indent=1)
        )


if __name__ == "__main__":
    main()
