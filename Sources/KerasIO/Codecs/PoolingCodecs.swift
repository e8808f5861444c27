import Layers
import TensorCore

/// Keras's pooling `strides` default to the pool size.
private func poolGeometry(_ c: JSONConfig) throws -> (pool: (Int, Int), strides: (Int, Int)) {
  let pool = try c.pair("pool_size", default: (2, 2))
  return (pool, c.has("strides") ? try c.pair("strides") : pool)
}

private func poolOptions(_ pool: (Int, Int), _ strides: (Int, Int), _ padding: Padding)
  -> [String: Any]
{
  [
    "pool_size": [pool.0, pool.1], "strides": [strides.0, strides.1],
    "padding": padding.rawValue, "data_format": "channels_last",
  ]
}

enum MaxPooling2DCodec: LayerCodec {
  static let classNames = ["MaxPooling2D", "MaxPool2D"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> MaxPooling2D {
    let g = try poolGeometry(c)
    return MaxPooling2D(c.layer, poolSize: g.pool, strides: g.strides, padding: try c.padding())
  }

  static func encode(_ l: MaxPooling2D) -> [String: Any] {
    poolOptions(l.poolSize, l.strides, l.padding)
  }
}

enum AveragePooling2DCodec: LayerCodec {
  static let classNames = ["AveragePooling2D", "AvgPool2D"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> AveragePooling2D {
    let g = try poolGeometry(c)
    return AveragePooling2D(
      c.layer, poolSize: g.pool, strides: g.strides, padding: try c.padding())
  }

  static func encode(_ l: AveragePooling2D) -> [String: Any] {
    poolOptions(l.poolSize, l.strides, l.padding)
  }
}

enum GlobalAveragePooling2DCodec: LayerCodec {
  static let classNames = ["GlobalAveragePooling2D", "GlobalAvgPool2D"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> GlobalAveragePooling2D {
    GlobalAveragePooling2D(c.layer, keepDims: try c.bool("keepdims", default: false))
  }

  static func encode(_ l: GlobalAveragePooling2D) -> [String: Any] {
    ["data_format": "channels_last", "keepdims": l.keepDims]
  }
}

enum GlobalMaxPooling2DCodec: LayerCodec {
  static let classNames = ["GlobalMaxPooling2D", "GlobalMaxPool2D"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> GlobalMaxPooling2D {
    GlobalMaxPooling2D(c.layer, keepDims: try c.bool("keepdims", default: false))
  }

  static func encode(_ l: GlobalMaxPooling2D) -> [String: Any] {
    ["data_format": "channels_last", "keepdims": l.keepDims]
  }
}
