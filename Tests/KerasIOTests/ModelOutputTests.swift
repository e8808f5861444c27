import Foundation
import Layers
import Models
import TensorCore
import Testing

@testable import KerasIO

/// Loaded models must compute what Keras computed on the same input:
/// max |ours - keras| / max |keras| < 1e-4.
@Suite struct ModelOutputTests {
  let tolerance: Float = 1e-4

  func check(_ graph: Graph, against model: String) throws {
    let (input, output) = try Fixtures.expected(model)
    let ours = try graph.forward(input, mode: .inference)
    #expect(ours.shape == output.shape)
    let error = relativeError(ours, output)
    #expect(error < tolerance, "\(model): relative error \(error)")
  }

  @Test func tfKerasSequentialFullModel() throws {
    try check(
      try KerasModel.load(path: Fixtures.path("k2_sequential.h5")), against: "k2_sequential")
  }

  @Test func tfKerasFunctionalFullModel() throws {
    try check(
      try KerasModel.load(path: Fixtures.path("k2_functional.h5")), against: "k2_functional")
  }

  @Test func swiftGraphWithTfKerasWeights() throws {
    let g = try Fixtures.functionalGraph()
    try KerasWeights.load(into: g, from: Fixtures.path("k2_chunked_weights.h5"))
    try check(g, against: "k2_functional")
  }

  /// A frozen trunk model inside a Sequential: flattened, frozen, weights split per layer.
  @Test func tfKerasNestedModelIsFlattened() throws {
    let g = try KerasModel.load(path: Fixtures.path("k2_nested.h5"))
    #expect(g.layers.map(\.name) == ["outer_in", "t_conv1", "t_bn1", "t_conv2", "pool", "logits"])
    #expect(g.layers.map(\.isFrozen) == [false, true, true, true, false, false])
    try check(g, against: "k2_nested")
    // inspect shows the nested model's layers as outer/inner; both names find them, and
    // the nested model's own name is its output layer.
    #expect(
      g.summary().layers.map(\.name)
        == ["outer_in", "trunk/t_conv1", "trunk/t_bn1", "trunk/t_conv2", "pool", "logits"])
    #expect(g.index(of: "trunk/t_bn1") == 2 && g.index(of: "t_bn1") == 2)
    #expect(g.index(of: "trunk") == 3)
  }

  @Test func keras3Archives() throws {
    try check(
      try KerasModel.load(path: Fixtures.path("k3_functional.keras")), against: "k3_functional")
    try check(
      try KerasModel.load(path: Fixtures.path("k3_sequential.keras")), against: "k3_sequential")
  }

  @Test func keras3NestedWeightsInAFlatGraph() throws {
    let g = try Fixtures.nestedFlatGraph()
    try KerasWeights.load(into: g, from: Fixtures.path("k3_nested_noname.weights.h5"))
    try check(g, against: "k3_nested")
  }

  /// Guards the comparison itself: a wrong weight must show up as a large error.
  @Test func aPerturbedWeightIsCaught() throws {
    let g = try KerasModel.load(path: Fixtures.path("k2_functional.h5"))
    let bn = try #require(g.layer(named: "res_bn") as? BatchNormalization)
    bn.movingMean?.value.scalars[0] += 1
    let (input, output) = try Fixtures.expected("k2_functional")
    #expect(relativeError(try g.forward(input, mode: .inference), output) > tolerance)
  }
}
