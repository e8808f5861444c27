#!/usr/bin/env bash
# Measured scaling of the MPI build: the same feature-cache pass and the same uncached
# fine-tuning run on 1 process and under `mpirun -n P`, on one machine, with wall times,
# images/s and speed-up over one process. Nothing here is a test: run it on a quiet machine.
#
#   benchmarks/mpi_scaling.sh
# Environment: FTUNE_MPI_BIN (default .build-mpi/release/ftune, built by `make mpi` if
# missing), MPI_DATA (class folders; default the demo stamps of data/fetch-images.sh),
# MPI_RANKS ("2"; each P is compared with one process), MPI_BASE (mobilenet_v2),
# MPI_SIZE (224), MPI_FREEZE (the fine-tuning cut; 30 of MobileNetV2's 52 weight layers, as
# in docs/mpi.md's training row), MPI_EPOCHS (2), MPI_BATCH (16, the global batch),
# MPIRUN_ARGS (extra mpirun options; as root --allow-run-as-root is added).
# One process uses every core through OpenBLAS and ftune's own threads; under mpirun's
# default binding each rank sees one core, so on a 2-core machine 2 ranks trade threads
# for processes: the speed-up there shows the overhead, not a gain. Across machines
# (mpirun --hostfile) the scaling model of docs/mpi.md applies.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="${FTUNE_MPI_BIN:-.build-mpi/release/ftune}"
[[ -x "$bin" ]] || make mpi >&2
data="${MPI_DATA:-data/fetched/stamps}"
[[ -d "$data" ]] || data/fetch-images.sh >&2
base="${MPI_BASE:-mobilenet_v2}"
size="${MPI_SIZE:-224}"
freeze="${MPI_FREEZE:-30}"
epochs="${MPI_EPOCHS:-2}"
batch="${MPI_BATCH:-16}"
mpi_args=(--oversubscribe ${MPIRUN_ARGS:-})
[[ $(id -u) == 0 ]] && mpi_args+=(--allow-run-as-root)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
images=$(find "$data" -mindepth 2 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | wc -l)

# Runs "$@" with P ranks (1: the plain binary) and a fresh feature store; prints seconds.
timed() {
  local p="$1"
  shift
  rm -rf "$work/store" "$work/out"
  local launch=("$bin")
  ((p > 1)) && launch=(mpirun "${mpi_args[@]}" -n "$p" -x FTUNE_CACHE_DIR "$bin")
  local start end
  start=$(date +%s.%N)
  FTUNE_CACHE_DIR="$work/store" "${launch[@]}" "$@" >"$work/log" 2>&1 ||
    { cat "$work/log" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

cache=(cache --base "$base" --weights random --size "$size" --freeze all --data "$data"
  --batch "$batch" --out "$work/out/cache.h5")
train=(--base "$base" --weights random --size "$size" --freeze "$freeze" --data "$data"
  --batch "$batch" --epochs "$epochs" --val-split 0 --cache off --quiet --out "$work/out/run")

echo "$base ${size}x${size}, $images images, cache pass and $epochs epochs of --freeze $freeze" \
  "(--cache off), global batch $batch; $(nproc) CPUs" >&2
printf '| processes | cache s | cache img/s | speed-up | train s | train img/s | speed-up |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|\n'
one_cache=""
for p in 1 ${MPI_RANKS:-2}; do
  echo "P=$p ..." >&2
  c=$(timed "$p" "${cache[@]}")
  t=$(timed "$p" "${train[@]}")
  [[ -z "$one_cache" ]] && one_cache=$c one_train=$t
  awk -v p="$p" -v c="$c" -v t="$t" -v n="$images" -v e="$epochs" -v c1="$one_cache" \
    -v t1="$one_train" 'BEGIN {
      printf "| %d | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx |\n",
        p, c, n / c, c1 / c, t, n * e / t, t1 / t }'
done
