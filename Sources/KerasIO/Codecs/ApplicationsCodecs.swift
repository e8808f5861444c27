import Foundation
import Layers
import TensorCore

// Codecs of the layer classes keras.applications networks and Keras's transfer-learning
// guide use beyond the classic convolutional ones. Keras 2 (tf_keras) and Keras 3 spellings
// are both read; tf_keras's is written.

enum RescalingCodec: LayerCodec {
  static let classNames = ["Rescaling"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Rescaling {
    Rescaling(c.layer, scale: try c.floats("scale", default: [1]),
              offset: try c.floats("offset", default: [0]))
  }

  static func encode(_ l: Rescaling) -> [String: Any] {
    ["scale": scalarOrList(l.scale), "offset": scalarOrList(l.offset)]
  }
}

enum NormalizationCodec: LayerCodec {
  static let classNames = ["Normalization"]

  /// Mean and variance come from the config when it holds them, else from the weights.
  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Normalization {
    try requireLastAxis(c, inputShapes: inputShapes)
    let mean = c.has("mean") ? try c.floats("mean", default: []) : nil
    let variance = c.has("variance") ? try c.floats("variance", default: []) : nil
    return Normalization(
      c.layer, mean: mean, variance: variance, invert: try c.bool("invert", default: false))
  }

  static func encode(_ l: Normalization) -> [String: Any] {
    var options: [String: Any] = ["axis": -1, "invert": l.invert]
    if let m = l.givenMean, let v = l.givenVariance {
      options["mean"] = m.map(number)
      options["variance"] = v.map(number)
    }
    return options
  }

  static func weightCount(_ l: Normalization, channels: Double) -> Double {
    l.givenMean == nil ? 2 * channels + 1 : 0
  }
}

enum ReshapeCodec: LayerCodec {
  static let classNames = ["Reshape"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Reshape {
    guard let shape = c.ints(c.values["target_shape"]), !shape.isEmpty,
      shape.allSatisfy({ $0 == -1 || (1...JSONConfig.maxSize).contains($0) }),
      shape.filter({ $0 == -1 }).count <= 1
    else { throw c.bad("target_shape", "a list of sizes (one may be -1)") }
    return Reshape(c.layer, targetShape: shape)
  }

  static func encode(_ l: Reshape) -> [String: Any] { ["target_shape": l.targetShape] }
}

enum SoftmaxCodec: LayerCodec {
  static let classNames = ["Softmax"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Softmax {
    try requireLastAxis(c, inputShapes: inputShapes)
    return Softmax(c.layer)
  }

  static func encode(_ l: Softmax) -> [String: Any] { ["axis": -1] }
}

enum LeakyReLUCodec: LayerCodec {
  static let classNames = ["LeakyReLU"]

  /// Keras 3 says `negative_slope` (default 0.3), tf_keras `alpha` (default 0.3).
  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> LeakyReLU {
    let key = c.has("negative_slope") ? "negative_slope" : "alpha"
    return LeakyReLU(c.layer, negativeSlope: try c.float(key, default: 0.3))
  }

