import Kernels
import TensorCore

/// `Activation(kind)`: any `ActivationKind`; softmax over the last axis.
public final class Activation: Layer {
  public let name: String
  public var kerasClassName: String { "Activation" }
  public var isFrozen = false
  public let kind: ActivationKind

  public init(_ name: String, _ kind: ActivationKind) {
    self.name = name
    self.kind = kind
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try singleShape(inputShapes)
  }

  /// What the activation's backward needs (`ActivationKind.apply(_:recording:)`).
  private var record: Tensor?

  /// y = kind(x); softmax over the last axis.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    switch kind {
    case .relu, .relu6:
      // One SIMD pass into a new buffer instead of a copy of `x` and then a pass over it.
      let y = ChannelAffine.map(
        x, channels: x.shape.last ?? 1, scale: nil, shift: nil, activation: kind)
      record = mode.recordForBackward ? y : nil
      return y
    default:
      var y = x
      record = kind.apply(&y, recording: mode.recordForBackward)
      if mode.recordForBackward && !kind.needsOutput { record = y }
      return y
    }
  }

  /// dx from dy and the recorded output (or input).
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let r = try recorded(record)
    record = nil
    guard needsInputGradient else { return [] }
    try checkGradient(outputGradient, r.shape)
    return [kind.backward(outputGradient, recorded: r)]
  }
}
