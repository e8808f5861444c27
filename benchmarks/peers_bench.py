"""One peer runtime doing the workload of `ftune bench`, in one process, printing one JSON line
with the keys of `ftune bench --json` that benchmarks/peers_vs_ftune.sh compares.

Runtimes (--runtime):
  keras        Keras 3 on TensorFlow-CPU (tf.function), forward and training
  onnxruntime  the same network converted once with tf2onnx (fp32), forward
  openvino     the same ONNX file compiled by OpenVINO (LATENCY hint), forward
  torch        torchvision's architecture (channels-last), forward and training

The network is keras.applications' (weights=None, include_top=False, pooling='avg', seeded),
as `ftune bench` builds it; torch runs torchvision's own version of the architecture (same
layer shapes, its own padding rules), since PyTorch users run that one. Speed does not depend
on weight values. The ONNX conversion is checked against Keras on the same input (max error /
max |Keras output| printed to stderr, refused above 1e-4) and cached under
benchmarks/.work/onnx/. Training is forward + backward + SGD(1e-4) on loss = sum of the pooled
features / batch, with the first --freeze weight layers frozen (a BatchNormalization goes with
its conv, in inference mode), as in `ftune bench --train --freeze N`.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, ".work", "onnx")

# ftune zoo name -> (keras.applications constructor, torchvision constructor)
NETWORKS = {
    "vgg16": ("VGG16", "vgg16"),
    "vgg19": ("VGG19", "vgg19"),
    "resnet50": ("ResNet50", "resnet50"),
    "mobilenet_v2": ("MobileNetV2", "mobilenet_v2"),
    "efficientnet_b0": ("EfficientNetB0", "efficientnet_b0"),
    "densenet121": ("DenseNet121", "densenet121"),
    "inception_v3": ("InceptionV3", "inception_v3"),
    "convnext_tiny": ("ConvNeXtTiny", "convnext_tiny"),
    "mobilenet_v3_large": ("MobileNetV3Large", "mobilenet_v3_large"),
}
WEIGHT_CLASSES = {"Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense"}


def timed(fn, repeat):
    fn()  # warm-up (tracing, graph compilation, allocator)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def keras_model(base, size, keras):
    keras.utils.set_random_seed(0)
    build = getattr(keras.applications, NETWORKS[base][0])
    return build(weights=None, include_top=False, pooling="avg", input_shape=(size, size, 3))


def keras_freeze(model, n):
    layers = model.layers
    weight_idx = [i for i, l in enumerate(layers) if type(l).__name__ in WEIGHT_CLASSES]
    if n <= 0:
        return
    cut = weight_idx[n] - 1 if n < len(weight_idx) else len(layers) - 1
    frozen = set()
    for i, layer in enumerate(layers):
        if i <= cut:
            layer.trainable = False
            frozen.add(layer.name)
        elif type(layer).__name__ == "BatchNormalization":
            nodes = layer._inbound_nodes
            src = nodes[0].parent_nodes[0].operation.name if nodes and nodes[0].parent_nodes \
                else None
            if src in frozen:
                layer.trainable = False


def run_keras(a, x):
    import tensorflow as tf
    import keras
    model = keras_model(a.base, a.size, keras)
    xt = tf.constant(x)
    infer = tf.function(lambda t: model(t, training=False))
    out = {"forwardSeconds": timed(lambda: infer(xt).numpy(), a.repeat)}
    out["forwardPeakRSSMB"] = peak_rss_mb()
    if a.train:
        keras_freeze(model, a.freeze)
        opt = keras.optimizers.SGD(1e-4)
        variables = model.trainable_variables

        @tf.function
        def step(t):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(model(t, training=True)) / a.batch
            opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return loss

        out["trainSeconds"] = timed(lambda: step(xt).numpy(), a.repeat)
    return out


def onnx_file(a):
    """The tf2onnx conversion of the Keras network at this batch and size, made once (in a
    process of its own, so TensorFlow's memory is not counted against the timed runtime)."""
    path = os.path.join(WORK, f"{a.base}-b{a.batch}-s{a.size}.onnx")
    if not os.path.exists(path):
        import subprocess
        subprocess.run([sys.executable, os.path.abspath(__file__), "--convert", "--runtime",
                        "onnxruntime", "--base", a.base, "--batch", str(a.batch), "--size",
                        str(a.size)], check=True)
    return path


def convert(a):
    """Converts with tf2onnx and checks the ONNX file against Keras on the same input."""
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, f"{a.base}-b{a.batch}-s{a.size}.onnx")
    import tensorflow as tf
    import tf_keras
    import tf2onnx
    import onnxruntime as ort
    tf_keras.utils.set_random_seed(0)
    model = getattr(tf_keras.applications, NETWORKS[a.base][0])(
        weights=None, include_top=False, pooling="avg", input_shape=(a.size, a.size, 3))
    spec = (tf.TensorSpec((a.batch, a.size, a.size, 3), tf.float32, name="input"),)
    tmp = path + ".part"
    tf2onnx.convert.from_keras(model, input_signature=spec, opset=17, output_path=tmp)
    x = np.random.default_rng(1).uniform(-1, 1, (a.batch, a.size, a.size, 3)).astype("float32")
    want = model(x, training=False).numpy()
    sess = ort.InferenceSession(tmp, providers=["CPUExecutionProvider"])
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    err = float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-30))
    print(f"{a.base}: ONNX vs Keras max rel err {err:.2e}", file=sys.stderr)
    if err > 1e-4:
        sys.exit(f"{a.base}: the ONNX conversion differs from Keras by {err:.2e}; not timed")
    os.replace(tmp, path)


