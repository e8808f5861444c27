import TensorCore

/// `Multiply`: element-wise product of two or more inputs with broadcasting, as Keras 3
/// (`[N, 1, 1, C] × [N, H, W, C]` in squeeze-excite blocks).
public final class Multiply: Layer {
  public let name: String
  public var kerasClassName: String { "Multiply" }
  public var isFrozen = false

  public init(_ name: String) { self.name = name }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    guard var s = inputShapes.first, inputShapes.count >= 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputShapes.count)
    }
    for t in inputShapes.dropFirst() {
      guard let b = Broadcast.shape(s, t) else {
        throw LayerError.badInputShape(layer: name, shape: t, reason: "does not broadcast against \(s)")
      }
      s = b
    }
    return s
  }

  /// The inputs and the running products x0·…·x(k−1), k ≥ 1, of a recording pass.
  private var record: (inputs: [Tensor], partials: [Tensor])?

  /// y = x0 · x1 · … (left to right).
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    guard var y = inputs.first, inputs.count >= 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputs.count)
    }
    var partials: [Tensor] = []
    for x in inputs.dropFirst() {
      if mode.recordForBackward { partials.append(y) }
      y = try BinaryOperation.multiply.apply(y, x, layer: name)
    }
    record = mode.recordForBackward ? (inputs, partials) : nil
    return y
  }

  /// Back through the chain of products: dx_k from the gradient of each partial product.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let r = try recorded(record)
    record = nil
    guard needsInputGradient else { return [] }
    var g = outputGradient
    var dx = [Tensor](repeating: g, count: r.inputs.count)
    for k in stride(from: r.inputs.count - 1, through: 1, by: -1) {
      let (dp, dk) = try BinaryOperation.multiply.gradients(g, r.partials[k - 1], r.inputs[k])
      dx[k] = dk
      g = dp
    }
    dx[0] = g
    return dx
  }
}
