import TensorCore

/// Keras's default initializers, drawn from a seeded generator.
public enum Initializer {
  /// `glorot_uniform`: U(-l, l), l = sqrt(6 / (fan_in + fan_out)); fans as Keras computes
  /// them for conv kernels `[kh, kw, in, out]` (receptive field × channels).
  public static func glorotUniform(_ shape: [Int], rng: inout SeededRNG) -> Tensor {
    let receptive = shape.dropLast(2).reduce(1, *)
    let fanIn = shape.count >= 2 ? shape[shape.count - 2] * receptive : shape.first ?? 1
    let fanOut = shape.count >= 2 ? shape[shape.count - 1] * receptive : shape.first ?? 1
    let limit = (6 / Float(max(1, fanIn + fanOut))).squareRoot()
    return Tensor(shape: shape) { _ in rng.uniform(-limit, limit) }
  }
}

/// Keras padding modes.
public enum Padding: String, Sendable, CaseIterable {
  case valid, same
}

/// Keras activation functions usable inside Conv2D/Dense or as an `Activation` layer.
/// Raw values are ftune's own spellings; `kerasName` and `init?(kerasName:keras2:)` are the
/// config spellings (which differ where Keras 2 and 3 share a name for different formulas).
public enum ActivationKind: String, Sendable, CaseIterable {
  case linear, relu, relu6, softmax, sigmoid, tanh
  /// x·σ(x): Keras `silu`, alias `swish` (EfficientNet).
  case silu
  /// Keras 3: relu6(x + 3) / 6.
  case hardSigmoid = "hard_sigmoid"
  /// Keras 2 (tf_keras): clip(0.2·x + 0.5, 0, 1), written `hard_sigmoid` in its configs.
  case hardSigmoidKeras2 = "hard_sigmoid_keras2"
  /// x·relu6(x + 3) / 6: Keras 3 `hard_silu`, alias `hard_swish` (MobileNetV3).
  case hardSilu = "hard_silu"
  /// x·Φ(x) = 0.5·x·(1 + erf(x/√2)): Keras `gelu` (approximate=False, ConvNeXt).
  case gelu
  /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): `gelu` with approximate=True.
  case geluApproximate = "gelu_approximate"
  /// x for x > 0, exp(x) − 1 otherwise (alpha 1, the activation string's).
  case elu
  /// scale·elu(x, alpha) with Keras's fixed scale and alpha.
  case selu
  /// log(1 + exp(x)).
  case softplus
  /// x for x ≥ 0, 0.2·x otherwise (the `leaky_relu` string's slope in Keras 2 and 3).
  case leakyRelu = "leaky_relu"
}
