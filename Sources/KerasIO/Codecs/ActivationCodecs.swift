import Foundation
import Layers
import TensorCore

enum ActivationCodec: LayerCodec {
  static let classNames = ["Activation"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Activation {
    Activation(c.layer, try c.activation())
  }

  static func encode(_ l: Activation) throws -> [String: Any] { ["activation": try tfKerasName(l.kind)] }
}

enum ReLUCodec: LayerCodec {
  static let classNames = ["ReLU"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> ReLU {
    try c.require("negative_slope", isOneOf: ["0", "0.0"])
    try c.require("threshold", isOneOf: ["0", "0.0"])
    return ReLU(c.layer, maxValue: try c.optionalFloat("max_value"))
  }

  static func encode(_ l: ReLU) -> [String: Any] {
    [
      "max_value": l.maxValue.map { number($0) as Any } ?? NSNull(), "negative_slope": 0.0,
      "threshold": 0.0,
    ]
  }
}

/// Keras 3 says `negative_slope`, tf_keras `alpha`; both default to 0.3.
enum LeakyReLUCodec: LayerCodec {
  static let classNames = ["LeakyReLU"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> LeakyReLU {
    let key = c.has("negative_slope") ? "negative_slope" : "alpha"
    return LeakyReLU(c.layer, negativeSlope: try c.float(key, default: 0.3))
  }

  static func encode(_ l: LeakyReLU) throws -> [String: Any] { ["alpha": number(l.negativeSlope)] }
}
