import Layers
import TensorCore

/// The options every convolution writes.
private func convOptions(
  _ k: (Int, Int), _ s: (Int, Int), _ p: Padding, _ bias: Bool, _ a: ActivationKind
) -> [String: Any] {
  [
    "kernel_size": [k.0, k.1], "strides": [s.0, s.1], "padding": p.rawValue,
    "data_format": "channels_last", "dilation_rate": [1, 1], "use_bias": bias,
    "activation": a.rawValue,
  ]
}

enum Conv2DCodec: LayerCodec {
  static let classNames = ["Conv2D", "Convolution2D"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Conv2D {
    try c.require("dilation_rate", isOneOf: ["1", "[1, 1]"])
    try c.require("groups", isOneOf: ["1"])
    return Conv2D(
      c.layer, filters: try c.int("filters"), kernelSize: try c.pair("kernel_size"),
      strides: try c.pair("strides", default: (1, 1)), padding: try c.padding(),
      useBias: try c.bool("use_bias", default: true), activation: try c.activation())
  }

  static func encode(_ l: Conv2D) -> [String: Any] {
    convOptions(l.kernelSize, l.strides, l.padding, l.useBias, l.activation).merging([
      "filters": l.filters, "groups": 1,
    ]) { $1 }
  }

  static func weightCount(_ l: Conv2D, channels: Double) -> Double {
    Double(l.kernelSize.0 * l.kernelSize.1) * channels * Double(l.filters) + Double(l.filters)
  }
}

enum DepthwiseConv2DCodec: LayerCodec {
  static let classNames = ["DepthwiseConv2D"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> DepthwiseConv2D {
    try c.require("dilation_rate", isOneOf: ["1", "[1, 1]"])
    return DepthwiseConv2D(
      c.layer, kernelSize: try c.pair("kernel_size"),
      strides: try c.pair("strides", default: (1, 1)), padding: try c.padding(),
      depthMultiplier: try c.int("depth_multiplier", default: 1),
      useBias: try c.bool("use_bias", default: true), activation: try c.activation())
  }

  static func encode(_ l: DepthwiseConv2D) -> [String: Any] {
    convOptions(l.kernelSize, l.strides, l.padding, l.useBias, l.activation).merging([
      "depth_multiplier": l.depthMultiplier
    ]) { $1 }
  }

  static func weightCount(_ l: DepthwiseConv2D, channels: Double) -> Double {
    Double(l.kernelSize.0 * l.kernelSize.1 + 1) * channels * Double(l.depthMultiplier)
  }
}

enum SeparableConv2DCodec: LayerCodec {
  static let classNames = ["SeparableConv2D", "SeparableConvolution2D"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> SeparableConv2D {
    try c.require("dilation_rate", isOneOf: ["1", "[1, 1]"])
    return SeparableConv2D(
      c.layer, filters: try c.int("filters"), kernelSize: try c.pair("kernel_size"),
      strides: try c.pair("strides", default: (1, 1)), padding: try c.padding(),
      depthMultiplier: try c.int("depth_multiplier", default: 1),
      useBias: try c.bool("use_bias", default: true), activation: try c.activation())
  }

  static func encode(_ l: SeparableConv2D) -> [String: Any] {
    convOptions(l.kernelSize, l.strides, l.padding, l.useBias, l.activation).merging([
      "filters": l.filters, "depth_multiplier": l.depthMultiplier,
    ]) { $1 }
  }

  static func weightCount(_ l: SeparableConv2D, channels: Double) -> Double {
    let depth = channels * Double(l.depthMultiplier)
    return Double(l.kernelSize.0 * l.kernelSize.1) * depth + (depth + 1) * Double(l.filters)
  }
}
