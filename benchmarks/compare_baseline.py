#!/usr/bin/env python3
"""The baseline of `ftune compare`: Keras features + scikit-learn logistic regression, scored
on exactly the folds ftune used.

Reads OUT/folds.csv (written by `ftune compare --out OUT`: path,class,label,fold), loads the
same weights in Keras, preprocesses each image as ftune does (EXIF orientation, RGB, Pillow
bilinear resize to SIZE x SIZE as keras.utils.load_img, the base's preprocess_input mode),
extracts the trunk's global-average-pooled features (what ftune's frozen `all` head sees),
and fits sklearn.linear_model.LogisticRegression on each fold's training images. Prints the
mean ± sample std of validation accuracy over the folds, for standardized features (the
usual pipeline) and raw features, and writes OUT/baseline_<base>.json.

  compare_baseline.py --folds OUT/folds.csv --base mobilenet_v2_torch \
      --weights data/fetched/weights/mobilenet_v2_torch_imagenet.h5 --size 160
  compare_baseline.py --folds OUT/folds.csv --base vgg16 \
      --weights data/fetched/weights/hed_vgg16_trunk.weights.h5 --size 128

Bases: `mobilenet_v2_torch` (ftune's torchvision-numerics MobileNetV2, built in Keras by
tools/fixtures/zoo_fixtures.py, weights from `ftune import-torch`'s Keras 2 HDF5 file, torch
preprocessing) and `vgg16` (keras.applications.VGG16(include_top=False), weights from a HED
trunk `.weights.h5` or a Keras VGG16 weights file, caffe preprocessing).
Run it through benchmarks/compare_baseline.sh, which picks the Python (FTUNE_PY or the
pinned .venv-fixtures) and adds scikit-learn when missing.
"""
import argparse
import csv
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = {"mobilenet_v2_torch": "torch", "vgg16": "caffe"}


def read_folds(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or not {"path", "label", "fold"} <= set(rows[0]):
        sys.exit("%s: expected columns path,class,label,fold (ftune compare writes it)" % path)
    return ([r["path"] for r in rows], np.array([int(r["label"]) for r in rows]),
            np.array([int(r["fold"]) for r in rows]))


def load_image(path, size):
    """ftune's ImagePipeline without augmentation: EXIF orientation, alpha over white, RGB,
    Pillow bilinear resize (Keras load_img's), float32 0-255."""
    img = ImageOps.exif_transpose(Image.open(path))
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    img = img.convert("RGB")
    if img.size != (size, size):
        img = img.resize((size, size), Image.BILINEAR)
    return np.asarray(img, dtype=np.float32)


def build(base, weights, size):
    import keras
    if base == "mobilenet_v2_torch":
        sys.path.insert(0, os.path.join(ROOT, "tools", "fixtures"))
        os.environ["FTUNE_FIXTURES_CHILD"] = "1"  # already in the right Python
        from zoo_fixtures import mobilenet_v2_torch
        model = mobilenet_v2_torch(keras, input_shape=(size, size, 3), pooling="avg")
        load_keras2_h5(model, weights)
        return model
    if base == "vgg16":
        model = keras.applications.VGG16(
            include_top=False, weights=None, input_shape=(size, size, 3), pooling="avg")
        load_vgg16(model, weights)
        return model
    sys.exit("unknown --base %s; use %s" % (base, ", ".join(MODES)))


def load_keras2_h5(model, path):
    """A Keras 2 HDF5 weights file (layer_names / weight_names), matched by layer name; every
    layer of the model with weights must be found."""
    import h5py
    with h5py.File(path, "r") as f:
        group = f["model_weights"] if "model_weights" in f else f
        for layer in model.layers:
            if not layer.weights:
                continue
            if layer.name not in group:
                sys.exit("%s: no weights for layer %s" % (path, layer.name))
            g = group[layer.name]
            names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
            layer.set_weights([np.asarray(g[n]) for n in names])


def load_vgg16(model, path):
    """A HED trunk (blockN/layers/conv2d[_k]/vars/{0,1}) or a Keras VGG16 weights file."""
    import h5py
    with h5py.File(path, "r") as f:
        hed = "block1" in f and "layers" in f["block1"]
    if not hed:
        model.load_weights(path, skip_mismatch=True)
        return
    with h5py.File(path, "r") as f:
        for b in range(1, 6):
            convs = sorted((k for k in f["block%d/layers" % b] if k.startswith("conv2d")),
                           key=lambda k: int(k.split("_")[1]) if "_" in k else 0)
            for k, name in enumerate(convs):
                v = f["block%d/layers/%s/vars" % (b, name)]
                model.get_layer("block%d_conv%d" % (b, k + 1)).set_weights(
                    [np.asarray(v["0"]), np.asarray(v["1"])])


def features(model, base, paths, size, batch):
    from keras.applications import imagenet_utils
    out = []
    for i in range(0, len(paths), batch):
        x = np.stack([load_image(p, size) for p in paths[i:i + batch]])
        x = imagenet_utils.preprocess_input(x, mode=MODES[base])
        out.append(np.asarray(model(x, training=False)))
    return np.concatenate(out).astype(np.float64)


def cross_validate(x, y, folds, standardize, c):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    accs = []
    for f in sorted(set(folds) - {-1}):
        train, val = folds != f, folds == f
        steps = [StandardScaler()] if standardize else []
        clf = make_pipeline(*steps, LogisticRegression(C=c, max_iter=5000))
        clf.fit(x[train], y[train])  # scaler fitted on the training fold only
        accs.append(float((clf.predict(x[val]) == y[val]).mean()))
    return accs


def mean_std(xs):
    return float(np.mean(xs)), float(np.std(xs, ddof=1)) if len(xs) > 1 else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", required=True, help="folds.csv written by ftune compare")
    ap.add_argument("--base", required=True, choices=sorted(MODES))
    ap.add_argument("--weights", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--C", type=float, default=1.0, help="inverse L2 strength (sklearn's)")
    ap.add_argument("--out", help="JSON result (default next to folds.csv)")
    a = ap.parse_args()
    paths, labels, folds = read_folds(a.folds)
    started = time.time()
    model = build(a.base, a.weights, a.size)
    x = features(model, a.base, paths, a.size, a.batch)
    extract = time.time() - started
    result = {"base": a.base, "size": a.size, "images": len(paths), "C": a.C,
              "feature_dim": int(x.shape[1]), "extract_seconds": extract, "folds": {}}
    print("%s %dx%d: %d images, %d features, extracted in %.1f s (Keras %s)"
          % (a.base, a.size, a.size, len(paths), x.shape[1], extract,
             __import__("keras").__version__))
    for name, standardize in (("standardized", True), ("raw", False)):
        accs = cross_validate(x, labels, folds, standardize, a.C)
        m, s = mean_std(accs)
        result["folds"][name] = accs
        result["accuracy_mean_" + name] = m
        result["accuracy_std_" + name] = s
        print("  Keras features + LogisticRegression(C=%g, %s): accuracy %.3f ± %.3f over %d"
              " folds" % (a.C, name, m, s, len(accs)))
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(a.folds)),
                                "baseline_%s.json" % a.base)
    tmp = out + ".part"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    os.replace(tmp, out)
    print("  wrote %s" % out)


if __name__ == "__main__":
    main()
