import TensorCore

/// `GlobalMaxPooling2D`: [N, H, W, C] -> [N, C] (or [N, 1, 1, C] with keepDims).
public final class GlobalMaxPooling2D: Layer {
  public let name: String
  public var kerasClassName: String { "GlobalMaxPooling2D" }
  public var isFrozen = false
  public let keepDims: Bool

  public init(_ name: String, keepDims: Bool = false) {
    self.name = name
    self.keepDims = keepDims
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard s.count == 3 else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs [H, W, C]")
    }
    return keepDims ? [1, 1, s[2]] : [s[2]]
  }

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    throw LayerError.notImplemented(layer: name, what: "forward")
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    throw LayerError.notImplemented(layer: name, what: "backward")
  }
}
