import TensorCore

/// Keras's default initializers, drawn from a seeded generator.
public enum Initializer {
  /// `glorot_uniform`: U(-l, l), l = sqrt(6 / (fan_in + fan_out)); fans as Keras computes
  /// them for conv kernels `[kh, kw, in, out]` (receptive field × channels).
  public static func glorotUniform(_ shape: [Int], rng: inout SeededRNG) -> Tensor {
    let receptive = shape.dropLast(2).reduce(1, *)
    let fanIn = shape.count >= 2 ? shape[shape.count - 2] * receptive : shape.first ?? 1
    let fanOut = shape.count >= 2 ? shape[shape.count - 1] * receptive : shape.first ?? 1
    let limit = (6 / Float(max(1, fanIn + fanOut))).squareRoot()
    return Tensor(shape: shape) { _ in rng.uniform(-limit, limit) }
  }
}

/// Keras padding modes.
public enum Padding: String, Sendable, CaseIterable {
  case valid, same
}
