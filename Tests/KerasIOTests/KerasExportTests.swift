import Foundation
import HDF5
import Layers
import Models
import TensorCore
import Testing

@testable import KerasIO

@Suite struct KerasExportTests {
  /// The structure of a Keras 2 HDF5 file: every group and dataset path with its shape,
  /// the name attributes, and the parsed model_config.
  func structure(_ path: String) throws -> [String] {
    let root = try HDF5File.open(path).root
    var lines: [String] = []
    func visit(_ group: HDF5Group) throws {
      for attr in ["layer_names", "weight_names", "keras_version", "backend", "name"]
      where group.hasAttribute(attr) {
        lines.append("\(group.path) @\(attr)=\(try group.stringArrayAttribute(attr))")
      }
      for child in try group.children() {
        if try group.kind(of: child) == .group {
          try visit(try group.group(child))
        } else {
          lines.append("\(group.path)/\(child) \(try group.dataset(child).shape())")
        }
      }
    }
    try visit(root)
    if root.hasAttribute("model_config") {
      let json = try root.stringAttribute("model_config")
      let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
      let canonical = try JSONSerialization.data(withJSONObject: object, options: .sortedKeys)
      lines.append(String(decoding: canonical, as: UTF8.self))
    }
    return lines
  }

  /// Writes the exports Keras checks (tools/fixtures/kerasio_fixtures.sh roundtrip).
  func export(_ model: String, to dir: URL) throws {
    let g = try KerasModel.load(path: Fixtures.path("\(model).h5"))
    try KerasModel.save(g, to: dir.appendingPathComponent("\(model).h5").path)
    try KerasWeights.save(g, to: dir.appendingPathComponent("\(model)_weights.h5").path)
    try KerasWeights.save(g, to: dir.appendingPathComponent("\(model).weights.h5").path)
  }

