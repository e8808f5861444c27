/// A Keras activation function (`activation=` of Conv2D/Dense, an `Activation` layer) and the
/// one type kernels take for the activation they apply in their output pass (epilogue).
///
/// Adding a case: give it a reference implementation in `Layers/ActivationKind+Apply.swift`;
/// it is not `fusableInEpilogue` until a kernel epilogue implements it, so layers and the
/// execution plan run it after the kernel instead (unfused, never wrongly).
///
/// Raw values are ftune's own spellings; `kerasName(keras2:)` and `init?(kerasName:keras2:)`
/// (Layers) are the config spellings, which differ where Keras 2 and 3 share a name for
/// different formulas.
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

extension ActivationKind {
  /// Whether every kernel that takes an `activation:` applies this one in its epilogue.
  /// `linear` (nothing to apply) and the clamps `relu`, `relu6` are.
  public var fusableInEpilogue: Bool { self == .linear || clampBounds != nil }

  /// The clamp `lower...upper` an epilogue applies for this activation, nil for `linear`
  /// and for activations that are not clamps.
  public var clampBounds: (lower: Float, upper: Float)? {
    switch self {
    case .relu: return (0, .infinity)
    case .relu6: return (0, 6)
    default: return nil
    }
  }

  /// The part of this activation a kernel's epilogue applies: itself when fusable, else
  /// `linear` (the caller then applies it after the kernel).
  public var epilogue: ActivationKind { fusableInEpilogue ? self : .linear }

  /// The C kernels' clamp arguments `(on, lower, upper)`.
  package var cClamp: (on: Int32, lower: Float, upper: Float) {
    clampBounds.map { (1, $0.lower, $0.upper) } ?? (0, 0, 0)
  }
}
