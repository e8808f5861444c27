import TensorCore

/// `Activation`: relu, relu6, softmax (last axis), sigmoid or linear.
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

  private var savedOutput: Tensor?

  /// y = kind(x); softmax over the last axis.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let y: Tensor
    switch kind {
    case .relu, .relu6:
      // One SIMD pass into a new buffer instead of a copy of `x` and then a pass over it.
      y = ChannelAffine.map(
        x, channels: x.shape.last ?? 1, scale: nil, shift: nil, activation: kind)
    default:
      var t = x
      kind.apply(&t)
      y = t
    }
    savedOutput = mode.recordForBackward ? y : nil
    return y
  }

  /// dx from dy and the recorded output.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let y = try recorded(savedOutput)
    savedOutput = nil
    guard needsInputGradient else { return [] }
    try checkGradient(outputGradient, y.shape)
    return [kind.backward(outputGradient, output: y)]
  }
}
