"""Speed and quality of ``SelfOrganizingMap`` against MiniSom.

Both maps see the same number of sample presentations (``n_epochs * n_samples``: MiniSom's
online ``train`` runs one presentation per iteration), the same 10x10 rectangular map,
the same initial sigma and learning rate with the same asymptotic decay, and a PCA
initialization. Prints the timings, the quantization and topographic errors of both and the
ratios, all from this one run. Target: quantization error within 5 % of MiniSom's and at
least 10x faster.

Run: ``.venv/bin/python benchmarks/bench_neural.py [--samples 100000] [--epochs 10] [--quick]
[--json PATH]`` (``--quick``: 2,000 samples, 2 epochs; ``--json`` writes the measurements).
Not run by CI (the quick mode is, by ``tests/test_benchmarks_quick.py``).
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from minisom import MiniSom

from ecrm_methods.neural import SelfOrganizingMap


def make_data(n_samples: int, n_features: int, seed: int) -> np.ndarray:
    """A mixture of five Gaussian segments in ``n_features`` dimensions, standardized."""
    rng = np.random.RandomState(seed)
    centres = rng.uniform(-3, 3, size=(5, n_features))
    segment = rng.randint(5, size=n_samples)
    X = centres[segment] + rng.normal(scale=0.7, size=(n_samples, n_features))
    return (X - X.mean(axis=0)) / X.std(axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--cols", type=int, default=10)
    parser.add_argument("--sigma", type=float, default=2.5)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="2,000 samples, 2 epochs")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args()
    if args.quick:
        args.samples, args.epochs = 2_000, 2

    X = make_data(args.samples, args.features, args.seed)
    presentations = args.epochs * args.samples
    print(
        f"data: {args.samples} x {args.features}; map {args.rows}x{args.cols}; "
        f"{presentations:,} sample presentations; sigma={args.sigma}, "
        f"learning_rate={args.learning_rate}"
    )

    start = time.perf_counter()
    ours = SelfOrganizingMap(
        n_rows=args.rows,
        n_cols=args.cols,
        sigma=args.sigma,
        learning_rate=args.learning_rate,
        n_epochs=args.epochs,
        init="pca",
        random_state=args.seed,
    ).fit(X)
    ours_seconds = time.perf_counter() - start  # includes the final QE/TE pass over X

    reference = MiniSom(
        args.rows,
        args.cols,
        args.features,
        sigma=args.sigma,
        learning_rate=args.learning_rate,
        decay_function="asymptotic_decay",
        sigma_decay_function="asymptotic_decay",
        neighborhood_function="gaussian",
        topology="rectangular",
        random_seed=args.seed,
    )
    start = time.perf_counter()
    reference.pca_weights_init(X)
    reference.train(X, presentations, random_order=True)
    reference_seconds = time.perf_counter() - start
    reference_qe = reference.quantization_error(X)
    reference_te = reference.topographic_error(X)

    print(f"{'':24s}{'seconds':>10s}{'quantization':>14s}{'topographic':>13s}")
    print(
        f"{'ecrm SelfOrganizingMap':24s}{ours_seconds:10.2f}"
        f"{ours.quantization_error_:14.4f}{ours.topographic_error_:13.4f}"
    )
    print(
        f"{'MiniSom (online)':24s}{reference_seconds:10.2f}{reference_qe:14.4f}{reference_te:13.4f}"
    )
    speedup = reference_seconds / ours_seconds
    qe_ratio = ours.quantization_error_ / reference_qe
    print(f"speed-up: {speedup:.1f}x (target >= 10x)")
    print(
        f"quantization error ratio ours/MiniSom: {qe_ratio:.3f} "
        f"(target <= 1.05: {'met' if qe_ratio <= 1.05 else 'NOT met'})"
    )
    if args.json:
        result = {
            "benchmark": f"SelfOrganizingMap {args.rows}x{args.cols}, {args.samples:,} x "
            f"{args.features}, {args.epochs} epochs",
            "reference": "MiniSom (online train, same presentations)",
            "seconds": ours_seconds,
            "reference_seconds": reference_seconds,
            "speedup": speedup,
            "quantization_error": float(ours.quantization_error_),
            "reference_quantization_error": float(reference_qe),
            "topographic_error": float(ours.topographic_error_),
            "reference_topographic_error": float(reference_te),
            "targets": {
                "speed-up >= 10x": bool(speedup >= 10),
                "QE ratio <= 1.05": bool(qe_ratio <= 1.05),
            },
        }
        args.json.write_text(
            json.dumps(
                {"script": "bench_neural", "quick": args.quick, "results": [result]}, indent=1
            )
        )


if __name__ == "__main__":
    main()
