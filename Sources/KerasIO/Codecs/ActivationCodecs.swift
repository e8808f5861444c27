import Foundation
import Layers
import TensorCore

enum ActivationCodec: LayerCodec {
  static let classNames = ["Activation"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Activation {
    Activation(c.layer, try c.activation())
  }

  static func encode(_ l: Activation) throws -> [String: Any] {
    ["activation": try tfKerasName(l.kind)]
  }

  /// tf_keras has no hard_silu nor Keras 3's hard_sigmoid: they are written as tf_keras's
  /// own MobileNetV3 spells them, relu6(x + 3) / 6 (times x for hard_silu), the last layer
  /// keeping the activation's name so the layers after it are fed unchanged.
  static func tfKerasLayers(_ l: Activation, inputs: [String]) -> [[String: Any]]? {
    guard l.kind == .hardSilu || l.kind == .hardSigmoid, let x = inputs.first else { return nil }
    let sigmoid = l.kind == .hardSigmoid ? l.name : l.name + "_hard_sigmoid"
    let plus3 = l.name + "_plus3", relu6 = l.name + "_relu6"
    let base: [String: Any] = ["trainable": !l.isFrozen, "dtype": "float32"]
    func entry(_ className: String, _ name: String, _ options: [String: Any], _ node: [Any])
      -> [String: Any]
    {
      ["class_name": className, "name": name, "inbound_nodes": [node],
       "config": base.merging(options) { $1 }.merging(["name": name]) { $1 }]
    }
    let op = { (input: String, y: Double) -> [Any] in
      [[input, 0, 0, ["y": y, "name": NSNull()] as [String: Any]] as [Any]]
    }
    var layers = [
      entry("TFOpLambda", plus3, ["function": "__operators__.add"], op(x, 3)),
      entry(
        "ReLU", relu6, ["max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0],
        [[plus3, 0, 0, [String: Any]()] as [Any]]),
      entry("TFOpLambda", sigmoid, ["function": "math.truediv"], op(relu6, 6)),
    ]
    if l.kind == .hardSilu {
      layers.append(
        entry("Multiply", l.name, [:], [x, sigmoid].map { [$0, 0, 0, [String: Any]()] as [Any] }))
    }
    return layers
  }
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
