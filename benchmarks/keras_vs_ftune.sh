#!/usr/bin/env bash
# Runs the same workloads in Keras (TensorFlow-CPU 2.21) and ftune, alternating, each in a
# fresh process (so peak RSS is per workload), and prints medians and ftune/Keras ratios.
#
#   benchmarks/keras_vs_ftune.sh [ROUNDS]      (default 3 rounds)
# Environment: FTUNE_PY=/path/to/python (else tools/fixtures/venv.sh makes .venv-fixtures),
# FTUNE_BIN (default .build/release/ftune, built if missing), BENCH_BATCH (8),
# BENCH_SIZE (224), BENCH_REPEAT (timed batches per process, 3), BENCH_WORKLOADS
# (default below: "base:mode:freeze" with mode fwd or train), BENCH_FTUNE_ARGS (extra
# ftune bench options, e.g. "--blas-coretype SkylakeX").
# Timings on a shared machine are noisy: compare the ratios of one run, not absolute numbers.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rounds="${1:-3}"
batch="${BENCH_BATCH:-8}"
size="${BENCH_SIZE:-224}"
repeat="${BENCH_REPEAT:-3}"
workloads="${BENCH_WORKLOADS:-vgg16:fwd:0 resnet50:fwd:0 mobilenet_v2:fwd:0 \
mobilenet_v2:train:0 mobilenet_v2:train:30 resnet50:train:40}"
py="$(tools/fixtures/venv.sh)"
bin="${FTUNE_BIN:-.build/release/ftune}"
[[ -x "$bin" ]] || swift build -c release --product ftune >&2
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

for ((r = 1; r <= rounds; r++)); do
  for w in $workloads; do
    IFS=: read -r base mode freeze <<<"$w"
    extra=()
    [[ "$mode" == train ]] && extra=(--train --freeze "$freeze")
    echo "round $r: $w" >&2
    # Alternate which side goes first, so slow drifts in machine load cancel out.
    sides=(keras ftune)
    ((r % 2 == 0)) && sides=(ftune keras)
    for side in "${sides[@]}"; do
      if [[ $side == keras ]]; then
        "$py" benchmarks/keras_bench.py --base "$base" --batch "$batch" --size "$size" \
          --repeat "$repeat" "${extra[@]}" 2>/dev/null >>"$out/$w.keras"
      else
        # shellcheck disable=SC2086
        "$bin" bench --base "$base" --batch "$batch" --size "$size" --repeat "$repeat" \
          "${extra[@]}" ${BENCH_FTUNE_ARGS:-} --json >>"$out/$w.ftune"
      fi
    done
  done
done

"$py" - "$out" $workloads <<'PY'
import json, statistics, sys
out, workloads = sys.argv[1], sys.argv[2:]
def med(path, key):
    vals = [json.loads(l)[key] for l in open(path) if l.strip()]
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else float("nan")
# Ratios are ftune/Keras: speed above 1 and RSS below 1 favour ftune.
print("| workload | Keras img/s | ftune img/s | speed ratio | Keras MB | ftune MB | RSS ratio |")
print("|---|---:|---:|---:|---:|---:|---:|")
for w in workloads:
    base, mode, freeze = w.split(":")
    key = "forwardImagesPerSecond" if mode == "fwd" else "trainImagesPerSecond"
    rss = "forwardPeakRSSMB" if mode == "fwd" else "peakRSSMB"
    k, f = med(f"{out}/{w}.keras", key), med(f"{out}/{w}.ftune", key)
    km, fm = med(f"{out}/{w}.keras", rss), med(f"{out}/{w}.ftune", rss)
    name = f"{base} {'forward' if mode == 'fwd' else 'train, freeze ' + freeze}"
    print(f"| {name} | {k:.1f} | {f:.1f} | {f / k:.2f}x | {km:.0f} | {fm:.0f} | {fm / km:.2f}x |")
core = json.loads(open(f"{out}/{workloads[0]}.ftune").readline())["blasCore"]
print(f"\nftune BLAS core: {core}")
PY
