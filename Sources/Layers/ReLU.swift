import Kernels
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

  /// The activation this layer is, when it is one kernels fuse (`relu`, `relu6`); nil for
  /// another maximum, which runs here.
  public var activationKind: ActivationKind? {
    switch maxValue {
    case nil: return .relu
    case 6?: return .relu6
    default: return nil
    }
  }

  /// y = min(max(x, 0), maxValue).
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    // Into a new buffer in one SIMD pass: mutating `x` would copy it first anyway.
    let y = ChannelAffine.map(
      x, channels: x.shape.last ?? 1, scale: nil, shift: nil,
      bounds: (0, maxValue ?? .infinity))
    savedOutput = mode.recordForBackward ? y : nil
    return y
  }

  /// dx = dy where 0 < y < maxValue, else 0 (TensorFlow's choice at the kinks).
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let y = try recorded(savedOutput)
    savedOutput = nil
    guard needsInputGradient else { return [] }
    try checkGradient(outputGradient, y.shape)
    return [
      ClampBackward.gradient(outputGradient, output: y, lower: 0, upper: maxValue ?? .infinity)
    ]
  }
}
