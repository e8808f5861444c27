"""Writes the derived fuzzing seeds (tools/fuzz/corpus/): the model JSONs held inside the
Keras fixtures, and a tiny Keras 2 weights file for the HDF5 harness. The other seeds are
plain copies of the test images and fixture files (see tools/fuzz/seeds.sh).
"""
import json
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np

root = Path(__file__).resolve().parents[2]
fixtures = root / "Tests/KerasIOTests/Fixtures"
corpus = root / "tools/fuzz/corpus"


def compact(text):
    """The same JSON without whitespace: smaller seeds mutate faster."""
    return json.dumps(json.loads(text), separators=(",", ":")).encode()


def model_configs():
    out = corpus / "model_config"
    out.mkdir(parents=True, exist_ok=True)
    for name in ["k2_functional.h5", "k2_sequential.h5", "k2_nested.h5"]:
        with h5py.File(fixtures / name, "r") as f:
            text = f.attrs["model_config"]
            text = text.decode() if isinstance(text, bytes) else text
        (out / (Path(name).stem + ".json")).write_bytes(compact(text))
    for name in ["k3_functional.keras", "k3_sequential.keras"]:
        with zipfile.ZipFile(fixtures / name) as z:
            (out / (Path(name).stem + ".json")).write_bytes(compact(z.read("config.json")))


def tiny_weights():
    """Keras 2 weights-only layout for the harness graph's `head` Dense (9 -> 3) alone."""
    out = corpus / "hdf5" / "tiny_k2_head.h5"
    with h5py.File(out, "w") as f:
        f.attrs["layer_names"] = np.array([b"head"])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.21.0"
        g = f.create_group("head")
        g.attrs["weight_names"] = np.array([b"head/kernel:0", b"head/bias:0"])
        g.create_dataset("head/kernel:0", data=np.arange(27, dtype="f4").reshape(9, 3) / 27)
        g.create_dataset("head/bias:0", data=np.zeros(3, dtype="f4"))


if __name__ == "__main__":
    model_configs()
    tiny_weights()
    sys.exit(0)
