import Layers

enum DenseCodec: LayerCodec {
  static let classNames = ["Dense"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Dense {
    Dense(
      c.layer, units: try c.int("units"), useBias: try c.bool("use_bias", default: true),
      activation: try c.activation())
  }

  static func encode(_ l: Dense) -> [String: Any] {
    ["units": l.units, "use_bias": l.useBias, "activation": l.activation.rawValue]
  }

  static func weightCount(_ l: Dense, channels: Double) -> Double {
    (channels + 1) * Double(l.units)
  }
}
