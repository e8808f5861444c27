"""Keras side of benchmarks/e2e_vgg16_freeze13.sh: a plain model.fit on a frozen VGG16.

    python e2e_keras_fit.py DATA [--epochs 10] [--batch 16] [--size 224]

VGG16 (include_top=False, random weights: speed does not depend on their values) with
all 13 convolutions frozen, then GlobalAveragePooling2D + Dense(k, softmax),
Adam 1e-3, categorical cross-entropy: what `ftune --base vgg16 --freeze 13` trains. The
images are decoded and resized once into memory (timed as "load"), then model.fit runs
the frozen trunk on every image in every epoch. Prints one JSON line of seconds.
"""
import argparse
import json
import os
import time

import numpy as np
from PIL import Image


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=224)
    a = ap.parse_args()
    started = time.time()
    import keras  # noqa: E402  (import time counts: a user pays it too)

    classes = sorted(d for d in os.listdir(a.data) if os.path.isdir(os.path.join(a.data, d)))
    xs, ys = [], []
    for k, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(a.data, c))):
            img = Image.open(os.path.join(a.data, c, f)).convert("RGB")
            xs.append(np.asarray(img.resize((a.size, a.size), Image.BILINEAR), np.float32))
            ys.append(k)
    x = keras.applications.vgg16.preprocess_input(np.stack(xs))
    y = keras.utils.to_categorical(np.array(ys), len(classes))
    loaded = time.time()

    trunk = keras.applications.VGG16(
        include_top=False, weights=None, input_shape=(a.size, a.size, 3))
    trunk.trainable = False
    inputs = keras.Input((a.size, a.size, 3))
    h = keras.layers.GlobalAveragePooling2D(name="head_pool")(trunk(inputs, training=False))
    out = keras.layers.Dense(len(classes), activation="softmax", name="head_predictions")(h)
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    built = time.time()
    model.fit(x, y, epochs=a.epochs, batch_size=a.batch, shuffle=True, verbose=0)
    done = time.time()
    print(json.dumps({
        "images": len(xs), "classes": len(classes), "epochs": a.epochs,
        "import_load_seconds": loaded - started, "build_seconds": built - loaded,
        "fit_seconds": done - built, "total_seconds": done - started,
        "trainable_params": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
    }))


if __name__ == "__main__":
    main()
