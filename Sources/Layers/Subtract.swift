import TensorCore

/// `Subtract`: inputs[0] − inputs[1], with broadcasting.
public final class Subtract: Layer {
  public let name: String
  public var kerasClassName: String { "Subtract" }
  public var isFrozen = false

  public init(_ name: String) { self.name = name }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    guard inputShapes.count == 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputShapes.count)
    }
    guard let s = Broadcast.shape(inputShapes[0], inputShapes[1]) else {
      throw LayerError.badInputShape(
        layer: name, shape: inputShapes[1], reason: "does not broadcast against \(inputShapes[0])")
    }
    return s
  }

  private var record: [Tensor]?

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    guard inputs.count == 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputs.count)
    }
    record = mode.recordForBackward ? inputs : nil
    return try BinaryOperation.subtract.apply(inputs[0], inputs[1], layer: name)
  }

  /// dx0 = dy, dx1 = −dy, each summed over the axes it was broadcast along.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let x = try recorded(record)
    record = nil
    guard needsInputGradient else { return [] }
    let (da, db) = try BinaryOperation.subtract.gradients(outputGradient, x[0], x[1])
    return [da, db]
  }
}
