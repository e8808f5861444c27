import Foundation
import HDF5
import Layers
import Models
import TensorCore
import Testing

@testable import KerasIO

/// keras.applications networks and the transfer-learning guide's model, as Keras 2 `.h5` and
/// Keras 3 `.keras` files real Keras saved (tools/fixtures/applications_fixtures.py), against
/// Keras's inference outputs at every recorded layer: max |ours - Keras| / max |Keras| < 1e-4.
/// The committed fixtures are each family's first blocks; `make applications-parity` writes
/// and checks the whole networks (FTUNE_APPLICATIONS_DIR).
@Suite struct ApplicationsTests {
  static let tolerance: Float = 1e-4
  static let committed = Fixtures.directory.appendingPathComponent("applications")
  static let fullDirectory = ProcessInfo.processInfo.environment["FTUNE_APPLICATIONS_DIR"]

  static func models(in dir: URL) -> [String] {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return files.filter { $0.hasSuffix(".h5") || $0.hasSuffix(".keras") }
      .filter { !$0.hasSuffix(".outputs.h5") }.sorted()
  }

  /// Loads `path` and compares every recorded layer; returns the worst relative error.
  @discardableResult
  static func check(_ path: String) throws -> Float {
    let graph = try KerasModel.load(path: path)
    let root = try HDF5File.open(path + ".outputs.h5").root
    let x = try root.dataset("input").readTensor()
    let names = try root.stringArrayAttribute("layers")
    #expect(names.count >= 2, "\(path): too few recorded layers")
    var worst: Float = 0
    for (k, name) in names.enumerated() {
      let i = try #require(graph.index(of: name), "\(path): no layer '\(name)'")
      let dataset = try root.dataset("outputs/\(k)")
      let keras = try dataset.readTensor()
      var ours = try graph.forward(x, mode: .inference, through: i)
      if dataset.hasAttribute("full_shape") {
        let shape = try dataset.stringAttribute("full_shape").split(separator: "x").map { Int($0) }
        #expect(ours.shape == shape, "\(path) \(name)")
        ours = Self.subsample(ours, count: keras.count)
      }
      #expect(ours.shape == keras.shape, "\(path) \(name)")
      guard ours.shape == keras.shape else { continue }
      let error = relativeError(ours, keras)
      #expect(error < tolerance, "\(path) \(name): relative error \(error)")
      worst = max(worst, error)
    }
    return worst
  }

  /// Values at flat indices j * size / count, as the generator subsamples large outputs.
  static func subsample(_ t: Tensor, count: Int) -> Tensor {
    let n = t.count
    return Tensor(shape: [count]) { t.scalars[$0 * n / count] }
  }

  /// The committed fixtures, each in `.h5` (tf_keras) and `.keras` (Keras 3).
  static let committedModels = [
    "vgg16_head", "mobilenetv3small_head", "efficientnetb0_head", "nasnetmobile_head",
    "convnexttiny_head", "guide",
  ].flatMap { [$0 + ".h5", $0 + ".keras"] }

  static let exportDirectory = ProcessInfo.processInfo.environment["FTUNE_APPLICATIONS_EXPORT_DIR"]

  /// Every layer matches Keras; exported back as a tf_keras `.h5`, ftune reads the same
  /// graph (with FTUNE_APPLICATIONS_EXPORT_DIR the export is kept for tf_keras to check:
  /// `make applications-exports`).
  @Test(arguments: committedModels)
  func committedNetwork(_ file: String) throws {
    let path = Self.committed.appendingPathComponent(file).path
    try Self.check(path)
    let dir = try Self.exportDirectory.map { URL(fileURLWithPath: $0) } ?? Fixtures.tempDirectory()
    let exported = dir.appendingPathComponent(file + ".exported.h5").path
    let original = try KerasModel.load(path: path)
    try KerasModel.save(original, to: exported)
    let reread = try KerasModel.load(path: exported)
    // The export is one flat Functional model: the same layers, nested ones included
    // (hard_silu is tf_keras's relu6 composition, whose last layer keeps the name).
    let names = { (g: Graph) in g.nodes.map(\.layer.name) }
    #expect(Set(names(original)).subtracting(names(reread)).isEmpty)
    let x = try HDF5File.open(path + ".outputs.h5").root.dataset("input").readTensor()
    let error = relativeError(
      try reread.forward(x, mode: .inference), try original.forward(x, mode: .inference))
    #expect(error < Self.tolerance, "\(file) exported: relative error \(error)")
  }

  @Test(.enabled(if: fullDirectory != nil))
  func everyFamily() throws {
    let dir = URL(fileURLWithPath: try #require(Self.fullDirectory))
    let files = Self.models(in: dir)
    #expect(!files.isEmpty, "no models in \(dir.path): run `make applications-parity`")
    var table = ["| network | max err / max |ref| |", "|---|---|"]
    for file in files {
      table.append("| \(file) | \(try Self.check(dir.appendingPathComponent(file).path)) |")
    }
    print(table.joined(separator: "\n"))
  }
}
