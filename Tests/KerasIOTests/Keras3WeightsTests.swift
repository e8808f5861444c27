import Foundation
import HDF5
import Layers
import Models
import TensorCore
import Testing

@testable import KerasIO

@Suite struct Keras3WeightsTests {
  @Test func loadsWeightsH5IntoTheGraphOfItsKerasArchive() throws {
    let fromArchive = try KerasModel.load(path: Fixtures.path("k3_functional.keras"))
    let g = try Fixtures.functionalGraph()
    let report = try KerasWeights.load(into: g, from: Fixtures.path("k3_functional.weights.h5"))
    #expect(report.layout == .keras3Weights)
    #expect(report.matched == ["stem_conv", "stem_bn", "res_conv", "res_bn", "sep", "head"])
    #expect(Fixtures.values(g) == Fixtures.values(fromArchive))
    let stored = try HDF5File.open(Fixtures.path("k3_functional.weights.h5")).root
      .dataset("layers/batch_normalization_1/vars/3").readTensor()
    #expect(Fixtures.values(g)["res_bn/moving_variance"] == stored)
  }

  /// A sub-model nests as `layers/functional/layers/...`; names recorded by Keras >= 3.10
  /// match it to a flat graph.
  @Test func nestedModelLoadsIntoAFlatGraphByName() throws {
    let g = try Fixtures.nestedFlatGraph()
    let report = try KerasWeights.load(into: g, from: Fixtures.path("k3_nested.weights.h5"))
    #expect(report.matched == ["t_conv1", "t_bn1", "t_conv2", "logits"])
    let stored = try HDF5File.open(Fixtures.path("k3_nested.weights.h5")).root
      .dataset("layers/functional/layers/conv2d_1/vars/0").readTensor()
    #expect(Fixtures.values(g)["t_conv2/kernel"] == stored)
  }

  /// Without names (Keras < 3.10) the match goes by class, order and shapes; same result.
  @Test func namelessFileMatchesByClassOrderAndShape() throws {
    let byName = try Fixtures.nestedFlatGraph()
    try KerasWeights.load(into: byName, from: Fixtures.path("k3_nested.weights.h5"))
    let byOrder = try Fixtures.nestedFlatGraph()
    let report = try KerasWeights.load(
      into: byOrder, from: Fixtures.path("k3_nested_noname.weights.h5"))
    #expect(report.isComplete)
    #expect(Fixtures.values(byOrder) == Fixtures.values(byName))
  }

  @Test func namelessMismatchReportsEverything() throws {
    let g = Graph(name: "other")
    var x = try g.input("input", shape: [8, 8, 3])
    x = try g.add(Conv2D("a", filters: 4, kernelSize: (3, 3), padding: .same), x)
    x = try g.add(Conv2D("b", filters: 5, kernelSize: (3, 3)), x)
    x = try g.add(Flatten("f"), x)
    try g.add(Dense("d", units: 2), x)
    let report = try KerasWeights.load(
      into: g, from: Fixtures.path("k3_nested_noname.weights.h5"), strict: false)
    #expect(report.matched == ["a"])
    #expect(report.mismatched.first?.layer == "b")
    #expect(report.mismatched.contains { $0.layer == "d" && $0.weight == "kernel" })
    #expect(report.unexpected == ["layers/functional/layers/batch_normalization"])
  }
}
