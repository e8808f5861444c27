import TensorCore

/// One named weight of a layer, in Keras's vocabulary (`kernel`, `bias`, `gamma`, `beta`,
/// `moving_mean`, `moving_variance`, `depthwise_kernel`, `pointwise_kernel`).
///
/// A parameter is trained unless it is frozen or is *state* (`isTrainable == false`, e.g.
/// BatchNorm running statistics, which are updated by forward passes, never by optimizers).
public final class Parameter {
  public let name: String
  /// Every change (assignment or in-place update) bumps `version`.
  public var value: Tensor {
    didSet { version &+= 1 }
  }
  /// Changes whenever `value` does, so layers can cache values derived from it (e.g. a
  /// Winograd-transformed kernel) and know when to recompute them.
  public private(set) var version = 0
  /// Accumulated gradient; nil until a backward pass touches a trainable, unfrozen parameter.
  public var grad: Tensor?
  /// False for state such as BatchNorm moving statistics.
  public let isTrainable: Bool
  /// Frozen parameters get no gradient and no optimizer state.
  public var isFrozen: Bool = false

  public init(name: String, value: Tensor, isTrainable: Bool = true) {
    self.name = name
    self.value = value
    self.isTrainable = isTrainable
  }

  /// Whether optimizers should update this parameter.
  public var needsGradient: Bool { isTrainable && !isFrozen }

  /// Adds `g` into `grad`, allocating it on first use.
  public func accumulate(_ g: Tensor) {
    if grad == nil {
      grad = g
    } else {
      grad?.add(g.scalars)
    }
  }

  public func zeroGrad() { grad = nil }
}
