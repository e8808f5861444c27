#!/usr/bin/env bash
# Keras + logistic regression on the folds of an `ftune compare` run (see compare_baseline.py).
#
#   benchmarks/compare_baseline.sh OUT BASE WEIGHTS SIZE
#     OUT      the --out directory of `ftune compare` (holds folds.csv)
#     BASE     mobilenet_v2_torch | vgg16
#     WEIGHTS  the same weights file ftune loaded
#     SIZE     the same --size
# Environment: FTUNE_PY=/path/to/python (else tools/fixtures/venv.sh makes the pinned
# .venv-fixtures); scikit-learn is pip-installed into that Python when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ $# -ne 4 ]]; then
  echo "usage: $0 OUT BASE WEIGHTS SIZE   (OUT is an ftune compare --out directory)" >&2
  exit 2
fi
out="$1" base="$2" weights="$3" size="$4"
if [[ ! -f "$out/folds.csv" ]]; then
  echo "$out/folds.csv not found: run ftune compare --out $out first" >&2
  exit 1
fi
py="$("$root/tools/fixtures/venv.sh")"
"$py" -c "import sklearn" 2>/dev/null || "$py" -m pip install --quiet scikit-learn >&2
exec "$py" "$root/benchmarks/compare_baseline.py" --folds "$out/folds.csv" --base "$base" \
  --weights "$weights" --size "$size"
