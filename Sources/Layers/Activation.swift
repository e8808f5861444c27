import TensorCore

/// `Activation`: relu, relu6, softmax (last axis), sigmoid or linear.
public final class Activation: Layer {
  public let name: String
  public var kerasClassName: String { "Activation" }
  public var isFrozen = false
  public let kind: ActivationKind

  public init(_ name: String, _ kind: ActivationKind) {
    self.name = name
    self.kind = kind
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try singleShape(inputShapes)
  }

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    throw LayerError.notImplemented(layer: name, what: "forward")
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    throw LayerError.notImplemented(layer: name, what: "backward")
  }
}
