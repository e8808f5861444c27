extension Tensor {
  /// Throws unless `shape` equals `expected`.
  public func checkShape(_ expected: [Int], _ context: @autoclosure () -> String) throws {
    guard shape == expected else {
      throw TensorError.shapeMismatch(context: context(), expected: expected, got: shape)
    }
  }

  /// Throws unless the tensor has the given rank.
  public func checkRank(_ expected: Int, _ context: @autoclosure () -> String) throws {
    guard rank == expected else {
      throw TensorError.rankMismatch(context: context(), expected: expected, got: shape)
    }
  }

  /// Element-wise `self + other` (same shapes).
  public func adding(_ other: Tensor) throws -> Tensor {
    try other.checkShape(shape, "add")
    var out = self
    out.add(other.scalars)
    return out
  }

  /// In-place `self += other` over the flat scalars (same count, caller checked).
  public mutating func add(_ other: [Float], scale: Float = 1) {
    scalars.withUnsafeMutableBufferPointer { dst in
      other.withUnsafeBufferPointer { src in
        for i in 0..<min(dst.count, src.count) { dst[i] += scale * src[i] }
      }
    }
  }

  /// Applies `f` to every scalar.
  public func map(_ f: (Float) -> Float) -> Tensor {
    var out = self
    out.scalars.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] = f(p[i]) }
    }
    return out
  }

  /// The largest absolute element, or 0 for an empty tensor.
  public var maxAbs: Float {
    scalars.reduce(0) { max($0, abs($1)) }
  }
}
