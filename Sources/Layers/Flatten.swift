import TensorCore

/// `Flatten`: [N, ...] -> [N, product] in NHWC (row-major) order, as Keras.
public final class Flatten: Layer {
  public let name: String
  public var kerasClassName: String { "Flatten" }
  public var isFrozen = false

  public init(_ name: String) { self.name = name }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    [try singleShape(inputShapes).reduce(1, *)]
  }

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    throw LayerError.notImplemented(layer: name, what: "forward")
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    throw LayerError.notImplemented(layer: name, what: "backward")
  }
}
