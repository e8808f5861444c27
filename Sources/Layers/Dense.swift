import TensorCore

/// `Dense`: input `[N, in]`, kernel `[in, out]`, optional bias `[out]`, fused activation.
public final class Dense: Layer {
  public let name: String
  public var kerasClassName: String { "Dense" }
  public let units: Int
  public let useBias: Bool
  public let activation: ActivationKind
  public private(set) var kernel: Parameter?
  public private(set) var bias: Parameter?
  public var isFrozen = false {
    didSet { weights.forEach { $0.isFrozen = isFrozen } }
  }

  public init(_ name: String, units: Int, useBias: Bool = true, activation: ActivationKind = .linear) {
    self.name = name
    self.units = units
    self.useBias = useBias
    self.activation = activation
  }

  public var weights: [Parameter] { [kernel, bias].compactMap { $0 } }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard s.count == 1 else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "Dense needs [features]")
    }
    if kernel == nil {
      kernel = Parameter(name: "kernel", value: Initializer.glorotUniform([s[0], units], rng: &rng))
      if useBias { bias = Parameter(name: "bias", value: Tensor(zeros: [units])) }
      weights.forEach { $0.isFrozen = isFrozen }
    }
    return [units]
  }

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    throw LayerError.notImplemented(layer: name, what: "forward")
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    throw LayerError.notImplemented(layer: name, what: "backward")
  }
}
