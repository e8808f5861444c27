import TensorCore

/// The `Softmax` layer (axis −1): what `Activation("softmax")` computes, under its own class.
public final class Softmax: Layer {
  public let name: String
  public var kerasClassName: String { "Softmax" }
  public var isFrozen = false

  public init(_ name: String) { self.name = name }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try singleShape(inputShapes)
  }

  private var savedOutput: Tensor?

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    var y = try single(inputs)
    savedOutput = ActivationKind.softmax.apply(&y, recording: mode.recordForBackward)
    return y
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let y = try recorded(savedOutput)
    savedOutput = nil
    guard needsInputGradient else { return [] }
    try checkGradient(outputGradient, y.shape)
    return [ActivationKind.softmax.backward(outputGradient, recorded: y)]
  }
}
