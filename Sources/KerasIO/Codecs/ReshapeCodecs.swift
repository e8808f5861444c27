import Layers
import TensorCore

enum ReshapeCodec: LayerCodec {
  static let classNames = ["Reshape"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Reshape {
    guard let shape = c.ints(c.values["target_shape"]), !shape.isEmpty,
      shape.allSatisfy({ $0 == -1 || (1...JSONConfig.maxSize).contains($0) }),
      shape.filter({ $0 == -1 }).count <= 1
    else { throw c.bad("target_shape", "sizes from 1 to \(JSONConfig.maxSize), at most one -1") }
    return Reshape(c.layer, targetShape: shape)
  }

  static func encode(_ l: Reshape) throws -> [String: Any] { ["target_shape": l.targetShape] }
}

enum Cropping2DCodec: LayerCodec {
  static let classNames = ["Cropping2D"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Cropping2D {
    Cropping2D(c.layer, cropping: try c.edges("cropping"))
  }

  static func encode(_ l: Cropping2D) throws -> [String: Any] {
    ["cropping": [[l.top, l.bottom], [l.left, l.right]], "data_format": "channels_last"]
  }
}

enum SoftmaxCodec: LayerCodec {
  static let classNames = ["Softmax"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Softmax {
    try requireLastAxis(c, inputShapes: inputShapes)
    return Softmax(c.layer)
  }

  static func encode(_ l: Softmax) throws -> [String: Any] { ["axis": -1] }
}

enum MultiplyCodec: LayerCodec {
  static let classNames = ["Multiply"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Multiply {
    Multiply(c.layer)
  }

  static func encode(_ l: Multiply) throws -> [String: Any] { [:] }
}

enum SubtractCodec: LayerCodec {
  static let classNames = ["Subtract"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Subtract {
    Subtract(c.layer)
  }

  static func encode(_ l: Subtract) throws -> [String: Any] { [:] }
}
