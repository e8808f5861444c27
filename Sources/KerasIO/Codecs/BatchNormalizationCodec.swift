import Layers

enum BatchNormalizationCodec: LayerCodec {
  static let classNames = ["BatchNormalization"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> BatchNormalization {
    try requireLastAxis(c, inputShapes: inputShapes)
    return BatchNormalization(
      c.layer, epsilon: try c.float("epsilon", default: 1e-3),
      momentum: try c.float("momentum", default: 0.99),
      center: try c.bool("center", default: true), scale: try c.bool("scale", default: true))
  }

  static func encode(_ l: BatchNormalization) -> [String: Any] {
    [
      "axis": -1, "epsilon": number(l.epsilon), "momentum": number(l.momentum),
      "center": l.center, "scale": l.scale,
    ]
  }

  static func weightCount(_ l: BatchNormalization, channels: Double) -> Double { 4 * channels }
}
