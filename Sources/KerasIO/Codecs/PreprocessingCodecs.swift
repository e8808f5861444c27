import Layers

/// Keras's random augmentation layers, the identity at inference (ftune augments with its
/// own `--augment`). Their random options are not kept, so they are not written back.
enum RandomAugmentationCodec: LayerCodec {
  static let classNames = RandomAugmentation.Kind.allCases.map(\.rawValue)

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> RandomAugmentation {
    guard let kind = RandomAugmentation.Kind(rawValue: c.className) else {
      throw KerasIOError.unknownLayerClass(file: c.file, layer: c.layer, className: c.className)
    }
    return RandomAugmentation(c.layer, kind)
  }

  static func encode(_ l: RandomAugmentation) throws -> [String: Any] {
    throw ExportRefusal(
      reason: "is a \(l.kerasClassName), whose random options ftune does not keep; augment"
        + " with --augment instead")
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

  static func encode(_ l: Resizing) throws -> [String: Any] {
    [
      "height": l.height, "width": l.width, "interpolation": "bilinear",
      "crop_to_aspect_ratio": l.cropToAspectRatio,
    ]
  }
}

enum CenterCropCodec: LayerCodec {
  static let classNames = ["CenterCrop"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> CenterCrop {
    CenterCrop(c.layer, height: try c.int("height"), width: try c.int("width"))
  }

  static func encode(_ l: CenterCrop) throws -> [String: Any] {
    ["height": l.height, "width": l.width]
  }
}

/// Its inference output differs by Keras version (tf_keras resizes, Keras 3 passes through).
enum RandomCropCodec: LayerCodec {
  static let classNames = ["RandomCrop"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> RandomCrop {
    RandomCrop(c.layer, height: try c.int("height"), width: try c.int("width"), keras2: c.keras2)
  }

  static func encode(_ l: RandomCrop) throws -> [String: Any] {
    ["height": l.height, "width": l.width]
  }
}
