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
    var y = try single(inputs)
    kind.apply(&y)
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
