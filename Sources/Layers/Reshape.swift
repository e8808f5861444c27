import TensorCore

/// `Reshape(target_shape)`: same scalars under a new per-sample shape; one axis may be −1
/// (inferred), as Keras.
public final class Reshape: Layer {
  public let name: String
  public var kerasClassName: String { "Reshape" }
  public var isFrozen = false
  /// The target shape without the batch axis, as in the Keras config.
  public let targetShape: [Int]

  public init(_ name: String, targetShape: [Int]) {
    self.name = name
    self.targetShape = targetShape
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try resolved(for: try singleShape(inputShapes))
  }

  /// The target shape with a −1 filled in for `input` (per sample).
  private func resolved(for input: [Int]) throws -> [Int] {
    let total = input.reduce(1, *)
    let unknown = targetShape.filter { $0 == -1 }.count
    let known = targetShape.filter { $0 != -1 }.reduce(1, *)
    var s = targetShape
    if unknown == 1, known > 0, total % known == 0, targetShape.allSatisfy({ $0 >= -1 }) {
      s = targetShape.map { $0 == -1 ? total / known : $0 }
    }
    guard s.allSatisfy({ $0 >= 0 }), s.reduce(1, *) == total else {
      throw LayerError.badInputShape(
        layer: name, shape: input, reason: "cannot reshape \(total) values to \(targetShape)")
    }
    return s
  }

  private var inputShape: [Int]?

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    guard let n = x.shape.first else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs a batch axis")
    }
    inputShape = mode.recordForBackward ? x.shape : nil
    return try x.reshaped([n] + resolved(for: Array(x.shape.dropFirst())))
  }

  /// Reshapes the gradient back to the input's shape.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let s = try recorded(inputShape)
    inputShape = nil
    return needsInputGradient ? [try outputGradient.reshaped(s)] : []
  }
}
