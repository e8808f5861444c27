#!/usr/bin/env bash
# End to end, as a user runs it: `--freeze 13` on VGG16, 10 epochs, batch 16, 200 images,
# in Keras (a plain model.fit on the frozen model with a new GlobalAveragePooling2D + Dense
# head) and in ftune (wall time of the whole `ftune train`, including the feature cache
# pass; then again with the cache warm). Prints seconds, peak RSS and the Keras/ftune ratios.
#
#   benchmarks/e2e_vgg16_freeze13.sh
# Environment: FTUNE_PY=/path/to/python (else tools/fixtures/venv.sh makes .venv-fixtures),
# FTUNE_BIN (default .build/release/ftune, built if missing), E2E_DATA (a class-folder
# image set; default: 200 images made by e2e_data.py from the demo photos of
# data/fetch-images.sh when present, else generated), E2E_EPOCHS (10), E2E_BATCH (16),
# E2E_SIZE (224), E2E_UNCACHED_EPOCHS (1: also time an uncached ftune run, whose images go
# through the threaded loader, with its peak RSS; 0 skips it), E2E_FTUNE_ENV (extra
# environment for ftune, e.g. "FTUNE_BLAS_CORETYPE=SkylakeX").
# Weights are random on both sides: speed does not depend on their values.
# One run on a shared machine is noisy: compare the ratios, not absolute numbers.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
epochs="${E2E_EPOCHS:-10}"
batch="${E2E_BATCH:-16}"
size="${E2E_SIZE:-224}"
uncached="${E2E_UNCACHED_EPOCHS:-1}"
py="$(tools/fixtures/venv.sh)"
bin="${FTUNE_BIN:-.build/release/ftune}"
[[ -x "$bin" ]] || swift build -c release --product ftune >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
read -r -a fenv <<<"${E2E_FTUNE_ENV:-}"

data="${E2E_DATA:-}"
if [[ -z "$data" ]]; then
  data="$work/images"
  "$py" benchmarks/e2e_data.py "$data" --count 200 --stamps data/fetched/stamps >&2
fi

# Runs a command under /usr/bin/time; prints "seconds peak_MB".
timed() {
  local log="$work/time.$RANDOM"
  /usr/bin/time -f '%e %M' -o "$log" "$@" >"$log.out" 2>"$log.err" || {
    echo "failed: $*" >&2
    cat "$log.err" >&2
    exit 1
  }
  awk '{printf "%s %.0f\n", $1, $2 / 1024}' "$log"
}

train() {  # epochs out-dir cache-dir [extra flags...]: timed ftune train
  local n="$1" out="$2" cache="$3"
  shift 3
  timed env "${fenv[@]}" "$bin" train --base vgg16 --weights random --freeze 13 \
    --data "$data" --val-split 0 --epochs "$n" --batch "$batch" --size "$size" --out "$out" \
    --cache-dir "$cache" --quiet "$@"
}

echo "keras: model.fit, $epochs epochs ..." >&2
read -r keras_s keras_mb < <(timed "$py" benchmarks/e2e_keras_fit.py "$data" \
  --epochs "$epochs" --batch "$batch" --size "$size")
keras_json="$(cat "$work"/time.*.out | tail -n 1)"
echo "ftune: cold cache ..." >&2
read -r cold_s cold_mb < <(train "$epochs" "$work/run-cold" "$work/cache")
echo "ftune: warm cache ..." >&2
read -r warm_s warm_mb < <(train "$epochs" "$work/run-warm" "$work/cache")
if ((uncached > 0)); then
  echo "ftune: uncached, $uncached epoch(s), images through the loader ..." >&2
  read -r unc_s unc_mb < <(train "$uncached" "$work/run-unc" "$work/cache" --cache off)
fi

images="$(find "$data" -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' \) | wc -l)"
"$py" - "$keras_json" "$keras_s" "$keras_mb" "$cold_s" "$cold_mb" "$warm_s" "$warm_mb" \
  "${unc_s:-}" "${unc_mb:-}" "$uncached" "$images" "$epochs" "$batch" "$size" <<'PY'
import json, sys
(kj, ks, kmb, cs, cmb, ws, wmb, us, umb, ue, images, epochs, batch, size) = sys.argv[1:]
k = json.loads(kj)
ks, cs, ws = float(ks), float(cs), float(ws)
print(f"VGG16 --freeze 13, {images} images, {epochs} epochs, batch {batch}, {size}x{size}")
kf = k["fit_seconds"]
print(f"Keras: {ks:.1f} s for the whole script (TensorFlow import and image decoding "
      f"{k['import_load_seconds']:.1f} s, model build {k['build_seconds']:.1f} s, "
      f"model.fit {kf:.1f} s)")
print("| run | wall s | peak MB | Keras script / ftune | Keras fit alone / ftune |")
print("|---|---:|---:|---:|---:|")
print(f"| Keras model.fit (frozen VGG16 + new head) | {ks:.1f} | {kmb} | 1.00x "
      f"| {kf / ks:.2f}x |")
for name, s, mb in [
    (f"ftune train, cold cache (cache pass + {epochs} head epochs)", cs, cmb),
    ("ftune train, warm cache", ws, wmb),
]:
    print(f"| {name} | {s:.1f} | {mb} | {ks / s:.2f}x | {kf / s:.2f}x |")
if us:
    print(f"| ftune train --cache off, {ue} epoch(s), images through the loader "
          f"| {float(us):.1f} | {umb} | | |")
PY