  static func encode(_ l: LeakyReLU) -> [String: Any] { ["alpha": number(l.negativeSlope)] }
}

enum CustomScaleLayerCodec: LayerCodec {
  /// InceptionResNetV2's residual scaling (Keras 3 registers it as `Custom>CustomScaleLayer`).
  static let classNames = ["CustomScaleLayer", "Custom>CustomScaleLayer"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> CustomScaleLayer {
    guard c.has("scale") else { throw c.bad("scale", "a number") }
    return CustomScaleLayer(c.layer, scale: try c.float("scale", default: 1))
  }

  static func encode(_ l: CustomScaleLayer) -> [String: Any] { ["scale": number(l.scale)] }
}

enum LayerScaleCodec: LayerCodec {
  /// ConvNeXt's per-channel scale (`gamma`).
  static let classNames = ["LayerScale"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> LayerScale {
    LayerScale(
      c.layer, initValue: try c.float("init_values", default: 1e-6),
      projectionDim: try c.int("projection_dim"))
  }

  static func encode(_ l: LayerScale) -> [String: Any] {
    ["init_values": number(l.initValue), "projection_dim": l.projectionDim]
  }

  static func weightCount(_ l: LayerScale, channels: Double) -> Double { channels }
}

enum MultiplyCodec: LayerCodec {
  static let classNames = ["Multiply"]
  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Multiply {
    Multiply(c.layer)
  }
  static func encode(_ l: Multiply) -> [String: Any] { [:] }
}

enum SubtractCodec: LayerCodec {
  static let classNames = ["Subtract"]
  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Subtract {
    Subtract(c.layer)
  }
  static func encode(_ l: Subtract) -> [String: Any] { [:] }
}

enum LayerNormalizationCodec: LayerCodec {
  static let classNames = ["LayerNormalization"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> LayerNormalization {
    try requireLastAxis(c, inputShapes: inputShapes)
    return LayerNormalization(
      c.layer, epsilon: try c.float("epsilon", default: 1e-3),
      center: try c.bool("center", default: true), scale: try c.bool("scale", default: true))
  }

  static func encode(_ l: LayerNormalization) -> [String: Any] {
    ["axis": -1, "epsilon": number(l.epsilon), "center": l.center, "scale": l.scale]
  }

  static func weightCount(_ l: LayerNormalization, channels: Double) -> Double {
    (l.center ? channels : 0) + (l.scale ? channels : 0)
  }
}

enum StochasticDepthCodec: LayerCodec {
  /// ConvNeXt's drop path: the identity at inference.
  static let classNames = ["StochasticDepth"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> StochasticDepth {
    let rate = try c.float("drop_path_rate", default: 0)
    guard rate >= 0, rate < 1 else { throw c.bad("drop_path_rate", "a number in [0, 1)") }
    return StochasticDepth(c.layer, rate: rate)
  }

  static func encode(_ l: StochasticDepth) -> [String: Any] {
    ["drop_path_rate": number(l.rate)]
  }
}

enum Cropping2DCodec: LayerCodec {
  static let classNames = ["Cropping2D"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Cropping2D {
    Cropping2D(c.layer, cropping: try c.edges("cropping"))
  }

  static func encode(_ l: Cropping2D) -> [String: Any] {
    ["cropping": [[l.top, l.bottom], [l.left, l.right]], "data_format": "channels_last"]
  }
}

enum ResizingCodec: LayerCodec {
  static let classNames = ["Resizing"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Resizing {
    try c.require("interpolation", isOneOf: ["bilinear"])
    return Resizing(
      c.layer, height: try c.int("height"), width: try c.int("width"),
      cropToAspectRatio: try c.bool("crop_to_aspect_ratio", default: false))
  }

  static func encode(_ l: Resizing) -> [String: Any] {
    ["height": l.height, "width": l.width, "interpolation": "bilinear",
     "crop_to_aspect_ratio": l.cropToAspectRatio]
  }
}

enum CenterCropCodec: LayerCodec {
  static let classNames = ["CenterCrop"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> CenterCrop {
    CenterCrop(c.layer, height: try c.int("height"), width: try c.int("width"))
  }

  static func encode(_ l: CenterCrop) -> [String: Any] { ["height": l.height, "width": l.width] }
}

enum RandomCropCodec: LayerCodec {
  static let classNames = ["RandomCrop"]

  /// Inference differs by Keras version (tf_keras resizes to the target, Keras 3 passes the
  /// image through).
  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> RandomCrop {
    RandomCrop(
      c.layer, height: try c.int("height"), width: try c.int("width"), keras2: c.keras2)
  }

  static func encode(_ l: RandomCrop) -> [String: Any] { ["height": l.height, "width": l.width] }
}

extension LayerCodec {
  /// One value written as a number, several as a list (Keras accepts both).
  static func scalarOrList(_ values: [Float]) -> Any {
    values.count == 1 ? number(values[0]) as Any : values.map(number) as Any
  }
}

enum RandomAugmentationCodec: LayerCodec {
  /// The guide's augmentation layers, the identity at inference (and in ftune's training,
  /// whose augmentation is `--augment`). Exported with zero factors: what ftune computed.
  static let classNames = RandomAugmentation.Kind.allCases.map(\.rawValue)

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> RandomAugmentation {
    guard let kind = RandomAugmentation.Kind(rawValue: c.className) else {
      throw KerasIOError.unknownLayerClass(file: c.file, layer: c.layer, className: c.className)
    }
    return RandomAugmentation(c.layer, kind)
  }

  static func encode(_ l: RandomAugmentation) -> [String: Any] {
    switch l.kind {
    case .flip: return ["mode": "horizontal"]
    case .rotation, .contrast, .brightness: return ["factor": 0.0]
    case .zoom: return ["height_factor": 0.0]
    case .translation: return ["height_factor": 0.0, "width_factor": 0.0]
    }
  }
}
