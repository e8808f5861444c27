import TensorCore

/// Element-wise arithmetic between two inputs, or one input and a constant, with
/// broadcasting: what Keras 2 saves as `TFOpLambda` for `tf.math.add/subtract/multiply/
/// truediv` and `tf.__operators__.add` (e.g. `preprocess_input`'s `x / 127.5 − 1`).
public final class Arithmetic: Layer {
  public let name: String
  public let kerasClassName: String
  public var isFrozen = false
  public let operation: BinaryOperation
  /// The constant operand (any shape broadcasting against the input, e.g. `[]` or `[C]`);
  /// nil when both operands are inputs.
  public let constant: Tensor?
  /// Whether the constant is the left operand (`c − x`, `c / x`).
  public let constantFirst: Bool
  /// The Keras function name the layer came from (`math.truediv`), kept for export.
  public let function: String?

  public init(
    _ name: String, _ operation: BinaryOperation, constant: Tensor? = nil,
    constantFirst: Bool = false, function: String? = nil, kerasClassName: String = "TFOpLambda"
  ) {
    self.name = name
    self.operation = operation
    self.constant = constant
    self.constantFirst = constantFirst
    self.function = function
    self.kerasClassName = kerasClassName
  }

  private var inputCount: Int { constant == nil ? 2 : 1 }

  /// The two operands in order, with the batch axis on the inputs' shapes.
  private func operands<T>(_ inputs: [T], constant c: T?) throws -> (T, T) {
    guard inputs.count == inputCount else {
      throw LayerError.wrongInputCount(layer: name, expected: inputCount, got: inputs.count)
    }
    guard let c else { return (inputs[0], inputs[1]) }
    return constantFirst ? (c, inputs[0]) : (inputs[0], c)
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let (a, b) = try operands(inputShapes, constant: constant?.shape)
    // A constant broadcasts against the input's trailing axes (shapes here have no batch).
    guard let s = Broadcast.shape(a, b) else {
      throw LayerError.badInputShape(layer: name, shape: b, reason: "does not broadcast against \(a)")
    }
    return s
  }

  private var record: (Tensor, Tensor)?

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let (a, b) = try operands(inputs, constant: constant)
    record = mode.recordForBackward ? (a, b) : nil
    return try operation.apply(a, b, layer: name)
  }

  /// The input operands' gradients (a constant gets none).
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let (a, b) = try recorded(record)
    record = nil
    guard needsInputGradient else { return [] }
    let (da, db) = try operation.gradients(outputGradient, a, b)
    guard constant != nil else { return [da, db] }
    return [constantFirst ? db : da]
  }
}
