import TensorCore

/// `ReLU(max_value:)`: max(x, 0), capped at `maxValue` when given (ReLU6 in MobileNetV2).
public final class ReLU: Layer {
  public let name: String
  public var kerasClassName: String { "ReLU" }
  public var isFrozen = false
  public let maxValue: Float?

  public init(_ name: String, maxValue: Float? = nil) {
    self.name = name
    self.maxValue = maxValue
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
