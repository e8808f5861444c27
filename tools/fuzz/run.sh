#!/usr/bin/env bash
# Opt-in fuzzing (not in CI, not in `make test`): builds the libFuzzer harnesses of fuzz/
# with -sanitize=fuzzer,address and runs each for a bounded time, one after the other.
#   tools/fuzz/run.sh [SECONDS] [HARNESS...]    # default: 300 s each, all harnesses
#   harnesses: jpeg png hdf5 model_config torch
# Seeds come from tools/fuzz/corpus/<harness>/ (committed); inputs the fuzzer finds go to
# fuzz/.work/corpus/<harness>/ and crash/leak/timeout reproducers to fuzz/.work/findings/
# (both git-ignored). Reproduce one with: fuzz/.build/release/FuzzPNG <file>.
# Prints the executions per harness and any findings; exits 1 if there were findings.
set -uo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
seconds="${1:-300}"
shift || true
harnesses=("$@")
[[ ${#harnesses[@]} -gt 0 ]] || harnesses=(jpeg png hdf5 model_config torch)

product() {
  case "$1" in
    jpeg) echo FuzzJPEG ;; png) echo FuzzPNG ;; hdf5) echo FuzzHDF5 ;;
    model_config) echo FuzzModelConfig ;; torch) echo FuzzTorch ;;
    *) echo "unknown harness '$1' (use jpeg, png, hdf5, model_config or torch)" >&2; exit 2 ;;
  esac
}

# The root targets' C code (CImageCodecs) needs the coverage and ASan instrumentation too.
flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address
  -Xswiftc -use-ld=lld)
for h in "${harnesses[@]}"; do
  p="$(product "$h")" || exit 2
  echo "== building $p" >&2
  (cd fuzz && swift build "${flags[@]}" --product "$p") >&2 || exit 2
done

# Swift's own crash backtracer would race ASan's report; libFuzzer prints the stack.
export SWIFT_BACKTRACE=enable=no
status=0
summary=()
for h in "${harnesses[@]}"; do
  p="$(product "$h")"
  work="$root/fuzz/.work/corpus/$h"
  findings="$root/fuzz/.work/findings/$h"
  log="$root/fuzz/.work/$h.log"
  mkdir -p "$work" "$findings"
  stamp="$root/fuzz/.work/$h.started"
  touch "$stamp"
  echo "== $h: ${seconds}s" >&2
  # libhdf5 (Debian's, not ours) loops forever on some damaged files (docs/reliability.md, Fuzzing):
  # that harness runs in fork mode, where a hang is recorded and fuzzing goes on.
  # Its error paths also leak a few bytes (suppressed, see tools/fuzz/lsan-hdf5.supp), and
  # it mallocs sizes read from the file: ASan should return NULL there as glibc would.
  extra=()
  asan="${ASAN_OPTIONS:-}"
  lsan="${LSAN_OPTIONS:-}"
  if [[ "$h" == hdf5 ]]; then
    extra=(-fork=1 -ignore_timeouts=1)
    asan="allocator_may_return_null=1${asan:+:$asan}"
    lsan="suppressions=$root/tools/fuzz/lsan-hdf5.supp${lsan:+:$lsan}"
  fi
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb also caps single allocations.
  ASAN_OPTIONS="$asan" LSAN_OPTIONS="$lsan" "$root/fuzz/.build/release/$p" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$findings/" "${extra[@]}" \
    "$work" "tools/fuzz/corpus/$h" >"$log" 2>&1
  rc=$?
  if [[ ${#extra[@]} -gt 0 ]]; then
    # Fork mode: "#<total executions>: cov: …" lines (the stat:: lines are one job's).
    runs="$(grep -o '^#[0-9]*: cov' "$log" | tail -n 1 | grep -o '[0-9]*')"
  else
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')"
  fi
  found="$(grep -o "Test unit written to .*" "$log" | sed 's/Test unit written to //' \
    | grep -v '/timeout-' | sort -u)"
  hangs="$(find "$findings" -name 'timeout-*' -newer "$stamp" | wc -l)"
  line="$h: ${runs:-?} executions in ${seconds}s, corpus $(ls "$work" | wc -l) files"
  [[ "$hangs" -eq 0 ]] || line+=", $hangs hangs (stack: $p -timeout=5 FILE; in $findings)"
  if [[ $rc -ne 0 || -n "$found" ]]; then
    status=1
    line+=", FINDING (exit $rc): ${found:-see $log}"
    grep -m1 -E "ERROR: |SUMMARY: |==ERROR|Fatal error" "$log" >&2 || true
  fi
  summary+=("$line")
done
printf '%s\n' "${summary[@]}"
exit $status
