#!/bin/sh
# Fails when generated/ differs from what codegen makes from spec/ now
# (someone edited generated/ by hand, or changed a spec without committing
# the regenerated output). Usage: check_generated.sh PYTHON, from the repo root.
set -eu
python=${1:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" codegen/gen.py --spec spec --out "$tmp/generated" >/dev/null
if ! diff -r generated "$tmp/generated"; then
    echo "generated/ is stale: run 'python3 codegen/gen.py --spec spec --out generated' and commit" >&2
    exit 1
fi
echo "generated/ matches spec/"
