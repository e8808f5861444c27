#!/usr/bin/env bash
# Installs the Debian packages ftune builds, tests and runs its demo with. Idempotent: packages
# already present are not reinstalled and `apt-get update` runs only when something is missing.
# Used by both README commands (`make demo` through `make deps`, and `.ci/run`). Needs root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
  libhdf5-dev libopenblas-dev libjpeg-dev libpng-dev pkg-config make  # build
  libssl-dev  # libcrypto: hash checks of downloaded weight files
  libopenmpi-dev openmpi-bin   # `make test` also builds `--traits MPI` and runs the 2-rank tests
  python3 python3-pip python3-venv  # data/fetch-*.sh and the fixture scripts
  chromium  # the report tests open report.html in headless Chromium (they fail without it)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "deps: all ${#packages[@]} system packages present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "deps: missing ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q "${missing[@]}"
