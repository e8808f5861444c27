import Foundation
import Layers

/// Keras's random augmentation layers, the identity at inference (ftune augments with its
/// own `--augment`). Their options are kept and written back, limited to those tf_keras's
/// class takes (Keras 3 adds `data_format`, `value_range`... that tf_keras refuses).
enum RandomAugmentationCodec: LayerCodec {
  static let classNames = RandomAugmentation.Kind.allCases.map(\.rawValue)

  static let tfKerasOptions: [RandomAugmentation.Kind: Set<String>] = {
    let geometric: Set = ["fill_mode", "interpolation", "seed", "fill_value"]
    return [
      .flip: ["mode", "seed"], .rotation: geometric.union(["factor"]),
      .zoom: geometric.union(["height_factor", "width_factor"]),
      .translation: geometric.union(["height_factor", "width_factor"]),
      .contrast: ["factor", "seed"], .brightness: ["factor", "value_range", "seed"],
    ]
  }()

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> RandomAugmentation {
    guard let kind = RandomAugmentation.Kind(rawValue: c.className) else {
      throw KerasIOError.unknownLayerClass(file: c.file, layer: c.layer, className: c.className)
    }
    let kept = c.values.filter { tfKerasOptions[kind]?.contains($0.key) ?? false }
    guard JSONSerialization.isValidJSONObject(kept),
      let json = try? JSONSerialization.data(withJSONObject: kept, options: .sortedKeys)
    else { throw c.bad(kept.keys.sorted().joined(separator: ", "), "plain JSON values") }
    return RandomAugmentation(c.layer, kind, kerasOptions: String(decoding: json, as: UTF8.self))
  }

  static func encode(_ l: RandomAugmentation) throws -> [String: Any] {
    guard
      let options = try? JSONSerialization.jsonObject(with: Data(l.kerasOptions.utf8))
        as? [String: Any]
    else { throw ExportRefusal(reason: "has options ftune cannot read back: \(l.kerasOptions)") }
    return options
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
