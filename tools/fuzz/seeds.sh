#!/usr/bin/env bash
# Rewrites the committed fuzzing seeds (tools/fuzz/corpus/<harness>/) from the repository's
# test images and fixtures. Python (h5py) comes from tools/fixtures/venv.sh ($FTUNE_PY, else
# a pinned .venv-fixtures); only the model JSONs and the tiny weights file need it.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=tools/fuzz/corpus
mkdir -p "$corpus"/{jpeg,png,hdf5,model_config,torch}
cp data/test-images/*.jpg "$corpus/jpeg/"
rm -f "$corpus/jpeg/empty.jpg"  # libFuzzer always tries the empty input itself
cp data/test-images/*.png "$corpus/png/"
cp Tests/TorchIOTests/Fixtures/*.pth "$corpus/torch/"
for f in k1_old_style.h5 k2_functional_weights.h5 k2_sequential.h5 k2_chunked_weights.h5 \
  k3_functional.weights.h5; do
  cp "Tests/KerasIOTests/Fixtures/$f" "$corpus/hdf5/"
done
"$(tools/fixtures/venv.sh)" tools/fuzz/seeds.py
du -sh "$corpus"
