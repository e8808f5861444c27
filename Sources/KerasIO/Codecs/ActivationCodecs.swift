import Foundation
import Layers
import TensorCore

enum ActivationCodec: LayerCodec {
  static let classNames = ["Activation"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Activation {
    Activation(c.layer, try c.activation())
  }

  static func encode(_ l: Activation) -> [String: Any] { ["activation": l.kind.rawValue] }
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