def run_onnxruntime(a, x):
    import onnxruntime as ort
    path = onnx_file(a)
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    t = timed(lambda: sess.run(None, {name: x}), a.repeat)
    return {"forwardSeconds": t, "forwardPeakRSSMB": peak_rss_mb()}


def run_openvino(a, x):
    import openvino as ov
    path = onnx_file(a)
    core = ov.Core()
    compiled = core.compile_model(core.read_model(path), "CPU", {
        "PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": a.threads})
    request = compiled.create_infer_request()
    t = timed(lambda: request.infer({0: x}), a.repeat)
    return {"forwardSeconds": t, "forwardPeakRSSMB": peak_rss_mb()}


def torch_freeze(model, n, torch):
    """Freezes the first n Conv2d/Linear modules in definition order, with the BatchNorm2d
    right after each (eval mode, no gradient), as ftune's --freeze N does."""
    if n <= 0:
        return
    seen, frozen_conv = 0, False
    for m in model.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            frozen_conv = seen < n
            seen += 1
            if frozen_conv:
                m.requires_grad_(False)
        elif isinstance(m, torch.nn.BatchNorm2d) and frozen_conv:
            m.requires_grad_(False)
            m.eval()
            m.train = lambda mode=True, m=m: m  # stays in inference mode under model.train()


def run_torch(a, x):
    import torch
    import torchvision
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    kwargs = {"aux_logits": False, "init_weights": False} if a.base == "inception_v3" else {}
    net = getattr(torchvision.models, NETWORKS[a.base][1])(weights=None, **kwargs)
    trunk = net.features if hasattr(net, "features") else torch.nn.Sequential(
        *[m for name, m in net.named_children() if name not in ("fc", "avgpool", "AuxLogits")])
    model = torch.nn.Sequential(trunk, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    model = model.to(memory_format=torch.channels_last)
    xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).contiguous(
        memory_format=torch.channels_last)
    model.eval()
    with torch.inference_mode():
        out = {"forwardSeconds": timed(lambda: model(xt), a.repeat)}
    out["forwardPeakRSSMB"] = peak_rss_mb()
    if a.train:
        model.train()
        torch_freeze(model, a.freeze, torch)
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.SGD(params, lr=1e-4)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = model(xt).sum() / a.batch
            loss.backward()
            opt.step()

        out["trainSeconds"] = timed(step, a.repeat)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runtime", required=True,
                   choices=["keras", "onnxruntime", "openvino", "torch"])
    p.add_argument("--base", required=True, choices=sorted(NETWORKS))
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--train", action="store_true")
    p.add_argument("--freeze", type=int, default=0)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--convert", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.convert:
        return convert(a)
    x = np.random.default_rng(0).uniform(-1, 1, (a.batch, a.size, a.size, 3)).astype("float32")
    run = {"keras": run_keras, "onnxruntime": run_onnxruntime, "openvino": run_openvino,
           "torch": run_torch}[a.runtime]
    if a.train and a.runtime in ("onnxruntime", "openvino"):
        sys.exit(f"{a.runtime} is measured for inference only")
    out = {"runtime": a.runtime, "base": a.base, "batch": a.batch, "size": a.size}
    out.update(run(a, x))
    out["forwardImagesPerSecond"] = a.batch / out["forwardSeconds"]
    if "trainSeconds" in out:
        out["trainImagesPerSecond"] = a.batch / out["trainSeconds"]
    out["peakRSSMB"] = peak_rss_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
