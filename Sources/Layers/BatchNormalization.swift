import TensorCore

/// `BatchNormalization` over the last axis. Weights in Keras order: gamma, beta (trainable),
/// moving_mean, moving_variance (state, updated in training mode with `momentum`, never by
/// an optimizer). Frozen, it runs in inference mode, as Keras does for `trainable=False`.
public final class BatchNormalization: Layer {
  public let name: String
  public var kerasClassName: String { "BatchNormalization" }
  public let epsilon: Float
  public let momentum: Float
  public let center: Bool
  public let scale: Bool
  public private(set) var gamma: Parameter?
  public private(set) var beta: Parameter?
  public private(set) var movingMean: Parameter?
  public private(set) var movingVariance: Parameter?
  public var isFrozen = false {
    didSet { weights.forEach { $0.isFrozen = isFrozen } }
  }

  public init(
    _ name: String, epsilon: Float = 1e-3, momentum: Float = 0.99,
    center: Bool = true, scale: Bool = true
  ) {
    self.name = name
    self.epsilon = epsilon
    self.momentum = momentum
    self.center = center
    self.scale = scale
  }

  public var weights: [Parameter] {
    [gamma, beta, movingMean, movingVariance].compactMap { $0 }
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard let c = s.last else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs a channel axis")
    }
    if movingMean == nil {
      if scale { gamma = Parameter(name: "gamma", value: Tensor(zeros: [c], value: 1)) }
      if center { beta = Parameter(name: "beta", value: Tensor(zeros: [c])) }
      movingMean = Parameter(name: "moving_mean", value: Tensor(zeros: [c]), isTrainable: false)
      movingVariance = Parameter(
        name: "moving_variance", value: Tensor(zeros: [c], value: 1), isTrainable: false)
      weights.forEach { $0.isFrozen = isFrozen }
    }
    return s
  }

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    throw LayerError.notImplemented(layer: name, what: "forward")
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    throw LayerError.notImplemented(layer: name, what: "backward")
  }
}
