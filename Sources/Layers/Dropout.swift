import TensorCore

/// `Dropout(rate)`: in training, zeroes with probability `rate` and scales the rest by 1/(1-rate); seeded.
public final class Dropout: Layer {
  public let name: String
  public var kerasClassName: String { "Dropout" }
  public var isFrozen = false
  public let rate: Float
  public var rng: SeededRNG

  public init(_ name: String, rate: Float, seed: UInt64 = 0) {
    self.name = name
    self.rate = rate
    self.rng = SeededRNG(seed: seed)
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
