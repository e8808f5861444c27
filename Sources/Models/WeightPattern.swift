import Layers
import TensorCore

/// Deterministic weights that NumPy reproduces bit for bit (`tools/fixtures/zoo_fixtures.py`),
/// so a full network can be compared with real Keras without committing its weights.
///
/// For weight tensor `k` (global order: layers in node order, each layer's weights in Keras
/// order) and element `i` (row-major):
/// `u = (splitmix64(seed ^ (k << 32) ^ i) >> 40) / 2^24`, in [0, 1), exact in Float32.
/// Values are computed in Double and rounded once to Float32:
/// - kernels: `(2u - 1) · sqrt(6 / (fan_in + fan_out))` (Glorot-uniform: with r = the
///   product of all but the last two axes, fan_in = r · in, fan_out = r · out; a depthwise
///   kernel `[kh, kw, in, mult]` has fan_in = r, since each output sees one channel),
/// - `gamma`, `moving_variance`, `variance` (Normalization's): `0.5 + u`,
/// - everything else (biases, `beta`, `moving_mean`): `0.2u - 0.1`.
public enum WeightPattern {
  /// The SplitMix64 output function applied to `x`.
  public static func splitmix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// `u` for tensor `k`, element `i`, as a Double (exactly representable in Float32).
  public static func unit(seed: UInt64, tensor k: UInt64, element i: UInt64) -> Double {
    Double(splitmix64(seed ^ (k << 32) ^ i) >> 40) / 16_777_216
  }

  /// The pattern value of a weight named `name` (Keras's name: `kernel`, `gamma`, …).
  public static func tensor(name: String, shape: [Int], seed: UInt64, index k: Int) -> Tensor {
    let transform: (Double) -> Double
    switch name {
    case "kernel", "depthwise_kernel", "pointwise_kernel":
      let receptive = shape.dropLast(2).reduce(1, *)
      let fanIn = name == "depthwise_kernel" ? receptive : receptive * (shape.dropLast().last ?? 1)
      let fanOut = receptive * (shape.last ?? 1)
      let limit = (6 / Double(max(fanIn + fanOut, 1))).squareRoot()
      transform = { (2 * $0 - 1) * limit }
    case "gamma", "moving_variance", "variance":
      transform = { 0.5 + $0 }
    default:
      transform = { 0.2 * $0 - 0.1 }
    }
    return Tensor(shape: shape) { i in
      Float(transform(unit(seed: seed, tensor: UInt64(k), element: UInt64(i))))
    }
  }

  /// Overwrites every weight of `graph` with the pattern.
  public static func apply(to graph: Graph, seed: UInt64 = 0) {
    for (k, p) in graph.parameters.enumerated() {
      p.value = tensor(name: p.name, shape: p.value.shape, seed: seed, index: k)
    }
  }

  /// Input pixels in [-1, 1): `2u - 1` with seed `seed + 1`, tensor 0.
  public static func input(shape: [Int], seed: UInt64 = 0) -> Tensor {
    Tensor(shape: shape) { i in
      Float(2 * unit(seed: seed &+ 1, tensor: 0, element: UInt64(i)) - 1)
    }
  }
}
