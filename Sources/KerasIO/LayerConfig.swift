import Layers

/// Keras layer classes and their configs, both ways: `make` builds an engine layer from a
/// `model_config` entry, `config(of:)` writes one for export.
enum LayerConfig {
  /// The classes `make` accepts (besides the model containers Sequential and Functional).
  static let supportedClasses = [
    "InputLayer", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense",
    "BatchNormalization", "Activation", "ReLU", "ZeroPadding2D", "MaxPooling2D",
    "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "Dropout",
    "Add", "Concatenate",
  ]

  /// Builds the layer `className` named `c.layer` from its config; `inputShapes` (without
  /// batch) let it check axis options.
  static func make(_ className: String, _ c: JSONConfig, inputShapes: [[Int]]) throws
    -> any Layer
  {
    let name = c.layer
    let rank = (inputShapes.first?.count ?? 0) + 1
    try c.require("data_format", isOneOf: ["channels_last"])
    switch className {
    case "Conv2D", "Convolution2D":
      try c.require("dilation_rate", isOneOf: ["1", "[1, 1]"])
      try c.require("groups", isOneOf: ["1"])
      return Conv2D(
        name, filters: try c.int("filters"), kernelSize: try c.pair("kernel_size"),
        strides: try c.pair("strides", default: (1, 1)), padding: try c.padding(),
        useBias: try c.bool("use_bias", default: true), activation: try c.activation())
    case "DepthwiseConv2D":
      try c.require("dilation_rate", isOneOf: ["1", "[1, 1]"])
      return DepthwiseConv2D(
        name, kernelSize: try c.pair("kernel_size"),
        strides: try c.pair("strides", default: (1, 1)), padding: try c.padding(),
        depthMultiplier: try c.int("depth_multiplier", default: 1),
        useBias: try c.bool("use_bias", default: true), activation: try c.activation())
    case "SeparableConv2D", "SeparableConvolution2D":
      try c.require("dilation_rate", isOneOf: ["1", "[1, 1]"])
      return SeparableConv2D(
        name, filters: try c.int("filters"), kernelSize: try c.pair("kernel_size"),
        strides: try c.pair("strides", default: (1, 1)), padding: try c.padding(),
        depthMultiplier: try c.int("depth_multiplier", default: 1),
        useBias: try c.bool("use_bias", default: true), activation: try c.activation())
    case "Dense":
      return Dense(
        name, units: try c.int("units"), useBias: try c.bool("use_bias", default: true),
        activation: try c.activation())
    case "BatchNormalization":
      try requireLastAxis(c, rank: rank)
      return BatchNormalization(
        name, epsilon: try c.float("epsilon", default: 1e-3),
        momentum: try c.float("momentum", default: 0.99),
        center: try c.bool("center", default: true), scale: try c.bool("scale", default: true))
    case "Activation":
      return Activation(name, try c.activation())
    case "ReLU":
      try c.require("negative_slope", isOneOf: ["0", "0.0"])
      try c.require("threshold", isOneOf: ["0", "0.0"])
      return ReLU(name, maxValue: try c.optionalFloat("max_value"))
    case "ZeroPadding2D":
      return ZeroPadding2D(name, padding: try zeroPadding(c))
    case "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D":
      let pool = try c.pair("pool_size", default: (2, 2))
      let strides = c.has("strides") ? try c.pair("strides") : pool
      return className.hasPrefix("Max")
        ? MaxPooling2D(name, poolSize: pool, strides: strides, padding: try c.padding())
        : AveragePooling2D(name, poolSize: pool, strides: strides, padding: try c.padding())
    case "GlobalAveragePooling2D", "GlobalAvgPool2D":
      return GlobalAveragePooling2D(name, keepDims: try c.bool("keepdims", default: false))
    case "GlobalMaxPooling2D", "GlobalMaxPool2D":
      return GlobalMaxPooling2D(name, keepDims: try c.bool("keepdims", default: false))
    case "Flatten":
      return Flatten(name)
    case "Dropout":
      let rate = try c.float("rate", default: 0)
      guard rate >= 0, rate < 1 else { throw c.bad("rate", "a number in [0, 1)") }
      return Dropout(name, rate: rate)
    case "Add":
      return Add(name)
    case "Concatenate":
      try requireLastAxis(c, rank: rank)
      return Concatenate(name)
    default:
      throw KerasIOError.unknownLayerClass(file: c.file, layer: name, className: className)
    }
  }

  /// The engine normalises and concatenates over the last (channel) axis only.
  private static func requireLastAxis(_ c: JSONConfig, rank: Int) throws {
    guard c.has("axis") else { return }
    let axes = c.ints(c.values["axis"]) ?? []
    guard axes.count == 1, axes[0] == -1 || axes[0] == rank - 1 else {
      throw KerasIOError.unsupportedOption(
        file: c.file, layer: c.layer, option: "axis", value: c.describe(c.values["axis"]))
    }
  }

  /// `1`, `(1, 2)` (symmetric per axis) or `((top, bottom), (left, right))`.
  private static func zeroPadding(_ c: JSONConfig) throws -> ((Int, Int), (Int, Int)) {
    let raw = c.values["padding"]
    let expected = "an integer, a pair or a pair of pairs, from 0 to \(JSONConfig.maxSize)"
    let inRange = { (list: [Int]) in list.allSatisfy { (0...JSONConfig.maxSize).contains($0) } }
    if let flat = c.ints(raw), inRange(flat) {
      if flat.count == 1 { return ((flat[0], flat[0]), (flat[0], flat[0])) }
      if flat.count == 2 { return ((flat[0], flat[0]), (flat[1], flat[1])) }
    }
    if let nested = raw as? [Any], nested.count == 2,
      let h = c.ints(nested[0]), let w = c.ints(nested[1]), h.count == 2, w.count == 2,
      inRange(h + w)
    {
      return ((h[0], h[1]), (w[0], w[1]))
    }
    throw c.bad("padding", expected)
  }
}
