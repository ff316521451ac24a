"""Does the neural family's CUDA path work? Agreement with the CPU, determinism, and speed.

``TorchMLPClassifier``, ``TorchMLPRegressor`` and ``SelfOrganizingMap`` take ``device=TARGET``;
this script is the check that the path runs on a real GPU:

1. prediction: a model trained on the CPU predicts the same on the GPU (its network moved
   there), to float32 rounding;
2. training: the same seed on the CPU and on the GPU gives the same model up to float32
   differences in the kernels (probabilities within 0.02, regression R^2 within 0.01; the SOM
   codebook within 1e-3 and the quantization error within 1 %);
3. determinism: two GPU fits with one seed are identical (``CUBLAS_WORKSPACE_CONFIG`` set and
   ``torch.use_deterministic_algorithms(True)``);
4. speed: the SOM benchmark of ``bench_neural.py`` (100,000 x 4, 10 x 10 map, 10 epochs) and an
   MLP benchmark (200,000 x 20, two hidden layers of 256, 5 epochs, batches of 1,024) on the
   CPU and on the GPU, with the ratios (``--quick``: 2,000 SOM rows; 5,000 MLP rows, layers
   of 64, 2 epochs).

Without a CUDA device (a CPU build of torch, or no GPU) it prints why and exits 0: there is
nothing to check. With one, it exits 1 if an agreement or determinism check fails.

Run: ``.venv/bin/python benchmarks/gpu_check.py [--quick] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

# cuBLAS is only deterministic with a fixed workspace; must be set before CUDA initialises
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

import numpy as np  # noqa: E402
import torch  # noqa: E402

#: The device under test; ``--cpu-stand-in`` replaces it by the CPU to check the script itself.
TARGET = "cuda"


def gpu_description() -> dict:
    """What torch sees: build, CUDA version, devices."""
    description = {
        "torch": torch.__version__,
        "torch_cuda_build": torch.version.cuda,
        "cuda_available": bool(torch.cuda.is_available()),
    }
    if description["cuda_available"]:
        description["device"] = torch.cuda.get_device_name(0)
        description["device_count"] = torch.cuda.device_count()
    return description


def _xor(n: int, n_features: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, n_features)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y


def _timed(function):
    synchronize = TARGET == "cuda" and torch.cuda.is_available()
    if synchronize:
        torch.cuda.synchronize()
    start = time.perf_counter()
    result = function()
    if synchronize:
        torch.cuda.synchronize()
    return time.perf_counter() - start, result


def check_agreement(quick: bool) -> list[dict]:
    """CPU vs CUDA agreement and CUDA determinism of the MLPs and the SOM."""
    from ecrm_methods.neural import SelfOrganizingMap, TorchMLPClassifier, TorchMLPRegressor

    checks = []

    def record(name, value, tolerance, passed):
        checks.append(
            {"check": name, "value": float(value), "tolerance": tolerance, "ok": bool(passed)}
        )
        print(f"  {'ok  ' if passed else 'FAIL'} {name}: {value:.3g} (tolerance {tolerance})")

    n = 200 if quick else 2000
    X, y = _xor(n, 2, seed=0)
    X_test, _ = _xor(n, 2, seed=1)
    params = dict(hidden_layer_sizes=(32,), max_epochs=5 if quick else 100, learning_rate=0.02)

    cpu = TorchMLPClassifier(device="cpu", random_state=0, **params).fit(X, y)
    proba_cpu = cpu.predict_proba(X_test)
    # 1. the CPU-trained network, moved to the GPU, predicts the same
    cpu.network_.to(TARGET)
    cpu.device_ = torch.device(TARGET)
    record(
        "MLP classifier: CPU-trained model predicting on CUDA, max |proba difference|",
        np.abs(cpu.predict_proba(X_test) - proba_cpu).max(),
        1e-5,
        np.abs(cpu.predict_proba(X_test) - proba_cpu).max() <= 1e-5,
    )
    # 2. the same seed trained on the GPU
    gpu = TorchMLPClassifier(device=TARGET, random_state=0, **params).fit(X, y)
    difference = np.abs(gpu.predict_proba(X_test) - proba_cpu).max()
    record(
        "MLP classifier: CUDA vs CPU fit, max |proba difference|",
        difference,
        0.02,
        difference <= 0.02,
    )
    agreement = (gpu.predict(X_test) == cpu.predict(X_test)).mean()
    record(
        "MLP classifier: CUDA vs CPU fit, label agreement", agreement, ">= 0.98", agreement >= 0.98
    )
    # 3. determinism on the GPU
    torch.use_deterministic_algorithms(True)
    try:
        again = TorchMLPClassifier(device=TARGET, random_state=0, **params).fit(X, y)
        same = gpu.loss_curve_ == again.loss_curve_ and all(
            torch.equal(a, b)
            for a, b in zip(gpu.network_.parameters(), again.network_.parameters(), strict=True)
        )
        record("MLP classifier: two CUDA fits with one seed identical", float(same), "== 1", same)
        rng = np.random.default_rng(2)
        X_reg = rng.uniform(-np.pi, np.pi, size=(n, 1)).astype(np.float32)
        y_reg = np.sin(X_reg[:, 0])
        reg = dict(hidden_layer_sizes=(32, 32), max_epochs=5 if quick else 150, learning_rate=0.02)
        r2_cpu = TorchMLPRegressor(device="cpu", random_state=0, **reg).fit(X_reg, y_reg)
        r2_gpu = TorchMLPRegressor(device=TARGET, random_state=0, **reg).fit(X_reg, y_reg)
        gap = abs(r2_cpu.score(X_reg, y_reg) - r2_gpu.score(X_reg, y_reg))
        record("MLP regressor: CUDA vs CPU fit, |R^2 difference|", gap, 0.01, gap <= 0.01)

        from sklearn.datasets import make_blobs

        X_som, _ = make_blobs(n_samples=n, centers=4, n_features=4, random_state=0)
        som = dict(n_rows=6, n_cols=6, n_epochs=5, random_state=0)
        som_cpu = SelfOrganizingMap(device="cpu", **som).fit(X_som)
        som_gpu = SelfOrganizingMap(device=TARGET, **som).fit(X_som)
        som_again = SelfOrganizingMap(device=TARGET, **som).fit(X_som)
        codebook = np.abs(som_gpu.weights_ - som_cpu.weights_).max()
        record("SOM: CUDA vs CPU codebook, max |difference|", codebook, 1e-3, codebook <= 1e-3)
        qe = abs(som_gpu.quantization_error_ / som_cpu.quantization_error_ - 1)
        record("SOM: CUDA vs CPU quantization error, relative difference", qe, 0.01, qe <= 0.01)
        same = np.array_equal(som_gpu.weights_, som_again.weights_)
        record("SOM: two CUDA fits with one seed identical", float(same), "== 1", same)
    finally:
        torch.use_deterministic_algorithms(False)
    return checks


def benchmark(quick: bool) -> list[dict]:
    """SOM and MLP training time on the CPU and on the GPU."""
    from ecrm_methods.neural import SelfOrganizingMap, TorchMLPClassifier

    rows = []
    n_som = 2_000 if quick else 100_000
    rng = np.random.default_rng(0)
    centres = rng.uniform(-3, 3, size=(5, 4))
    X_som = centres[rng.integers(5, size=n_som)] + rng.normal(scale=0.7, size=(n_som, 4))
    n_mlp, width, epochs = (5_000, 64, 2) if quick else (200_000, 256, 5)
    X_mlp, y_mlp = _xor(n_mlp, 20, seed=3)
    runs = [
        (
            f"SelfOrganizingMap 10x10, {n_som:,} x 4, 10 epochs",
            lambda device: SelfOrganizingMap(
                10, 10, sigma=2.5, n_epochs=10, device=device, random_state=0
            ).fit(X_som),
        ),
        (
            f"TorchMLPClassifier ({width}, {width}), {n_mlp:,} x 20, {epochs} epochs, batch 1024",
            lambda device: TorchMLPClassifier(
                hidden_layer_sizes=(width, width),
                max_epochs=epochs,
                batch_size=1024,
                device=device,
                random_state=0,
            ).fit(X_mlp, y_mlp),
        ),
    ]
    print(f"  {'':62s}{'CPU s':>9s}{'CUDA s':>9s}{'speed-up':>10s}")
    for label, fit in runs:
        fit(TARGET)  # warm-up: CUDA context, kernels
        cpu_seconds, _ = _timed(lambda fit=fit: fit("cpu"))
        gpu_seconds, _ = _timed(lambda fit=fit: fit(TARGET))
        ratio = cpu_seconds / gpu_seconds
        rows.append(
            {
                "benchmark": label,
                "cpu_seconds": cpu_seconds,
                "cuda_seconds": gpu_seconds,
                "speedup": ratio,
            }
        )
        print(f"  {label:62s}{cpu_seconds:9.2f}{gpu_seconds:9.2f}{ratio:9.1f}x")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, seconds")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--cpu-stand-in",
        action="store_true",
        help="run every check and benchmark with the CPU in the GPU's place: checks this "
        "script (the quick test uses it), says nothing about CUDA",
    )
    args = parser.parse_args()

    global TARGET
    if args.quick:  # tiny networks: one thread avoids oversubscribing a shared CPU
        torch.set_num_threads(1)
    description = gpu_description()
    if args.cpu_stand_in:
        TARGET = "cpu"
        description.update(cuda_available=True, device="CPU standing in for the GPU")
    result = {"script": "gpu_check", "quick": args.quick, "gpu": description}
    if not description["cuda_available"]:
        reason = (
            "this torch is a CPU build (torch.version.cuda is None)"
            if description["torch_cuda_build"] is None
            else f"torch {description['torch']} (CUDA {description['torch_cuda_build']}) finds no GPU"
        )
        message = f"no CUDA GPU: {reason}; nothing to check, the CPU path is what the tests cover."
        print(message)
        result.update(status="skipped", message=message)
        if args.json:
            args.json.write_text(json.dumps(result, indent=1))
        return 0
    print(
        f"GPU: {description['device']} (torch {description['torch']}, CUDA {description['torch_cuda_build']})"
    )
    print("agreement and determinism:")
    checks = check_agreement(args.quick)
    print("speed:")
    timings = benchmark(args.quick)
    failed = [c["check"] for c in checks if not c["ok"]]
    result.update(status="failed" if failed else "ok", checks=checks, timings=timings)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    if failed:
        print(f"{len(failed)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
