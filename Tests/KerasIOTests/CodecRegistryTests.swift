import Foundation
import Layers
import Testing

@testable import KerasIO

/// The codec registry is the one list of what ftune reads and writes: every layer class has
/// a codec, every codec decodes what it encodes.
@Suite struct CodecRegistryTests {
  /// One minimal tf_keras config per codec (its first class name), non-default where it can.
  static let samples: [String: String] = [
    "Conv2D": #"{"filters": 3, "kernel_size": [3, 1], "strides": [2, 2], "padding": "same", "use_bias": false, "activation": "relu"}"#,
    "DepthwiseConv2D": #"{"kernel_size": [3, 3], "depth_multiplier": 2, "activation": "relu6"}"#,
    "SeparableConv2D": #"{"filters": 4, "kernel_size": [3, 3], "padding": "same"}"#,
    "Dense": #"{"units": 5, "activation": "softmax"}"#,
    "BatchNormalization": #"{"epsilon": 1.001e-5, "momentum": 0.9, "scale": false}"#,
    "Activation": #"{"activation": "sigmoid"}"#,
    "ReLU": #"{"max_value": 6.0}"#,
    "LeakyReLU": #"{"alpha": 0.1}"#,
    "ZeroPadding2D": #"{"padding": [[0, 1], [2, 3]]}"#,
    "MaxPooling2D": #"{"pool_size": [3, 3], "strides": [2, 2], "padding": "same"}"#,
    "AveragePooling2D": #"{"pool_size": [2, 2]}"#,
    "GlobalAveragePooling2D": #"{"keepdims": true}"#,
    "GlobalMaxPooling2D": "{}",
    "Flatten": "{}",
    "Dropout": #"{"rate": 0.25}"#,
    "Add": "{}",
    "Concatenate": #"{"axis": -1}"#,
    "LayerNormalization": #"{"axis": [-1], "epsilon": 1e-06, "center": true, "scale": false}"#,
    "Normalization": #"{"axis": [-1], "invert": false, "mean": [1, 2, 3, 4], "variance": [1, 4, 9, 16]}"#,
    "Rescaling": #"{"scale": 0.5, "offset": -1}"#,
    "LayerScale": #"{"init_values": 1e-06, "projection_dim": 4}"#,
    "CustomScaleLayer": #"{"scale": 0.17}"#,
    "StochasticDepth": #"{"drop_path_rate": 0.1}"#,
    "Reshape": #"{"target_shape": [1, 1, 4]}"#,
    "Cropping2D": #"{"cropping": [[1, 0], [2, 1]]}"#,
    "Softmax": #"{"axis": -1}"#,
    "Multiply": "{}",
    "Subtract": "{}",
    "TFOpLambda": #"{"function": "math.truediv"}"#,
    "Resizing": #"{"height": 5, "width": 4, "interpolation": "bilinear", "crop_to_aspect_ratio": true}"#,
    "CenterCrop": #"{"height": 4, "width": 3}"#,
    "RandomCrop": #"{"height": 4, "width": 3}"#,
    "RandomFlip": #"{"mode": "horizontal_and_vertical", "seed": 7}"#,
  ]
  /// Built by the importer from the model's input, not from a layer config.
  static let notDecodedAlone: Set<String> = ["InputLayer"]

