import Foundation
import Layers
import TensorCore

/// Element-wise arithmetic that Keras records as an operation, not a layer: Keras 2's
/// `TFOpLambda` (`x / 127.5` in `preprocess_input`, `x + 3.0` in MobileNetV3, `a + b` in
/// ConvNeXt) and Keras 3's `keras.src.ops.numpy` operations (`x + 3.0`). The operand is
/// another layer's output or a constant (a number or a per-channel list); any other
/// function is refused by name. Written back as tf_keras's TFOpLambda.
enum ArithmeticCodec: LayerCodec {
  /// TFOpLambda's `function`s, by TensorFlow name.
  static let tfFunctions: [String: BinaryOperation] = [
    "__operators__.add": .add, "math.add": .add, "math.subtract": .subtract,
    "math.multiply": .multiply, "math.truediv": .divide, "math.divide": .divide,
  ]
  /// Keras 3's operations, by module-qualified class.
  static let kerasOps: [String: BinaryOperation] = [
    "keras.src.ops.numpy.Add": .add, "keras.src.ops.numpy.Subtract": .subtract,
    "keras.src.ops.numpy.Multiply": .multiply, "keras.src.ops.numpy.Divide": .divide,
    "keras.src.ops.numpy.TrueDivide": .divide,
  ]
  /// The tf function each operation is written back as.
  static let writtenFunction: [BinaryOperation: String] = [
    .add: "__operators__.add", .subtract: "math.subtract", .multiply: "math.multiply",
    .divide: "math.truediv",
  ]
  static let classNames = ["TFOpLambda"] + kerasOps.keys.sorted()

  /// Keras 3's `keras.src.ops.numpy.Add` is tf_keras's TFOpLambda.
  static func tfKerasClassName(_ l: Arithmetic) -> String { "TFOpLambda" }

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Arithmetic {
    let operation: BinaryOperation
    let constant: Any?
    var constantFirst = false
    if let op = kerasOps[c.className] {
      operation = op
      let args = c.call["args"] as? [Any] ?? []
      let isTensor = { (a: Any) in (a as? String) == LayerCall.tensorPlaceholder }
      let constants = args.filter { !isTensor($0) }
      guard args.count == 2, constants.count == 2 - inputShapes.count else {
        throw KerasIOError.unsupportedOption(
          file: c.file, layer: c.layer, option: "args",
          value: c.describe(args) + " (ftune takes two operands, one a layer's output)")
      }
      constant = constants.first
      constantFirst = !isTensor(args[0])
    } else {
      let function = try c.string("function")
      guard let op = tfFunctions[function] else {
        throw KerasIOError.unsupportedOption(
          file: c.file, layer: c.layer, option: "function",
          value: "\(function) (ftune implements "
            + tfFunctions.keys.sorted().joined(separator: ", ") + ")")
      }
      operation = op
      constant = c.call["y"]
    }
    if inputShapes.count == 2 {
      return Arithmetic(c.layer, operation, function: writtenFunction[operation])
    }
    guard inputShapes.count == 1, let constant, let value = constantTensor(constant) else {
      throw c.bad("y", "another layer's output, a number or a list of numbers")
    }
    return Arithmetic(
      c.layer, operation, constant: value, constantFirst: constantFirst,
      function: writtenFunction[operation])
  }

  /// A number or a (nested) list of numbers as a tensor of that shape.
  static func constantTensor(_ any: Any) -> Tensor? {
    if let n = any as? Double { return Tensor(shape: []) { _ in Float(n) } }
    if let n = any as? Int { return Tensor(shape: []) { _ in Float(n) } }
    guard let list = any as? [Any], !list.isEmpty, list.count <= JSONConfig.maxSize else {
      return nil
    }
    let rows = list.compactMap(constantTensor)
    guard rows.count == list.count, let shape = rows.first?.shape,
      rows.allSatisfy({ $0.shape == shape })
    else { return nil }
    let scalars = rows.flatMap(\.scalars)
    return Tensor(shape: [rows.count] + shape) { scalars[$0] }
  }

  static func encode(_ l: Arithmetic) throws -> [String: Any] {
    guard !l.constantFirst else {
      throw ExportRefusal(
        reason: "computes constant \(l.operation.rawValue) input, which ftune cannot write as"
          + " tf_keras's TFOpLambda")
    }
    return ["function": l.function ?? writtenFunction[l.operation] ?? "?"]
  }

  /// tf_keras's TFOpLambda call: `[[x, 0, 0, {"y": operand, "name": null}]]`, the operand a
  /// constant or `[layer, 0, 0]`.
  static func inboundNodes(_ l: Arithmetic, inputs: [String]) -> [Any] {
    let y: Any =
      inputs.count == 2
      ? [inputs[1], 0, 0] as [Any] : l.constant.map(constantJSON) ?? NSNull()
    return [[inputs.first ?? "?", 0, 0, ["y": y, "name": NSNull()] as [String: Any]] as [Any]]
  }

  static func constantJSON(_ t: Tensor) -> Any {
    guard let first = t.shape.first else { return number(t.scalars.first ?? 0) }
    let inner = t.count / max(first, 1)
    return (0..<first).map { i in
      constantJSON(Tensor(shape: Array(t.shape.dropFirst())) { t.scalars[i * inner + $0] })
    }
  }
}
