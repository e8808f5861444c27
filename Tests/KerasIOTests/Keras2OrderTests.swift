import Foundation
import Layers
import Models
import TensorCore
import Testing

@testable import KerasIO

/// Keras 2 `.h5` files whose layer names are not the model's load in order, as Keras's own
/// `load_weights` does, when every layer fits; otherwise the by-name report stands.
@Suite struct Keras2OrderTests {
  /// conv, BN, dense under the given names.
  func graph(_ names: [String], units: Int = 3) throws -> Graph {
    let g = Graph(name: "g", seed: 1)
    var x = try g.input("in", shape: [6, 6, 2])
    x = try g.add(Conv2D(names[0], filters: 4, kernelSize: (3, 3)), x)
    x = try g.add(BatchNormalization(names[1]), x)
    x = try g.add(Flatten("flat"), x)
    try g.add(Dense(names[2], units: units), x)
    return g
  }

  func savedOld() throws -> (Graph, String) {
    let old = try graph(["conv1/conv", "conv1/bn", "fc"])
    WeightPattern.apply(to: old, seed: 3)
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-order-\(UUID().uuidString).h5").path
    try KerasWeights.save(old, to: path)
    return (old, path)
  }

  @Test func renamedLayersLoadInKerasOrder() throws {
    let (old, path) = try savedOld()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let new = try graph(["conv1_conv", "conv1_bn", "predictions"])
    let report = try KerasWeights.load(into: new, from: path)
    #expect(report.isComplete)
    #expect(report.matched == ["conv1_conv", "conv1_bn", "predictions"])
    #expect(new.parameters.map(\.value) == old.parameters.map(\.value))
  }

  @Test func aShapeThatDoesNotFitKeepsTheByNameReport() throws {
    let (_, path) = try savedOld()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let new = try graph(["conv1_conv", "conv1_bn", "predictions"], units: 5)
    let before = new.parameters.map(\.value)
    #expect(throws: KerasIOError.self) { try KerasWeights.load(into: new, from: path) }
    let report = try KerasWeights.load(into: new, from: path, strict: false)
    #expect(report.missing == ["conv1_conv", "conv1_bn", "predictions"])
    #expect(report.matched.isEmpty)
    #expect(new.parameters.map(\.value) == before)
  }
}
