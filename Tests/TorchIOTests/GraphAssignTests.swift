import Foundation
import Layers
import Models
import TensorCore
import Testing

@testable import TorchIO

/// Converted torchvision weights go into the zoo's `mobilenet_v2_torch` graph, strictly.
@Suite struct GraphAssignTests {
  /// The real checkpoint's names and shapes (reference JSON), with recognisable values.
  static func realShapedLayers() throws -> [KerasLayerWeights] {
    let reference = try Fixtures.reference("mobilenet_v2-b0353104.reference.json")
    let tensors = reference.tensors.enumerated().map { index, entry in
      TorchTensor(
        name: entry.name, dtype: .float32, shape: entry.shape,
        values: [Float](repeating: Float(index), count: entry.shape.reduce(1, *)))
    }
    return try TorchVisionMobileNetV2.convert(
      TorchCheckpoint(format: .legacy, tensors: tensors, skipped: []))
  }

  @Test func everyZooLayerReceivesItsWeights() throws {
    let graph = try ModelZoo.build("mobilenet_v2_torch", ZooOptions(includeTop: true))
    let layers = try Self.realShapedLayers()
    try graph.assign(layers)
    for entry in layers {
      let parameters = try #require(graph.layer(named: entry.layer)).weights
      for weight in entry.weights {
        let parameter = try #require(parameters.first { $0.name == weight.name })
        #expect(parameter.value == weight.value, "\(entry.layer)/\(weight.name)")
      }
    }
  }

  @Test func mismatchesAreAllReportedAndNothingChanges() throws {
    let graph = try ModelZoo.build("mobilenet_v2_torch", ZooOptions(includeTop: true))
    let before = graph.parameters.map(\.value)
    var layers = try Self.realShapedLayers()
    layers.removeAll { $0.layer == "block_3_project" }
    layers[0].weights[0] = KerasWeight(
      layer: "Conv1", name: "kernel", value: Tensor(zeros: [3, 3, 3, 16]))
    layers.append(KerasLayerWeights(layer: "fc", weights: []))
    #expect {
      try graph.assign(layers)
    } throws: { error in
      guard let error = error as? WeightAssignmentError else { return false }
      let text = error.problems.joined(separator: "\n")
      return error.problems.count == 3 && text.contains("Conv1/kernel")
        && text.contains("block_3_project") && text.contains("'fc'")
    }
    #expect(graph.parameters.map(\.value) == before)
  }
}
