import TensorCore

/// How a forward pass runs.
public struct ForwardMode: Sendable {
  /// Training behaviour: BatchNorm uses batch statistics (unless frozen), Dropout drops.
  public var training: Bool
  /// Keep what `backward` needs. Off for inference and for frozen prefixes.
  public var recordForBackward: Bool

  public init(training: Bool, recordForBackward: Bool) {
    self.training = training
    self.recordForBackward = recordForBackward
  }

  public static let inference = ForwardMode(training: false, recordForBackward: false)
  public static let training = ForwardMode(training: true, recordForBackward: true)
}

/// A network layer: forward and backward side by side, Keras's name and weight order.
///
/// Shapes given to `outputShape` exclude the batch dimension (as Keras prints them);
/// tensors given to `forward` include it (`[N, H, W, C]` or `[N, features]`).
public protocol Layer: AnyObject {
  /// Keras layer name (`block1_conv1`); also the layer's HDF5 group key.
  var name: String { get }
  /// Keras class name (`Conv2D`), used by `inspect` and model_config export.
  var kerasClassName: String { get }
  /// Weights in Keras's saved order: trainable first, then state (BN moving statistics).
  var weights: [Parameter] { get }
  /// A frozen layer gets no gradients; a frozen BatchNorm runs in inference mode.
  var isFrozen: Bool { get set }

  /// Allocates the weights for these input shapes (without batch) on first call, drawing
  /// initial values from `rng` (Keras's initializers), and returns the output shape.
  func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int]
  /// Computes the output; records what backward needs when `mode.recordForBackward`.
  func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor
  /// Given dLoss/dOutput, accumulates parameter gradients and returns dLoss/dInput for each
  /// input (empty when `needsInputGradient` is false: the layer is the first trainable one).
  func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor]
}

extension Layer {
  public var weights: [Parameter] { [] }
  public var parameterCount: Int { weights.reduce(0) { $0 + $1.value.count } }
  public var trainableParameterCount: Int {
    weights.filter(\.needsGradient).reduce(0) { $0 + $1.value.count }
  }
  /// True for layers that carry weights (Conv2D, DepthwiseConv2D, SeparableConv2D, Dense, BN).
  public var hasWeights: Bool { !weights.isEmpty }
}

/// Errors a layer raises on wrong use; messages name the layer.
public enum LayerError: Error, CustomStringConvertible {
  case wrongInputCount(layer: String, expected: Int, got: Int)
  case badInputShape(layer: String, shape: [Int], reason: String)
  case noRecordedForward(layer: String)
  case notImplemented(layer: String, what: String)

  public var description: String {
    switch self {
    case .wrongInputCount(let layer, let expected, let got):
      return "layer '\(layer)' takes \(expected) input(s), got \(got)"
    case .badInputShape(let layer, let shape, let reason):
      return "layer '\(layer)' cannot take input shape \(shape): \(reason)"
    case .noRecordedForward(let layer):
      return "layer '\(layer)': backward called without a recorded forward pass"
    case .notImplemented(let layer, let what):
      return "layer '\(layer)': \(what) is not implemented yet"
    }
  }
}

/// Helpers for the common single-input case.
extension Layer {
  public func single(_ inputs: [Tensor]) throws -> Tensor {
    guard inputs.count == 1 else {
      throw LayerError.wrongInputCount(layer: name, expected: 1, got: inputs.count)
    }
    return inputs[0]
  }

  public func singleShape(_ shapes: [[Int]]) throws -> [Int] {
    guard shapes.count == 1 else {
      throw LayerError.wrongInputCount(layer: name, expected: 1, got: shapes.count)
    }
    return shapes[0]
  }
}
