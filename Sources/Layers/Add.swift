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

  private var inputCount: Int?

  /// y = Σ inputs.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    guard var y = inputs.first, inputs.count >= 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputs.count)
    }
    for x in inputs.dropFirst() {
      guard x.shape == y.shape else {
        throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "Add needs \(y.shape)")
      }
      y.add(x.scalars)
    }
    inputCount = mode.recordForBackward ? inputs.count : nil
    return y
  }

  /// Each input receives the output gradient unchanged.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let n = try recorded(inputCount)
    inputCount = nil
    return needsInputGradient ? Array(repeating: outputGradient, count: n) : []
  }
}
