#!/usr/bin/env bash
# ftune against the runtimes a user would pick instead, on the workload of `ftune bench`, in
# one run: forward against Keras, ONNX Runtime and OpenVINO (the same network converted once
# with tf2onnx, fp32, checked against Keras); training against Keras and PyTorch
# (torchvision's architecture, channels-last). Each measurement is a fresh process (so peak
# RSS is per workload); the order of the sides rotates every round, so slow drifts in machine
# load cancel out. Prints medians and ftune/peer ratios as a Markdown table.
#
#   benchmarks/peers_vs_ftune.sh [ROUNDS]        (default 2 rounds)
# Environment: FTUNE_PY (a Python with tensorflow-cpu, tf_keras, tf2onnx, onnxruntime,
# openvino, torch, torchvision; default: benchmarks/peers_venv.sh makes one), FTUNE_BIN
# (default .build/release/ftune), BENCH_BATCH (8), BENCH_SIZE (224), BENCH_REPEAT (3),
# BENCH_WORKLOADS ("base:mode:freeze", mode fwd or train; default below), BENCH_FTUNE_ARGS.
# The machine is shared and noisy: compare the ratios of one run, never absolute numbers.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rounds="${1:-2}"
batch="${BENCH_BATCH:-8}"
size="${BENCH_SIZE:-224}"
repeat="${BENCH_REPEAT:-3}"
workloads="${BENCH_WORKLOADS:-vgg16:fwd:0 resnet50:fwd:0 mobilenet_v2:fwd:0 \
vgg16:train:0 resnet50:train:0 resnet50:train:40 mobilenet_v2:train:0 mobilenet_v2:train:30}"
py="${FTUNE_PY:-$(benchmarks/peers_venv.sh)}"
bin="${FTUNE_BIN:-.build/release/ftune}"
[[ -x "$bin" ]] || swift build -c release --product ftune >&2
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

for ((r = 1; r <= rounds; r++)); do
  for w in $workloads; do
    IFS=: read -r base mode freeze <<<"$w"
    if [[ $mode == fwd ]]; then
      sides=(ftune keras onnxruntime openvino torch)
      extra=()
    else
      sides=(ftune keras torch)
      extra=(--train --freeze "$freeze")
    fi
    # Rotate the order by the round number.
    n=${#sides[@]}
    rotated=("${sides[@]:$((r % n))}" "${sides[@]:0:$((r % n))}")
    for side in "${rotated[@]}"; do
      echo "round $r: $w $side" >&2
      if [[ $side == ftune ]]; then
        # shellcheck disable=SC2086
        "$bin" bench --base "$base" --batch "$batch" --size "$size" --repeat "$repeat" \
          "${extra[@]}" ${BENCH_FTUNE_ARGS:-} --json >>"$out/$w.ftune" \
          || echo "  ftune failed on $w" >&2
      else
        "$py" benchmarks/peers_bench.py --runtime "$side" --base "$base" --batch "$batch" \
          --size "$size" --repeat "$repeat" "${extra[@]}" >>"$out/$w.$side" \
          || echo "  $side failed on $w" >&2
      fi
    done
  done
done

"$py" - "$out" $workloads <<'PY'
import json, os, statistics, sys
out, workloads = sys.argv[1], sys.argv[2:]
def med(w, side, key):
    path = f"{out}/{w}.{side}"
    if not os.path.exists(path):
        return None
    vals = [json.loads(l).get(key) for l in open(path) if l.strip()]
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None
fmt = lambda v, spec=".1f": "-" if v is None else format(v, spec)
print("| workload | ftune img/s | Keras | ONNX Runtime | OpenVINO | PyTorch | ftune / best peer "
      "| ftune MB | lowest peer MB | RSS ratio |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for w in workloads:
    base, mode, freeze = w.split(":")
    key = "forwardImagesPerSecond" if mode == "fwd" else "trainImagesPerSecond"
    rss = "forwardPeakRSSMB" if mode == "fwd" else "peakRSSMB"
    peers = ["keras", "onnxruntime", "openvino", "torch"] if mode == "fwd" else \
        ["keras", "torch"]
    f = med(w, "ftune", key)
    speeds = {p: med(w, p, key) for p in peers}
    best = max((v for v in speeds.values() if v), default=None)
    fm = med(w, "ftune", rss)
    low = min((v for v in (med(w, p, rss) for p in peers) if v), default=None)
    name = f"{base} {'forward' if mode == 'fwd' else 'train, freeze ' + freeze}"
    cells = [fmt(speeds.get(p)) for p in ["keras", "onnxruntime", "openvino", "torch"]]
    ratio = f"{f / best:.2f}x" if f and best else "-"
    rr = f"{fm / low:.2f}x" if fm and low else "-"
    print(f"| {name} | {fmt(f)} | " + " | ".join(cells) +
          f" | {ratio} | {fmt(fm, '.0f')} | {fmt(low, '.0f')} | {rr} |")
first = f"{out}/{workloads[0]}.ftune"
if os.path.exists(first):
    print(f"\nftune BLAS core: {json.loads(open(first).readline()).get('blasCore')}")
PY
