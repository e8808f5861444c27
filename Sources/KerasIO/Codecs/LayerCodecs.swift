import Layers

/// The registry of layer codecs: what ftune reads from and writes to Keras files.
enum LayerCodecs {
  /// Every codec, in the order `supportedClasses` lists them.
  static let all: [any LayerCodec.Type] = [
    InputLayerCodec.self, Conv2DCodec.self, DepthwiseConv2DCodec.self,
    SeparableConv2DCodec.self, DenseCodec.self, BatchNormalizationCodec.self,
    ActivationCodec.self, ReLUCodec.self, LeakyReLUCodec.self, ZeroPadding2DCodec.self, MaxPooling2DCodec.self,
    AveragePooling2DCodec.self, GlobalAveragePooling2DCodec.self,
    GlobalMaxPooling2DCodec.self, FlattenCodec.self, DropoutCodec.self, AddCodec.self,
    ConcatenateCodec.self, MultiplyCodec.self, SubtractCodec.self, ArithmeticCodec.self,
    RescalingCodec.self, NormalizationCodec.self, LayerNormalizationCodec.self,
    ReshapeCodec.self, Cropping2DCodec.self, SoftmaxCodec.self, LayerScaleCodec.self,
    CustomScaleLayerCodec.self, StochasticDepthCodec.self, RandomAugmentationCodec.self,
    ResizingCodec.self, CenterCropCodec.self, RandomCropCodec.self,
  ]

  /// The Keras class names ftune writes, one per codec (the models Sequential and
  /// Functional are read too, see `ModelConfigImporter`).
  static var supportedClasses: [String] { all.compactMap { $0.classNames.first } }

  private static let byClassName: [String: any LayerCodec.Type] = {
    var map: [String: any LayerCodec.Type] = [:]
    for codec in all { for name in codec.classNames { map[name] = codec } }
    return map
  }()

  static func codec(forClass className: String) -> (any LayerCodec.Type)? {
    byClassName[className]
  }

  /// The codec that writes `layer`: the one whose written class name is its Keras class.
  static func codec(for layer: any Layer) -> (any LayerCodec.Type)? {
    byClassName[layer.kerasClassName]
  }
}

extension LayerCodecs {
  /// Builds the layer `className` named `c.layer` from its config.
  static func decode(_ className: String, _ c: JSONConfig, inputShapes: [[Int]]) throws
    -> any Layer
  {
    guard let codec = codec(forClass: className) else {
      throw KerasIOError.unknownLayerClass(file: c.file, layer: c.layer, className: className)
    }
    try c.require("data_format", isOneOf: ["channels_last"])
    var c = c
    c.className = className
    return try codec.decodeAny(c, inputShapes: inputShapes)
  }

  /// How many weights `layer` will allocate on `inputShapes` (Double: no overflow).
  static func weightCount(_ layer: any Layer, inputShapes: [[Int]]) -> Double {
    codec(for: layer)?.weightCountAny(layer, channels: Double(inputShapes.first?.last ?? 0))
      ?? 0
  }

  /// The tf_keras config of `layer`, which `tf_keras.layers.<class>.from_config` accepts.
  static func encode(_ layer: any Layer, file: String) throws -> [String: Any] {
    let encoded: [String: Any]?
    do {
      encoded = try codec(for: layer)?.encodeAny(layer)
    } catch let refusal as ExportRefusal {
      throw KerasIOError.cannotExport(file: file, layer: layer.name, reason: refusal.reason)
    }
    guard let options = encoded else {
      throw KerasIOError.cannotExport(
        file: file, layer: layer.name,
        reason: "is a \(layer.kerasClassName), which has no Keras export")
    }
    var config: [String: Any] = ["name": layer.name, "dtype": "float32"]
    // tf_keras's InputLayer takes no `trainable`.
    if !(layer is InputLayer) { config["trainable"] = !layer.isFrozen }
    return config.merging(options) { $1 }
  }
}

extension LayerCodecs {
  /// The `inbound_nodes` of `layer` fed by `inputs` in a tf_keras Functional config.
  static func inboundNodes(_ layer: any Layer, inputs: [String]) -> [Any] {
    codec(for: layer)?.inboundNodesAny(layer, inputs: inputs) ?? []
  }

  /// The tf_keras layer entries (class, name, config, inbound nodes) that write `layer`:
  /// usually one, several where tf_keras composes it from other classes (hard_silu).
  static func tfKerasEntries(_ layer: any Layer, inputs: [String], file: String) throws
    -> [[String: Any]]
  {
    let codec = codec(for: layer)
    if let layers = codec?.tfKerasLayersAny(layer, inputs: inputs) { return layers }
    return [[
      "class_name": codec?.tfKerasClassNameAny(layer) ?? layer.kerasClassName, "name": layer.name,
      "config": try encode(layer, file: file),
      "inbound_nodes": inboundNodes(layer, inputs: inputs),
    ]]
  }
}
