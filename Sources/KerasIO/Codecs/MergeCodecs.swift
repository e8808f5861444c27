import Layers

enum AddCodec: LayerCodec {
  static let classNames = ["Add"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Add { Add(c.layer) }

  static func encode(_ l: Add) -> [String: Any] { [:] }
}

enum ConcatenateCodec: LayerCodec {
  static let classNames = ["Concatenate"]

  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> Concatenate {
    try requireLastAxis(c, inputShapes: inputShapes)
    return Concatenate(c.layer)
  }

  static func encode(_ l: Concatenate) -> [String: Any] { ["axis": -1] }
}
