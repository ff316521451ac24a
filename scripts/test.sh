#!/usr/bin/env bash
# The test suite: set up .venv (first run only), lint, then pytest over tests/ and notebooks/.
# Tests that need a dataset skip when it is not in the data home (ECRM_DATA).
# Extra arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
cd "$root"
export MPLBACKEND=Agg
.venv/bin/ruff check .
targets=(tests)
if compgen -G "notebooks/*.ipynb" >/dev/null; then
    targets+=(--nbval notebooks)
fi
exec .venv/bin/python -m pytest -n 2 --dist loadfile -p no:cacheprovider "${targets[@]}" "$@"
