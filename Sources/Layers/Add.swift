import TensorCore

/// `Add`: element-wise sum of inputs of one shape (residual connections).
public final class Add: Layer {
  public let name: String
  public var kerasClassName: String { "Add" }
  public var isFrozen = false

  public init(_ name: String) { self.name = name }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    guard let first = inputShapes.first, inputShapes.count >= 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputShapes.count)
    }
    for s in inputShapes where s != first {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "Add needs \(first)")
    }
    return first
  }

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    throw LayerError.notImplemented(layer: name, what: "forward")
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    throw LayerError.notImplemented(layer: name, what: "backward")
  }
}
