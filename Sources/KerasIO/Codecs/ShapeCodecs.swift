import Foundation
import Layers
import TensorCore

enum InputLayerCodec: LayerCodec {
  static let classNames = ["InputLayer"]

  /// Inputs are built by `ModelConfigImporter` from the model's input shape.
  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> InputLayer {
    throw KerasIOError.badConfig(
      file: c.file, reason: "layer '\(c.layer)': an InputLayer must be a model's input")
  }

  static func encode(_ l: InputLayer) -> [String: Any] {
    ["batch_input_shape": [NSNull()] + l.shape.map { $0 as Any }, "sparse": false, "ragged": false]
  }
}

enum ZeroPadding2DCodec: LayerCodec {
  static let classNames = ["ZeroPadding2D"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> ZeroPadding2D {
    ZeroPadding2D(c.layer, padding: try c.edges("padding"))
  }

  static func encode(_ l: ZeroPadding2D) -> [String: Any] {
    ["padding": [[l.top, l.bottom], [l.left, l.right]], "data_format": "channels_last"]
  }
}

enum FlattenCodec: LayerCodec {
  static let classNames = ["Flatten"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Flatten {
    Flatten(c.layer)
  }

  static func encode(_ l: Flatten) -> [String: Any] { ["data_format": "channels_last"] }
}

enum DropoutCodec: LayerCodec {
  static let classNames = ["Dropout"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Dropout {
    let rate = try c.float("rate", default: 0)
    guard rate >= 0, rate < 1 else { throw c.bad("rate", "a number in [0, 1)") }
    return Dropout(c.layer, rate: rate)
  }

  static func encode(_ l: Dropout) -> [String: Any] { ["rate": number(l.rate)] }
}
