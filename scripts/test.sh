#!/usr/bin/env bash
# The test suite: set up .venv (first run only), lint, then pytest over tests/, the docstring
# examples of ecrm_methods (doctests) and notebooks/ (nbval).
# Tests that need a dataset skip when it is not in the data home (ECRM_DATA).
# Extra arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
cd "$root"
export MPLBACKEND=Agg
.venv/bin/ruff check .
# tests/, then every docstring example of the package as a doctest, then the notebooks
targets=(tests --doctest-modules ecrm_methods)
if compgen -G "notebooks/*.ipynb" >/dev/null; then
    targets+=(--nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg)
fi
exec .venv/bin/python -m pytest -n 2 --dist loadfile -p no:cacheprovider "${targets[@]}" "$@"
