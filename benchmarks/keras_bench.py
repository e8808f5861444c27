"""The Keras side of benchmarks/keras_vs_ftune.sh: the workload of `ftune bench`.

Same network (keras.applications, weights=None, include_top=False, pooling='avg'), same
batch and size, same freeze rule (the first N Conv2D/DepthwiseConv2D/SeparableConv2D/Dense
layers with everything up to the next one; a BatchNormalization goes with its conv), same
training step (loss = mean over the batch of the summed pooled features, SGD 1e-4).
Prints one JSON line with the keys of `ftune bench --json` that the comparison uses.
"""
import argparse
import json
import os
import resource

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

# One freeze rule and one timer for every benchmark script (peers_bench imports no framework
# at the top, so this costs nothing).
from peers_bench import keras_freeze as freeze, timed  # noqa: E402

BUILDERS = {
    "vgg16": keras.applications.VGG16,
    "vgg19": keras.applications.VGG19,
    "resnet50": keras.applications.ResNet50,
    "mobilenet_v2": keras.applications.MobileNetV2,
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--train", action="store_true")
    p.add_argument("--freeze", type=int, default=0)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()

    model = BUILDERS[a.base](weights=None, include_top=False, pooling="avg",
                             input_shape=(a.size, a.size, 3))
    x = tf.constant(np.random.default_rng(0).uniform(-1, 1, (a.batch, a.size, a.size, 3))
                    .astype("float32"))
    infer = tf.function(lambda t: model(t, training=False))
    fwd = timed(lambda: infer(x).numpy(), a.repeat)
    out = {"base": a.base, "batch": a.batch, "size": a.size,
           "forwardSeconds": fwd, "forwardImagesPerSecond": a.batch / fwd,
           "forwardPeakRSSMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if a.train:
        freeze(model, a.freeze)
        opt = keras.optimizers.SGD(1e-4)
        variables = model.trainable_variables

        @tf.function
        def step(t):
            with tf.GradientTape() as tape:
                y = model(t, training=True)
                loss = tf.reduce_sum(y) / a.batch
            grads = tape.gradient(loss, variables)
            opt.apply_gradients(zip(grads, variables))
            return loss

        t = timed(lambda: step(x).numpy(), a.repeat)
        out.update(trainSeconds=t, trainImagesPerSecond=a.batch / t)
    out["peakRSSMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
