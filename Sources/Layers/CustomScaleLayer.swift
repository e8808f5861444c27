import TensorCore

/// InceptionResNetV2's `CustomScaleLayer(scale)` (Keras 2: `Custom>CustomScaleLayer`):
/// y = inputs[0] + inputs[1]·scale.
public final class CustomScaleLayer: Layer {
  public let name: String
  public var kerasClassName: String { "CustomScaleLayer" }
  public var isFrozen = false
  public let scale: Float

  public init(_ name: String, scale: Float) {
    self.name = name
    self.scale = scale
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    guard inputShapes.count == 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputShapes.count)
    }
    guard inputShapes[0] == inputShapes[1] else {
      throw LayerError.badInputShape(layer: name, shape: inputShapes[1], reason: "needs \(inputShapes[0])")
    }
    return inputShapes[0]
  }

  private var recorded = false

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    guard inputs.count == 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputs.count)
    }
    guard inputs[0].shape == inputs[1].shape else {
      throw LayerError.badInputShape(layer: name, shape: inputs[1].shape, reason: "needs \(inputs[0].shape)")
    }
    recorded = mode.recordForBackward
    var y = inputs[1]
    let s = scale
    y.withUnsafeMutableBufferPointer { p in
      inputs[0].withUnsafeBufferPointer { a in
        for i in 0..<p.count { p[i] = a[i] + p[i] * s }
      }
    }
    return y
  }

  /// dx0 = dy, dx1 = dy·scale.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    guard recorded else { throw LayerError.noRecordedForward(layer: name) }
    recorded = false
    guard needsInputGradient else { return [] }
    let s = scale
    return [outputGradient, outputGradient.map { $0 * s }]
  }
}
