#!/usr/bin/env bash
# The main job: set up .venv (first run only), then run `ecrm main`: the CDNOW overview and
# the benchmark on every dataset available in the data home (CDNOW alone on a bare machine).
# Extra arguments go to `ecrm main` (for example --quick).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
cd "$root"
exec .venv/bin/ecrm main "$@"
