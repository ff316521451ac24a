#!/usr/bin/env bash
# Build the documentation site into site/ (or the folder given as the first argument):
# the README's opening, every notebook with its stored outputs, the API reference from the
# docstrings, the dataset cards, the committed leaderboard and a glossary (docs/README.md).
# Every Sphinx warning is an error. The build is always from scratch, so a warning can never
# hide in a page an incremental build skipped. Extra arguments go to sphinx-build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# ECRM_DOCS_PYTHON: an interpreter that already has the docs extra (the test passes its own);
# otherwise .venv, set up (first run only) by scripts/setup.sh
if [ -n "${ECRM_DOCS_PYTHON:-}" ]; then
    python="$ECRM_DOCS_PYTHON"
else
    bash "$root/scripts/setup.sh"
    python="$root/.venv/bin/python"
fi
cd "$root"
out="${1:-site}"
shift || true
if [ -e "$out" ] && [ ! -f "$out/.buildinfo" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
    echo "docs: $out exists and is not a built site; not replacing it" >&2
    exit 1
fi
export MPLBACKEND=Agg
work="build/docs"  # doctrees and myst-nb's extracted outputs, beside the html
rm -rf "$work"
start=$(date +%s)
"$python" -m sphinx -b html -W --keep-going -q -j 1 -d "$work/doctrees" "$@" docs "$work/html"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$work/html" "$out"
echo "docs: built $out/index.html in $(( $(date +%s) - start )) s"
