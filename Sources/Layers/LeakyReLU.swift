import TensorCore

/// The `LeakyReLU` layer: x for x > 0, else negativeSlope·x (Keras 3 `negative_slope`,
/// tf_keras `alpha`; both default to 0.3, unlike the `leaky_relu` activation string's 0.2).
public final class LeakyReLU: Layer {
  public let name: String
  public var kerasClassName: String { "LeakyReLU" }
  public var isFrozen = false
  public let negativeSlope: Float

  public init(_ name: String, negativeSlope: Float = 0.3) {
    self.name = name
    self.negativeSlope = negativeSlope
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try singleShape(inputShapes)
  }

  private var savedInput: Tensor?

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    savedInput = mode.recordForBackward ? x : nil
    let a = negativeSlope
    return x.map { $0 > 0 ? $0 : a * $0 }
  }

  /// dx = dy where x > 0, else negativeSlope·dy (TensorFlow's choice at 0).
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let x = try recorded(savedInput)
    savedInput = nil
    guard needsInputGradient else { return [] }
    try checkGradient(outputGradient, x.shape)
    var dx = outputGradient
    let a = negativeSlope
    dx.withUnsafeMutableBufferPointer { d in
      x.withUnsafeBufferPointer { p in
        for i in 0..<d.count where p[i] <= 0 { d[i] *= a }
      }
    }
    return [dx]
  }
}
