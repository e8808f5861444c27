import Foundation
import HDF5
import Layers
import Models
import TensorCore
import Testing

@testable import KerasIO

@Suite struct ModelConfigTests {
  @Test func buildsTfKerasSequentialWithEveryOption() throws {
    let g = try KerasModel.load(path: Fixtures.path("k2_sequential.h5"))
    #expect(g.name == "seq")
    #expect(
      g.layers.map(\.name)
        == ["in_seq", "c1", "bn1", "pool1", "pad", "c2", "relu6", "dw", "avg", "flat", "drop",
          "out"])
    #expect(g.inputShape == [9, 9, 3])
    #expect(g.outputShape == [5])
    let c1 = try #require(g.layer(named: "c1") as? Conv2D)
    #expect(c1.filters == 4 && c1.kernelSize == (3, 3) && c1.padding == .same)
    #expect(c1.activation == .relu && c1.useBias)
    let bn = try #require(g.layer(named: "bn1") as? BatchNormalization)
    #expect(bn.epsilon == 1e-3 && bn.momentum == 0.9)
    let pad = try #require(g.layer(named: "pad") as? ZeroPadding2D)
    let padding: [Int] = [pad.top, pad.bottom, pad.left, pad.right]
    #expect(padding == [0, 1, 0, 1])
    let c2 = try #require(g.layer(named: "c2") as? Conv2D)
    #expect(c2.strides == (2, 2) && !c2.useBias && c2.padding == .valid && c2.weights.count == 1)
    #expect((g.layer(named: "relu6") as? ReLU)?.maxValue == 6)
    let dw = try #require(g.layer(named: "dw") as? DepthwiseConv2D)
    #expect(dw.depthMultiplier == 2 && dw.kernelSize == (2, 2) && dw.padding == .same)
    let avg = try #require(g.layer(named: "avg") as? AveragePooling2D)
    #expect(avg.poolSize == (2, 2) && avg.strides == (1, 1))
    #expect((g.layer(named: "drop") as? Dropout)?.rate == 0.25)
    #expect((g.layer(named: "out") as? Dense)?.activation == .softmax)
    // Weights came from model_weights, not from the initializers.
    let stored = try HDF5File.open(Fixtures.path("k2_sequential.h5")).root
      .dataset("model_weights/dw/dw/depthwise_kernel:0").readTensor()
    #expect(dw.kernel?.value == stored)
  }

  @Test func buildsTfKerasFunctionalWithResidualAdd() throws {
    let g = try KerasModel.load(path: Fixtures.path("k2_functional.h5"))
    let reference = try Fixtures.functionalGraph()
    try KerasWeights.load(into: reference, from: Fixtures.path("k2_functional_weights.h5"))
    #expect(Fixtures.values(g) == Fixtures.values(reference))
    let add = try #require(g.index(of: "res_add"))
    #expect(g.nodes[add].inputs.map { g.nodes[$0].layer.name } == ["stem_relu", "res_bn"])
    let cat = try #require(g.index(of: "cat"))
    #expect(g.nodes[cat].inputs.map { g.nodes[$0].layer.name } == ["gap", "gmp"])
    #expect(g.layers.last?.name == "head")
    #expect((g.layer(named: "stem_bn") as? BatchNormalization)?.epsilon == 1.001e-5)
    #expect((g.layer(named: "sep") as? SeparableConv2D)?.filters == 5)
  }

  @Test func buildsKeras3Archives() throws {
    let f = try KerasModel.load(path: Fixtures.path("k3_functional.keras"))
    #expect(f.layers.map(\.kerasClassName).filter { $0 == "BatchNormalization" }.count == 2)
    #expect(f.outputShape == [3])
    let s = try KerasModel.load(path: Fixtures.path("k3_sequential.keras"))
    #expect(s.layers.map(\.name).first == "in_seq")
    #expect((s.layer(named: "pad") as? ZeroPadding2D)?.bottom == 1)
    #expect(s.outputShape == [5])
  }

  func importing(_ json: String) throws -> Graph {
    try ModelConfigImporter(file: "m.h5").makeGraph(json: Data(json.utf8))
  }

  @Test func unknownLayerClassNamesTheClassAndTheLayer() throws {
    let json = """
      {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"name": "i", "batch_input_shape": [null, 4]}},
        {"class_name": "Lambda", "config": {"name": "my_lambda"}}]}}
      """
    #expect {
      try importing(json)
    } throws: { error in
      guard case KerasIOError.unknownLayerClass(let file, let layer, let cls) = error else {
        return false
      }
      return file == "m.h5" && layer == "my_lambda" && cls == "Lambda"
        && "\(error)".contains("supported: InputLayer, Conv2D")
    }
  }

  @Test func unsupportedOptionsAreRejectedByName() throws {
    let json = """
      {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Conv2D", "config": {"name": "dil", "filters": 2, "kernel_size": 3,
         "dilation_rate": [2, 2], "batch_input_shape": [null, 8, 8, 1]}}]}}
      """
    #expect {
      try importing(json)
    } throws: { error in
      "\(error)" == "'m.h5': layer 'dil' uses dilation_rate=[2, 2], which ftune does not implement"
    }
    #expect(throws: KerasIOError.self) { try importing("[1, 2]") }
  }

  @Test func oldSequentialTakesItsShapeFromTheFirstLayer() throws {
    let g = try importing(
      """
      {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "relu",
         "batch_input_shape": [null, 4]}}]}}
      """)
    #expect(g.layers.map(\.name) == ["s_input", "d"])
    #expect(g.inputShape == [4] && g.outputShape == [2])
  }

  @Test func weightsOnlyFileIsNotAModel() throws {
    let path = Fixtures.path("k2_functional_weights.h5")
    #expect {
      try KerasModel.load(path: path)
    } throws: { error in
      guard case KerasIOError.noModelConfig(let file) = error else { return false }
      return file == path
    }
  }
}
