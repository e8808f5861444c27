import TensorCore

/// `Concatenate` along the last axis.
public final class Concatenate: Layer {
  public let name: String
  public var kerasClassName: String { "Concatenate" }
  public var isFrozen = false

  public init(_ name: String) { self.name = name }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    guard var out = inputShapes.first, inputShapes.count >= 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputShapes.count)
    }
    for s in inputShapes.dropFirst() {
      guard s.count == out.count, s.dropLast() == out.dropLast() else {
        throw LayerError.badInputShape(layer: name, shape: s, reason: "must match \(out) but the last axis")
      }
      out[out.count - 1] += s[s.count - 1]
    }
    return out
  }

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    throw LayerError.notImplemented(layer: name, what: "forward")
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    throw LayerError.notImplemented(layer: name, what: "backward")
  }
}
