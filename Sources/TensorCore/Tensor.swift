/// A dense Float32 tensor in row-major order; images and activations are NHWC.
///
/// Ownership: `Tensor` is a value type backed by a Swift `[Float]`, so copies are
/// copy-on-write and a tensor handed to a layer can never be mutated behind its back.
/// Hot kernels take `withUnsafe(Mutable)BufferPointer` views and write into a tensor the
/// caller owns, so a steady-state loop can reuse buffers instead of allocating per op.
public struct Tensor: Sendable, Equatable {
  /// Dimensions, outermost first (`[N, H, W, C]` for activations).
  public private(set) var shape: [Int]
  /// Elements in row-major order; `scalars.count == shape.product`.
  public var scalars: [Float]

  /// A tensor of zeros (or `value`) of the given shape.
  public init(zeros shape: [Int], value: Float = 0) {
    self.shape = shape
    self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
  }

  /// A tensor over existing scalars; throws when the count does not match the shape.
  public init(shape: [Int], scalars: [Float]) throws {
    let count = shape.reduce(1, *)
    guard count == scalars.count, shape.allSatisfy({ $0 >= 0 }) else {
      throw TensorError.elementCount(shape: shape, count: scalars.count)
    }
    self.shape = shape
    self.scalars = scalars
  }

  /// A tensor whose scalars are produced by `body(i)` for each flat index.
  public init(shape: [Int], _ body: (Int) -> Float) {
    self.shape = shape
    let count = shape.reduce(1, *)
    self.scalars = (0..<count).map(body)
  }

  public var count: Int { scalars.count }
  public var rank: Int { shape.count }

  /// Same scalars under a new shape with the same element count.
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    try Tensor(shape: newShape, scalars: scalars)
  }

  // Inlinable: the kernels (another module) call these in their hot paths.
  @inlinable public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeBufferPointer(body)
  }

  @inlinable public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeMutableBufferPointer(body)
  }
}

/// Shape problems a caller can cause; each renders a message that names the shapes.
public enum TensorError: Error, Equatable, CustomStringConvertible {
  case elementCount(shape: [Int], count: Int)
  case shapeMismatch(context: String, expected: [Int], got: [Int])
  case rankMismatch(context: String, expected: Int, got: [Int])
  case invalidArgument(String)

  public var description: String {
    switch self {
    case .elementCount(let shape, let count):
      return "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(count)"
    case .shapeMismatch(let context, let expected, let got):
      return "\(context): expected shape \(expected), got \(got)"
    case .rankMismatch(let context, let expected, let got):
      return "\(context): expected a rank-\(expected) tensor, got shape \(got)"
    case .invalidArgument(let message):
      return message
    }
  }
}

extension Tensor {
  /// A tensor of this shape whose scalars the caller overwrites entirely (no zero fill).
  package static func uninitialized(_ shape: [Int]) -> Tensor {
    let count = shape.reduce(1, *)
    let scalars = [Float](unsafeUninitializedCapacity: count) { _, n in n = count }
    return (try? Tensor(shape: shape, scalars: scalars)) ?? Tensor(zeros: shape)
  }
}
