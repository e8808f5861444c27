import Kernels
import TensorCore

extension ConvGeometry {
  /// The kernel-side geometry of a window over an NHWC batch, with Keras's padding rule.
  public static func window(
    input shape: [Int], kernel: (Int, Int), strides: (Int, Int), padding: Padding,
    layer: String
  ) throws -> WindowGeometry {
    guard shape.count == 4 else {
      throw LayerError.badInputShape(layer: layer, shape: shape, reason: "needs [N, H, W, C]")
    }
    let outH = try outputSize(shape[1], kernel.0, strides.0, padding, layer: layer)
    let outW = try outputSize(shape[2], kernel.1, strides.1, padding, layer: layer)
    return WindowGeometry(
      batch: shape[0], inH: shape[1], inW: shape[2], channels: shape[3],
      kH: kernel.0, kW: kernel.1, strideH: strides.0, strideW: strides.1,
      padTop: padBefore(shape[1], kernel.0, strides.0, padding),
      padLeft: padBefore(shape[2], kernel.1, strides.1, padding),
      outH: outH, outW: outW)
  }
}

extension Layer {
  /// Throws `noRecordedForward` when a backward pass finds nothing recorded.
  func recorded<T>(_ value: T?) throws -> T {
    guard let value else { throw LayerError.noRecordedForward(layer: name) }
    return value
  }

  /// Throws unless `t` has the shape the layer recorded for its output.
  func checkGradient(_ t: Tensor, _ expected: [Int]) throws {
    guard t.shape == expected else {
      throw LayerError.badInputShape(
        layer: name, shape: t.shape, reason: "output gradient must have shape \(expected)")
    }
  }
}
