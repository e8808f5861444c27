import Foundation
import HDF5
import Layers
import Models
import TensorCore
import Testing

@testable import KerasIO

@Suite struct Keras2WeightsTests {
  /// The values tf_keras stored, read straight from the datasets.
  func stored(_ file: String, _ dataset: String) throws -> Tensor {
    try HDF5File.open(Fixtures.path(file)).root.dataset(dataset).readTensor()
  }

  @Test func loadsTfKerasSaveWeightsByLayerName() throws {
    let g = try Fixtures.functionalGraph()
    let report = try KerasWeights.load(into: g, from: Fixtures.path("k2_functional_weights.h5"))
    #expect(report.isComplete)
    #expect(report.layout == .keras2Weights)
    #expect(report.matched == ["stem_conv", "stem_bn", "res_conv", "res_bn", "sep", "head"])
    let file = "k2_functional_weights.h5"
    let bn = try #require(g.layer(named: "res_bn") as? BatchNormalization)
    #expect(bn.movingVariance?.value == (try stored(file, "res_bn/res_bn/moving_variance:0")))
    #expect(bn.gamma?.value == (try stored(file, "res_bn/res_bn/gamma:0")))
    let sep = try #require(g.layer(named: "sep") as? SeparableConv2D)
    #expect(sep.pointwiseKernel?.value == (try stored(file, "sep/sep/pointwise_kernel:0")))
    #expect(sep.depthwiseKernel?.value.shape == [3, 3, 4, 1])
    // Random initial weights are gone: BN statistics are not the 0/1 defaults.
    #expect(bn.movingMean?.value.scalars.contains { $0 != 0 } == true)
  }

  @Test func fullModelFileAndChunkedNamesGiveTheSameWeights() throws {
    let a = try Fixtures.functionalGraph()
    let b = try Fixtures.functionalGraph()
    let c = try Fixtures.functionalGraph()
    try KerasWeights.load(into: a, from: Fixtures.path("k2_functional_weights.h5"))
    let rb = try KerasWeights.load(into: b, from: Fixtures.path("k2_functional.h5"))
    let rc = try KerasWeights.load(into: c, from: Fixtures.path("k2_chunked_weights.h5"))
    #expect(rb.layout == .keras2Model)
    #expect(rc.isComplete)
    #expect(Fixtures.values(a) == Fixtures.values(b))
    #expect(Fixtures.values(a) == Fixtures.values(c))
    #expect(Fixtures.values(a).count == 17)
  }

  /// Keras 1 names weights `conv_a_W_1:0`: they map by order within the layer.
  @Test func oldStyleWeightNamesMapByOrderWithinTheLayer() throws {
    let g = Graph(name: "old")
    var x = try g.input("in", shape: [6, 6, 2])
    x = try g.add(Conv2D("conv_a", filters: 4, kernelSize: (3, 3)), x)
    x = try g.add(MaxPooling2D("pool"), x)
    x = try g.add(Flatten("flat"), x)
    try g.add(Dense("dense_b", units: 3), x)
    let report = try KerasWeights.load(into: g, from: Fixtures.path("k1_old_style.h5"))
    #expect(report.matched == ["conv_a", "dense_b"])
    let conv = try #require(g.layer(named: "conv_a") as? Conv2D)
    #expect(conv.kernel?.value.scalars == (0..<72).map { Float($0) / 100 })
    #expect(conv.bias?.value.scalars == [1, 2, 3, 4])
    let dense = try #require(g.layer(named: "dense_b") as? Dense)
    #expect(dense.kernel?.value.scalars == (0..<48).map { Float($0) - 20 })
    #expect(dense.bias?.value.scalars == [0.5, -0.5, 0.25])
  }

  @Test func strictLoadReportsEveryProblemAndLoadsNothing() throws {
    let g = try Fixtures.functionalGraph(headUnits: 7, extraLayer: true)
    let before = Fixtures.values(g)
    let path = Fixtures.path("k2_functional_weights.h5")
    do {
      try KerasWeights.load(into: g, from: path)
      Issue.record("a strict load of mismatched weights must throw")
    } catch KerasIOError.incompleteLoad(let report) {
      #expect(report.missing == ["extra"])
      #expect(report.unexpected.isEmpty)
      #expect(
        report.mismatched == [
          WeightMismatch(layer: "head", weight: "kernel", expected: [9, 7], found: [9, 3]),
          WeightMismatch(layer: "head", weight: "bias", expected: [7], found: [3]),
        ])
      let text = KerasIOError.incompleteLoad(report).description
      #expect(text.contains(path))
      #expect(text.contains("missing from the file: extra"))
      #expect(text.contains("head/kernel: model [9, 7], file [9, 3]"))
      #expect(text.contains("--partial"))
    }
    #expect(Fixtures.values(g) == before)
  }

  @Test func partialLoadKeepsWhatMatches() throws {
    let g = try Fixtures.functionalGraph(headUnits: 7)
    let head = try #require(g.layer(named: "head") as? Dense)
    let headBefore = head.kernel?.value
    let report = try KerasWeights.load(
      into: g, from: Fixtures.path("k2_functional_weights.h5"), strict: false)
    #expect(!report.isComplete)
    #expect(report.matched == ["stem_conv", "stem_bn", "res_conv", "res_bn", "sep"])
    #expect(report.mismatched.map(\.layer) == ["head", "head"])
    #expect(head.kernel?.value == headBefore)
    let reference = try Fixtures.functionalGraph()
    try KerasWeights.load(into: reference, from: Fixtures.path("k2_functional_weights.h5"))
    #expect(
      Fixtures.values(g)["sep/pointwise_kernel"]
        == Fixtures.values(reference)["sep/pointwise_kernel"])
  }

  @Test func unexpectedLayersAreListed() throws {
    // A trunk without the head: the file's `head` has nowhere to go.
    let g = Graph(name: "trunk")
    let x = try g.input("img", shape: [8, 8, 3])
    try g.add(Conv2D("stem_conv", filters: 4, kernelSize: (3, 3), padding: .same), x)
    let report = try KerasWeights.load(
      into: g, from: Fixtures.path("k2_functional_weights.h5"), strict: false)
    #expect(report.matched == ["stem_conv"])
    #expect(report.unexpected == ["stem_bn", "res_conv", "res_bn", "sep", "head"])
    #expect(report.description.contains("in the file but not in the model: stem_bn, res_conv"))
  }

  @Test func aFileWithoutKerasStructureSaysSo() throws {
    let path = Fixtures.path("expected.h5")
    let g = try Fixtures.functionalGraph()
    #expect {
      try KerasWeights.load(into: g, from: path)
    } throws: { error in
      guard case KerasIOError.noKerasStructure(let file) = error else { return false }
      return file == path && "\(error)".contains("no Keras weights")
    }
  }
}