  @Test func keras3WeightsFileReadsBackByNameAndByOrder() throws {
    let dir = try Fixtures.tempDirectory()
    let path = dir.appendingPathComponent("w.weights.h5").path
    let original = try KerasModel.load(path: Fixtures.path("k2_functional.h5"))
    try KerasWeights.save(original, to: path)
    let root = try HDF5File.open(path).root
    #expect(try root.group("layers/batch_normalization_1/vars").stringAttribute("name")
      == "res_bn")
    #expect(try root.kind(of: "layers/input_layer/vars") == .group)
    let fresh = try Fixtures.functionalGraph()
    let report = try KerasWeights.load(into: fresh, from: path)
    #expect(report.layout == .keras3Weights && report.isComplete)
    #expect(Fixtures.values(fresh) == Fixtures.values(original))
    // The same file as Keras < 3.10 would write it, without names.
    let entries = try KerasWeights.keras3Entries(root).map {
      WeightEntry(label: $0.label, layerName: nil, classKey: $0.classKey, weights: $0.weights)
    }
    let byOrder = try Fixtures.functionalGraph()
    let plan = try KerasWeights.planByOrder(byOrder, entries: entries, file: path)
    #expect(plan.report.isComplete)
    try plan.apply()
    #expect(Fixtures.values(byOrder) == Fixtures.values(original))
  }

  @Test func fullModelReadsBackWithTheSameLayersAndWeights() throws {
    let dir = try Fixtures.tempDirectory()
    let path = dir.appendingPathComponent("m.h5").path
    let original = try KerasModel.load(path: Fixtures.path("k2_sequential.h5"))
    try KerasModel.save(original, to: path)
    let back = try KerasModel.load(path: path)
    #expect(back.layers.map(\.name) == original.layers.map(\.name))
    #expect(back.layers.map(\.kerasClassName) == original.layers.map(\.kerasClassName))
    #expect(back.nodes.map(\.inputs) == original.nodes.map(\.inputs))
    #expect(back.nodes.map(\.outputShape) == original.nodes.map(\.outputShape))
    #expect(Fixtures.values(back) == Fixtures.values(original))
    #expect((back.layer(named: "relu6") as? ReLU)?.maxValue == 6)
    #expect((back.layer(named: "bn1") as? BatchNormalization)?.momentum == 0.9)
    let root = try HDF5File.open(path).root
    #expect(try root.stringAttribute("keras_version") == KerasModel.writtenKerasVersion)
    #expect(try root.stringAttribute("backend") == "tensorflow")
  }

  @Test func weightsOnlyFileReadsBackStrictly() throws {
    let dir = try Fixtures.tempDirectory()
    let path = dir.appendingPathComponent("w.h5").path
    let original = try KerasModel.load(path: Fixtures.path("k2_functional.h5"))
    try KerasWeights.save(original, to: path)
    let fresh = try Fixtures.functionalGraph()
    let report = try KerasWeights.load(into: fresh, from: path)
    #expect(report.isComplete && report.layout == .keras2Weights)
    #expect(Fixtures.values(fresh) == Fixtures.values(original))
  }

  @Test func longLayerNameListsAreChunkedAsKerasDoes() throws {
    let dir = try Fixtures.tempDirectory()
    let path = dir.appendingPathComponent("c.h5").path
    let original = try Fixtures.functionalGraph()
    try HDF5File.write(to: path) {
      try KerasWeights.writeKeras2(original, into: $0, namesPerChunk: 4)
    }
    let root = try HDF5File.open(path).root
    #expect(!root.hasAttribute("layer_names"))
    #expect(try root.stringArrayAttribute("layer_names3") == ["head"])
    let fresh = try Fixtures.functionalGraph()
    try KerasWeights.load(into: fresh, from: path)
    #expect(Fixtures.values(fresh) == Fixtures.values(original))
  }

  @Test func frozenLayersExportAsNotTrainable() throws {
    let dir = try Fixtures.tempDirectory()
    let path = dir.appendingPathComponent("f.h5").path
    let g = try Fixtures.functionalGraph()
    g.layer(named: "stem_conv")?.isFrozen = true
    try KerasModel.save(g, to: path)
    let back = try KerasModel.load(path: path)
    #expect(back.layer(named: "stem_conv")?.isFrozen == true)
    #expect(back.layer(named: "res_conv")?.isFrozen == false)
  }

  /// tools/fixtures/kerasio_fixtures.sh roundtrip had real tf_keras load the files in
  /// Fixtures/exported (load_model, load_weights, Keras 3 load_weights) and compare outputs;
  /// what ftune writes today must still have exactly that structure.
  @Test(arguments: ["k2_sequential", "k2_functional"])
  func exportMatchesTheFilesKerasAccepted(_ model: String) throws {
    if let out = ProcessInfo.processInfo.environment["FTUNE_KERASIO_EXPORT_DIR"] {
      let url = URL(fileURLWithPath: out)
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
      try export(model, to: url)
    }
    let dir = try Fixtures.tempDirectory()
    try export(model, to: dir)
    for name in ["\(model).h5", "\(model)_weights.h5", "\(model).weights.h5"] {
      let accepted = Fixtures.path("exported/\(name)")
      #expect(try structure(dir.appendingPathComponent(name).path) == (try structure(accepted)))
    }
  }

  /// tf_keras re-saved each export after loading it: the weights it read are ours.
  @Test(arguments: ["k2_sequential", "k2_functional"])
  func kerasReadTheExportedWeights(_ model: String) throws {
    let original = try KerasModel.load(path: Fixtures.path("\(model).h5"))
    let resaved = try KerasModel.load(path: Fixtures.path("exported/\(model)_resaved.h5"))
    #expect(resaved.layers.map(\.name) == original.layers.map(\.name))
    #expect(Fixtures.values(resaved) == Fixtures.values(original))
    let verdict = try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("exported/verdict.json"))))
    let errors = try #require((verdict as? [String: [String: Double]])?[model])
    #expect(errors.count == 4)
    #expect(errors.values.allSatisfy { $0 < 1e-5 }, "\(errors)")
  }
}
