import TensorCore

/// One entry of a PyTorch state dict, converted to Float in row-major (C) order: the
/// storage offset and strides of the saved tensor have been applied.
public struct TorchTensor: Sendable, Equatable {
  /// The state-dict key, e.g. `features.1.conv.0.0.weight`.
  public let name: String
  /// The element type in the file (values are converted to Float).
  public let dtype: TorchDType
  /// PyTorch's shape, outermost first (`[out, in, kh, kw]` for a conv weight).
  public let shape: [Int]
  /// `shape.product` values in row-major order.
  public let values: [Float]

  public init(name: String, dtype: TorchDType, shape: [Int], values: [Float]) {
    self.name = name
    self.dtype = dtype
    self.shape = shape
    self.values = values
  }

  /// The values as a TensorCore tensor of the same shape.
  public func tensor() throws -> Tensor {
    try Tensor(shape: shape, scalars: values)
  }
}
