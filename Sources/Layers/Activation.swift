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
  /// Set by `forwardFused`: the layer before applied the clamp, backward passes dy through.
  private var fused = false

  /// For a relu/relu6 pass whose clamp the layer before already applied (and whose gradient
  /// it takes in its own backward): returns the input; backward hands the gradient through.
  public func forwardFused(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    guard kind == .relu || kind == .relu6 else {
      throw LayerError.notImplemented(layer: name, what: "fusing \(kind) into the layer before")
    }
    record = nil
    fused = mode.recordForBackward
    return x
  }

  /// y = kind(x); softmax over the last axis.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    fused = false
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
    if fused {
      fused = false
      return needsInputGradient ? [outputGradient] : []
    }
    let r = try recorded(record)
    record = nil
    guard needsInputGradient else { return [] }
    try checkGradient(outputGradient, r.shape)
    return [kind.backward(outputGradient, recorded: r)]
  }
}
