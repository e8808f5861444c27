import TensorCore

extension Preprocessing {
  /// ImageNet channel means in BGR order, subtracted by `caffe`.
  public static let caffeMeanBGR: [Float] = [103.939, 116.779, 123.68]
  /// ImageNet channel means and standard deviations (RGB, 0-1 scale) used by `torch`.
  public static let torchMean: [Float] = [0.485, 0.456, 0.406]
  public static let torchStd: [Float] = [0.229, 0.224, 0.225]

  /// Applies this mode in place to an NHWC (or HWC) tensor of RGB values in [0, 255], in the
  /// same operation order as Keras's `imagenet_utils.preprocess_input` (float32 throughout).
  /// `caffe` and `torch` need 3 channels; `tf` and `none` accept any channel count.
  public func apply(to tensor: inout Tensor) throws {
    let channels = tensor.shape.last ?? 0
    if self == .caffe || self == .torch, channels != 3 {
      throw TensorError.invalidArgument(
        "preprocessing '\(rawValue)' needs 3 (RGB) channels, got shape \(tensor.shape); "
          + "use --preprocess tf or none for other channel counts")
    }
    switch self {
    case .none:
      return
    case .tf:
      tensor.withUnsafeMutableBufferPointer { x in
        for i in x.indices { x[i] = x[i] / 127.5 - 1 }
      }
    case .caffe:
      let mean = Preprocessing.caffeMeanBGR
      tensor.withUnsafeMutableBufferPointer { x in
        var p = 0
        while p + 2 < x.count {
          let r = x[p], b = x[p + 2]
          x[p] = b - mean[0]
          x[p + 1] -= mean[1]
          x[p + 2] = r - mean[2]
          p += 3
        }
      }
    case .torch:
      let mean = Preprocessing.torchMean, std = Preprocessing.torchStd
      tensor.withUnsafeMutableBufferPointer { x in
        for i in x.indices {
          let c = i % 3
          x[i] = (x[i] / 255 - mean[c]) / std[c]
        }
      }
    }
  }

  /// This mode applied to a copy of `tensor`.
  public func applied(to tensor: Tensor) throws -> Tensor {
    var copy = tensor
    try apply(to: &copy)
    return copy
  }
}
