import Layers
import TensorCore

enum LayerNormalizationCodec: LayerCodec {
  static let classNames = ["LayerNormalization"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> LayerNormalization {
    try requireLastAxis(c, inputShapes: inputShapes)
    try c.require("rms_scaling", isOneOf: ["false", "0"])
    return LayerNormalization(
      c.layer, epsilon: try c.float("epsilon", default: 1e-3),
      center: try c.bool("center", default: true), scale: try c.bool("scale", default: true))
  }

  static func encode(_ l: LayerNormalization) throws -> [String: Any] {
    ["axis": [-1], "epsilon": number(l.epsilon), "center": l.center, "scale": l.scale]
  }

  static func weightCount(_ l: LayerNormalization, channels: Double) -> Double {
    (l.center ? channels : 0) + (l.scale ? channels : 0)
  }
}

/// Keras's `Normalization`: the mean and variance are config values (ConvNeXt's prestem)
/// or, when the config has none, weights (EfficientNet's, with a `count`).
enum NormalizationCodec: LayerCodec {
  static let classNames = ["Normalization"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Normalization {
    try requireLastAxis(c, inputShapes: inputShapes)
    let mean = try c.floats("mean")
    let variance = try c.floats("variance")
    guard (mean == nil) == (variance == nil) else {
      throw c.bad("variance", "given with 'mean', or both omitted")
    }
    return Normalization(
      c.layer, mean: mean, variance: variance, invert: try c.bool("invert", default: false))
  }

  static func encode(_ l: Normalization) throws -> [String: Any] {
    var c: [String: Any] = ["axis": [-1], "invert": l.invert]
    if let mean = l.givenMean, let variance = l.givenVariance {
      c["mean"] = mean.map(number)
      c["variance"] = variance.map(number)
    }
    return c
  }

  static func weightCount(_ l: Normalization, channels: Double) -> Double {
    l.givenMean == nil ? 2 * channels + 1 : 0
  }
}

enum RescalingCodec: LayerCodec {
  static let classNames = ["Rescaling"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Rescaling {
    guard let scale = try c.floats("scale") else { throw c.bad("scale", "a number or a list") }
    return Rescaling(c.layer, scale: scale, offset: try c.floats("offset") ?? [0])
  }

  static func encode(_ l: Rescaling) throws -> [String: Any] {
    let one = { (v: [Float]) -> Any in v.count == 1 ? number(v[0]) : v.map(number) }
    return ["scale": one(l.scale), "offset": one(l.offset)]
  }
}

enum LayerScaleCodec: LayerCodec {
  static let classNames = ["LayerScale"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> LayerScale {
    LayerScale(
      c.layer, initValue: try c.float("init_values", default: 1e-6),
      projectionDim: try c.int("projection_dim"))
  }

  static func encode(_ l: LayerScale) throws -> [String: Any] {
    ["init_values": number(l.initValue), "projection_dim": l.projectionDim]
  }

  static func weightCount(_ l: LayerScale, channels: Double) -> Double { channels }
}

/// InceptionResNetV2's residual scaling, `inputs[0] + inputs[1] * scale`.
enum CustomScaleLayerCodec: LayerCodec {
  static let classNames = ["CustomScaleLayer", "Custom>CustomScaleLayer"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> CustomScaleLayer {
    guard c.has("scale") else { throw c.bad("scale", "a number") }
    return CustomScaleLayer(c.layer, scale: try c.float("scale", default: 1))
  }

  static func encode(_ l: CustomScaleLayer) throws -> [String: Any] { ["scale": number(l.scale)] }
}

enum StochasticDepthCodec: LayerCodec {
  static let classNames = ["StochasticDepth"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> StochasticDepth {
    let rate = try c.float("drop_path_rate", default: 0)
    guard rate >= 0, rate < 1 else { throw c.bad("drop_path_rate", "a number in [0, 1)") }
    return StochasticDepth(c.layer, rate: rate)
  }

  static func encode(_ l: StochasticDepth) throws -> [String: Any] {
    ["drop_path_rate": number(l.rate)]
  }
}
