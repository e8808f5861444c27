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

  private var inputShape: [Int]?

  /// `[N, ...]` → `[N, product]`; the scalars do not move.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    guard let n = x.shape.first else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs a batch axis")
    }
    inputShape = mode.recordForBackward ? x.shape : nil
    return try x.reshaped([n, x.count / max(n, 1)])
  }

  /// Reshapes the gradient back to the input's shape.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let s = try recorded(inputShape)
    inputShape = nil
    return needsInputGradient ? [try outputGradient.reshaped(s)] : []
  }
}
