import TensorCore

/// `InputLayer`: the graph's entry; checks the per-sample shape and passes data through.
public final class InputLayer: Layer {
  public let name: String
  public var kerasClassName: String { "InputLayer" }
  public var isFrozen = false
  /// Per-sample shape, e.g. `[224, 224, 3]`.
  public let shape: [Int]

  public init(_ name: String, shape: [Int]) {
    self.name = name
    self.shape = shape
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] { shape }

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    guard x.rank == shape.count + 1, Array(x.shape.dropFirst()) == shape else {
      throw LayerError.badInputShape(
        layer: name, shape: x.shape, reason: "expected [N] + \(shape)")
    }
    return x
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    needsInputGradient ? [outputGradient] : []
  }
}
