import TensorCore

/// An element-wise binary operation with NumPy broadcasting: what `Multiply`, `Subtract`
/// and the `TFOpLambda` arithmetic (`Arithmetic`) compute.
public enum BinaryOperation: String, Sendable, CaseIterable {
  case add, subtract, multiply, divide

  /// `a ∘ b` over the broadcast shape; throws when the shapes do not broadcast.
  func apply(_ a: Tensor, _ b: Tensor, layer: String) throws -> Tensor {
    let y: Tensor?
    switch self {
    case .add: y = Broadcast.combine(a, b, +)
    case .subtract: y = Broadcast.combine(a, b, -)
    case .multiply: y = Broadcast.combine(a, b, *)
    case .divide: y = Broadcast.combine(a, b, /)
    }
    guard let y else {
      throw LayerError.badInputShape(
        layer: layer, shape: b.shape, reason: "does not broadcast against \(a.shape)")
    }
    return y
  }

  /// dL/da and dL/db from dL/dy, each summed back to its operand's shape.
  func gradients(_ dy: Tensor, _ a: Tensor, _ b: Tensor) throws -> (Tensor, Tensor) {
    func times(_ t: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
      guard let p = Broadcast.combine(dy, t, f) else {
        throw TensorError.shapeMismatch(context: "gradient", expected: dy.shape, got: t.shape)
      }
      return p
    }
    switch self {
    case .add:
      return (try Broadcast.reduce(dy, to: a.shape), try Broadcast.reduce(dy, to: b.shape))
    case .subtract:
      return (try Broadcast.reduce(dy, to: a.shape), try Broadcast.reduce(dy.map { -$0 }, to: b.shape))
    case .multiply:
      return (
        try Broadcast.reduce(try times(b, *), to: a.shape),
        try Broadcast.reduce(try times(a, *), to: b.shape)
      )
    case .divide:
      // y = a / b: dy/b for a, −dy·a/b² = −(dy/b)·(a/b) for b.
      let dyOverB = try times(b, /)
      let aOverB = try BinaryOperation.divide.apply(a, b, layer: "gradient")
      guard let db = Broadcast.combine(dyOverB, aOverB, { -$0 * $1 }) else {
        throw TensorError.shapeMismatch(context: "gradient", expected: dy.shape, got: b.shape)
      }
      return (try Broadcast.reduce(dyOverB, to: a.shape), try Broadcast.reduce(db, to: b.shape))
    }
  }
}