  static let layersDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
      "Sources/Layers")

  /// The Keras class names the layer classes in Sources/Layers declare.
  static func declaredClassNames() throws -> Set<String> {
    let pattern = try NSRegularExpression(
      pattern: #"kerasClassName:\s*String\s*\{\s*"([A-Za-z0-9_>]+)"\s*\}"#)
    var names = Set<String>()
    for file in try FileManager.default.contentsOfDirectory(atPath: layersDirectory.path)
    where file.hasSuffix(".swift") {
      let text = try String(
        contentsOf: layersDirectory.appendingPathComponent(file), encoding: .utf8)
      for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
        if let r = Range(m.range(at: 1), in: text) { names.insert(String(text[r])) }
      }
    }
    return names
  }

  @Test func everyLayerClassHasACodec() throws {
    let declared = try Self.declaredClassNames()
    #expect(declared.count >= 17, "the scan of Sources/Layers found \(declared.sorted())")
    let missing = declared.filter { LayerCodecs.codec(forClass: $0) == nil }
    #expect(missing.isEmpty, "layer classes without a codec in LayerCodecs.all: \(missing)")
  }

  @Test func everyCodecHasASampleAndOwnsItsNames() {
    let supported = Set(LayerCodecs.supportedClasses)
    #expect(
      supported == Set(Self.samples.keys).union(Self.notDecodedAlone))
    let names = LayerCodecs.all.flatMap { $0.classNames }
    #expect(names.count == Set(names).count, "a class name belongs to two codecs")
  }

  /// decode -> encode -> decode -> encode is stable, and keeps the written class.
  @Test(arguments: Array(samples.keys).sorted())
  func encodeDecodesBack(_ className: String) throws {
    let text = try #require(Self.samples[className])
    let sample = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let config = JSONConfig(file: "sample", layer: "l", values: sample)
    let layer = try LayerCodecs.decode(className, config, inputShapes: [[6, 6, 4], [6, 6, 4]])
    #expect(layer.kerasClassName == className)
    let written = try LayerCodecs.encode(layer, file: "out")
    let again = try LayerCodecs.decode(
      className, JSONConfig(file: "out", layer: "l", values: written),
      inputShapes: [[6, 6, 4], [6, 6, 4]])
    let rewritten = try LayerCodecs.encode(again, file: "out")
    #expect(try Self.canonical(written) == Self.canonical(rewritten))
    for (key, value) in sample {
      #expect(
        try Self.canonical(["v": value]) == Self.canonical(["v": written[key] ?? "nothing"]),
        "\(className).\(key) written as \(written[key] ?? "nothing")")
    }
  }

  /// The guide's augmentation keeps its factors through export; Keras 3's extra options
  /// (which tf_keras's classes refuse) are dropped.
  @Test func augmentationKeepsItsFactorsForTfKeras() throws {
    let keras3: [String: Any] = [
      "factor": [-0.1, 0.2], "fill_mode": "reflect", "seed": NSNull(),
      "data_format": "channels_last", "value_range": [0, 255], "name": "r",
    ]
    let layer = try LayerCodecs.decode(
      "RandomRotation", JSONConfig(file: "guide.keras", layer: "r", values: keras3),
      inputShapes: [[6, 6, 3]])
    let written = try LayerCodecs.encode(layer, file: "out")
    #expect(try Self.canonical(["v": written["factor"] ?? 0]) == #"{"v":[-0.1,0.2]}"#)
    #expect(written["fill_mode"] as? String == "reflect")
    #expect(written["data_format"] == nil && written["value_range"] == nil)
  }

  static func canonical(_ d: [String: Any]) throws -> String {
    String(
      decoding: try JSONSerialization.data(withJSONObject: d, options: .sortedKeys),
      as: UTF8.self)
  }

  /// README's list of layer classes is the registry's (`ftune inspect --layers` prints it).
  @Test func readmeListsEverySupportedClass() throws {
    let readme = try String(
      contentsOf: Self.layersDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("README.md"), encoding: .utf8)
    let section = try #require(
      readme.components(separatedBy: "## Supported bases and layers").dropFirst().first?
        .components(separatedBy: "\n## ").first)
    for name in LayerCodecs.supportedClasses {
      let word = section.range(of: "\\b\(name)\\b", options: .regularExpression)
      #expect(word != nil, "README's supported layers lack \(name)")
    }
  }

  @Test func anUnknownClassIsRefusedWithTheSupportedList() {
    let error = KerasIOError.unknownLayerClass(file: "m.h5", layer: "x", className: "Lambda")
    #expect(error.description.contains("'x' is a Lambda"))
    for name in LayerCodecs.supportedClasses { #expect(error.description.contains(name)) }
  }
}
