#!/usr/bin/env bash
# Prints the path of a Python with every peer runtime benchmarks/peers_vs_ftune.sh runs: the
# fixture Python (tensorflow-cpu, tf_keras, keras; tools/fixtures/venv.sh) plus tf2onnx,
# onnxruntime, openvino, torch and torchvision from PyPI (torch's Linux wheels bring their CUDA libraries,
# a few GB, which it loads even on a CPU). Honours FTUNE_PY.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="$("$here/../tools/fixtures/venv.sh")"
# One import per process: openvino and torch each bring an LLVM whose command-line options
# collide when both are loaded into one process (the benchmark never does that).
missing=0
for m in tf2onnx onnxruntime openvino torch torchvision; do
  "$py" -c "import $m" 2>/dev/null || missing=1
done
if ((missing)); then
  "$py" -m pip install --quiet tf2onnx onnxruntime openvino >&2
  "$py" -m pip install --quiet torch torchvision >&2
fi
echo "$py"
