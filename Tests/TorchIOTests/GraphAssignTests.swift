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

/// `TorchVisionMobileNetV2.graph(from:)` builds the zoo network the checkpoint fits.
@Suite struct TorchGraphTests {
  /// A fine-tuned torchvision model with a 10-class head imports with 10 classes.
  @Test func classCountComesFromTheCheckpointHead() throws {
    let reference = try Fixtures.reference("mobilenet_v2-b0353104.reference.json")
    let tensors = reference.tensors.map { entry in
      var shape = entry.shape
      if entry.name.hasPrefix("classifier.1.") { shape[0] = 10 }
      return TorchTensor(
        name: entry.name, dtype: .float32, shape: shape,
        values: (0..<shape.reduce(1, *)).map { Float($0 % 5) })
    }
    let graph = try TorchVisionMobileNetV2.graph(
      from: TorchCheckpoint(format: .zip, tensors: tensors, skipped: []), size: 96)
    #expect(graph.outputShape.last == 10)
    let kernel = try #require(graph.layer(named: "predictions")?.weights.first)
    #expect(kernel.value.shape == [1280, 10])
    // Dense [out, in] -> [in, out]: kernel[i][o] == torch[o][i] == (o * 1280 + i) % 5.
    #expect(kernel.value.scalars[3 * 10 + 7] == Float((7 * 1280 + 3) % 5))
  }
}
