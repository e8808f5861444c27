import TensorCore

/// `ReLU(max_value:)`: max(x, 0), capped at `maxValue` when given (ReLU6 in MobileNetV2).
public final class ReLU: Layer {
  public let name: String
  public var kerasClassName: String { "ReLU" }
  public var isFrozen = false
  public let maxValue: Float?

  public init(_ name: String, maxValue: Float? = nil) {
    self.name = name
    self.maxValue = maxValue
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try singleShape(inputShapes)
  }

  private var savedOutput: Tensor?

  /// y = min(max(x, 0), maxValue).
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    // Into a new buffer in one SIMD pass: mutating `x` would copy it first anyway.
    let y = ChannelAffine.map(
      x, channels: x.shape.last ?? 1, scale: nil, shift: nil,
      clamp: OutputClamp(lower: 0, upper: maxValue ?? .infinity))
    savedOutput = mode.recordForBackward ? y : nil
    return y
  }

  /// dx = dy where 0 < y < maxValue, else 0 (TensorFlow's choice at the kinks).
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let y = try recorded(savedOutput)
    savedOutput = nil
    guard needsInputGradient else { return [] }
    try checkGradient(outputGradient, y.shape)
    var dx = outputGradient
    let cap = maxValue ?? .infinity
    dx.withUnsafeMutableBufferPointer { d in
      y.withUnsafeBufferPointer { o in
        for i in 0..<d.count where o[i] <= 0 || o[i] >= cap { d[i] = 0 }
      }
    }
    return [dx]
  }
}
