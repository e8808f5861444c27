import TensorCore

/// How a PyTorch weight's axes become the Keras layout ftune uses (docs/architecture.md,
/// "Keras's layouts are ours").
public enum KerasLayout: String, Sendable {
  /// Conv2D kernel: PyTorch `[out, in, kh, kw]` (OIHW) to Keras `[kh, kw, in, out]` (HWIO).
  case conv
  /// DepthwiseConv2D kernel: PyTorch `[C, 1, kh, kw]` to Keras `[kh, kw, C, 1]`.
  case depthwise
  /// Dense kernel: PyTorch Linear `[out, in]` to Keras `[in, out]`.
  case dense
  /// Biases and BatchNorm vectors: unchanged.
  case vector

  /// The PyTorch rank this layout expects.
  var rank: Int {
    switch self {
    case .conv, .depthwise: return 4
    case .dense: return 2
    case .vector: return 1
    }
  }

  /// Source axis for each destination axis.
  var permutation: [Int] {
    switch self {
    case .conv: return [2, 3, 1, 0]
    case .depthwise: return [2, 3, 0, 1]
    case .dense: return [1, 0]
    case .vector: return [0]
    }
  }

  /// `values` (row-major, PyTorch `shape`) rearranged into this Keras layout.
  /// The caller checks the rank (and, for depthwise, that axis 1 is 1).
  func apply(shape: [Int], values: [Float]) -> Tensor {
    let order = permutation
    let outShape = order.map { shape[$0] }
    var sourceStrides = [Int](repeating: 1, count: shape.count)
    for axis in shape.indices.dropLast().reversed() {
      sourceStrides[axis] = sourceStrides[axis + 1] * shape[axis + 1]
    }
    // Destination axis d walks source axis order[d].
    let strides = order.map { sourceStrides[$0] }
    var out = [Float](repeating: 0, count: values.count)
    var position = [Int](repeating: 0, count: outShape.count)
    var source = 0
    for index in 0..<values.count {
      out[index] = values[source]
      var axis = outShape.count - 1
      while axis >= 0 {
        position[axis] += 1
        source += strides[axis]
        if position[axis] < outShape[axis] { break }
        source -= strides[axis] * outShape[axis]
        position[axis] = 0
        axis -= 1
      }
    }
    return Tensor(shape: outShape) { out[$0] }
  }
}

/// One Keras weight: the layer it belongs to, its name within the layer (`kernel`,
/// `depthwise_kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `moving_variance`) and value.
public struct KerasWeight: Sendable, Equatable {
  public let layer: String
  public let name: String
  public let value: Tensor

  public init(layer: String, name: String, value: Tensor) {
    self.layer = layer
    self.name = name
    self.value = value
  }
}

/// A Keras layer's weights in Keras's order (trainable first, then BN's moving statistics).
public struct KerasLayerWeights: Sendable, Equatable {
  public let layer: String
  public var weights: [KerasWeight]

  public init(layer: String, weights: [KerasWeight]) {
    self.layer = layer
    self.weights = weights
  }
}
