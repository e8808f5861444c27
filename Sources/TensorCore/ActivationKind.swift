/// A Keras activation function (`activation=` of Conv2D/Dense, an `Activation` layer) and the
/// one type kernels take for the activation they apply in their output pass (epilogue).
///
/// Adding a case: give it a reference implementation in `Layers/ActivationKind+Apply.swift`;
/// it is not `fusableInEpilogue` until a kernel epilogue implements it, so layers and the
/// execution plan run it after the kernel instead (unfused, never wrongly).
public enum ActivationKind: String, Sendable, CaseIterable {
  case linear, relu, relu6, softmax, sigmoid
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
  var cClamp: (on: Int32, lower: Float, upper: Float) {
    clampBounds.map { (1, $0.lower, $0.upper) } ?? (0, 0, 0)
  }
}
