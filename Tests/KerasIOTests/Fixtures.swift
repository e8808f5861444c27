import Foundation
import HDF5
import Layers
import Models
import TensorCore

@testable import KerasIO

/// The files written by tools/fixtures/kerasio_fixtures.py with real tf_keras and Keras 3.
enum Fixtures {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// The fixed input batch (`seq` or `func`) and Keras's output for `model`.
  static func expected(_ model: String) throws -> (input: Tensor, output: Tensor) {
    let root = try HDF5File.open(path("expected.h5")).root
    let group = try root.group(model)
    let key = try group.stringAttribute("input")
    return (
      try root.dataset("inputs/\(key)").readTensor(),
      try group.dataset("output").readTensor()
    )
  }

  /// A fresh, empty temporary directory.
  static func tempDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-kerasio-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// The fixtures' functional model, written in Swift as a zoo author would write it.
  static func functionalGraph(headUnits: Int = 3, extraLayer: Bool = false) throws -> Graph {
    let g = Graph(name: "func", seed: 7)
    let x = try g.input("img", shape: [8, 8, 3])
    var a = try g.add(Conv2D("stem_conv", filters: 4, kernelSize: (3, 3), padding: .same), x)
    a = try g.add(BatchNormalization("stem_bn", epsilon: 1.001e-5), a)
    a = try g.add(Activation("stem_relu", .relu), a)
    var b = try g.add(Conv2D("res_conv", filters: 4, kernelSize: (3, 3), padding: .same), a)
    b = try g.add(BatchNormalization("res_bn"), b)
    var s = try g.add(Add("res_add"), a, b)
    s = try g.add(ReLU("res_out"), s)
    let c = try g.add(SeparableConv2D("sep", filters: 5, kernelSize: (3, 3), padding: .same), s)
    let g1 = try g.add(GlobalAveragePooling2D("gap"), c)
    let g2 = try g.add(GlobalMaxPooling2D("gmp"), s)
    var cat = try g.add(Concatenate("cat"), g1, g2)
    if extraLayer { cat = try g.add(Dense("extra", units: 9), cat) }
    try g.add(Dense("head", units: headUnits, activation: .sigmoid), cat)
    return g
  }

  /// The nested Keras 3 fixture's layers, flattened into one graph.
  static func nestedFlatGraph() throws -> Graph {
    let g = Graph(name: "nested", seed: 3)
    var x = try g.input("input", shape: [8, 8, 3])
    x = try g.add(Conv2D("t_conv1", filters: 4, kernelSize: (3, 3), padding: .same), x)
    x = try g.add(BatchNormalization("t_bn1"), x)
    x = try g.add(Conv2D("t_conv2", filters: 6, kernelSize: (3, 3), strides: (2, 2)), x)
    x = try g.add(GlobalAveragePooling2D("pool"), x)
    try g.add(Dense("logits", units: 2), x)
    return g
  }

  /// Every parameter of `graph` by `layer/weight`.
  static func values(_ graph: Graph) -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for layer in graph.layers {
      for p in layer.weights { out["\(layer.name)/\(p.name)"] = p.value }
    }
    return out
  }
}

/// max |a - b| / max |b|, the error measure of the output comparisons.
func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
  guard a.shape == b.shape else { return .infinity }
  let maxRef = b.scalars.map(abs).max() ?? 0
  let maxDiff = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
  return maxDiff / max(maxRef, 1e-12)
}
