import Foundation
import TensorCore
import Testing

@testable import TorchIO

/// The torchvision -> Keras MobileNetV2 map, checked against tf_keras's own MobileNetV2
/// (names, order, shapes) and numpy's transposes (values).
@Suite struct TorchVisionMobileNetV2Tests {
  /// The real checkpoint's 314 names and shapes (from the committed reference JSON, so this
  /// runs in CI) convert to exactly the 105 layers, weight names, order and shapes that
  /// tf_keras.applications.MobileNetV2 has.
  @Test func realCheckpointLayoutEqualsKerasMobileNetV2() throws {
    let reference = try Fixtures.reference("mobilenet_v2-b0353104.reference.json")
    let keras = try JSONDecoder().decode(
      KerasLayoutFixture.self, from: Fixtures.data("keras_mobilenet_v2_layout.json"))
    let tensors = reference.tensors.map { entry in
      TorchTensor(
        name: entry.name, dtype: entry.dtype == "long" ? .int64 : .float32, shape: entry.shape,
        values: [Float](repeating: 0, count: entry.shape.reduce(1, *)))
    }
    let layers = try TorchVisionMobileNetV2.convert(
      TorchCheckpoint(format: .legacy, tensors: tensors, skipped: []))
    #expect(layers.map(\.layer) == keras.layers.map(\.layer))
    #expect(layers.map(\.layer) == TorchVisionMobileNetV2.allLayers)
    for (ours, theirs) in zip(layers, keras.layers) {
      #expect(ours.weights.map(\.name) == theirs.weights.map(\.name), "\(ours.layer)")
      #expect(ours.weights.map(\.value.shape) == theirs.weights.map(\.shape), "\(ours.layer)")
      #expect(ours.weights.allSatisfy { $0.layer == ours.layer })
    }
  }

  @Test(arguments: [
    ("features.0.0.weight", "Conv1", "kernel"),
    ("features.0.1.running_var", "bn_Conv1", "moving_variance"),
    ("features.1.conv.0.0.weight", "expanded_conv_depthwise", "depthwise_kernel"),
    ("features.1.conv.0.1.weight", "expanded_conv_depthwise_BN", "gamma"),
    ("features.1.conv.1.weight", "expanded_conv_project", "kernel"),
    ("features.1.conv.2.bias", "expanded_conv_project_BN", "beta"),
    ("features.2.conv.0.0.weight", "block_1_expand", "kernel"),
    ("features.5.conv.1.1.running_mean", "block_4_depthwise_BN", "moving_mean"),
    ("features.17.conv.2.weight", "block_16_project", "kernel"),
    ("features.17.conv.3.weight", "block_16_project_BN", "gamma"),
    ("features.18.0.weight", "Conv_1", "kernel"),
    ("features.18.1.bias", "Conv_1_bn", "beta"),
    ("classifier.1.weight", "predictions", "kernel"),
    ("classifier.1.bias", "predictions", "bias"),
  ])
  func namesMapToKerasLayers(torch: String, layer: String, weight: String) throws {
    let target = try #require(try TorchVisionMobileNetV2.target(for: torch))
    #expect(target.layer == layer && target.weight == weight)
  }

  @Test func countersAreDroppedAndForeignNamesRejected() throws {
    #expect(try TorchVisionMobileNetV2.target(for: "features.3.conv.0.1.num_batches_tracked")
      == nil)
    for name in [
      "fc.weight", "features.19.0.weight", "features.2.conv.4.weight", "features.1.conv.3.bias",
      "classifier.0.weight", "features.0.1.momentum", "layer1.0.conv1.weight", "",
    ] {
      #expect(throws: TorchImportError.self, "\(name)") {
        try TorchVisionMobileNetV2.target(for: name)
      }
    }
  }

  /// Values after the transposes equal numpy's `transpose` of the same tensors (exact).
  @Test func transposesMatchNumpy() throws {
    let reference = try Fixtures.reference("tiny_zip.reference.json")
    let checkpoint = try TorchCheckpoint(contentsOf: Fixtures.url("tiny_zip.pth"))
    let cases: [(String, KerasLayout, KeyPath<Reference.Entry, [Double]?>)] = [
      ("features.0.0.weight", .conv, \.keras_conv),
      ("features.1.conv.1.weight", .conv, \.keras_conv),
      ("features.1.conv.0.0.weight", .depthwise, \.keras_depthwise),
      ("classifier.1.weight", .dense, \.keras_dense),
    ]
    for (name, layout, path) in cases {
      let tensor = try #require(checkpoint[name])
      let target = try #require(try TorchVisionMobileNetV2.target(for: name))
      #expect(target.layout == layout)
      let weight = try TorchVisionMobileNetV2.convert(tensor, to: target)
      let entry = try #require(reference.tensors.first { $0.name == name })
      let expected = try #require(entry[keyPath: path]).map { Float($0) }
      #expect(weight.value.scalars == expected, "\(name)")
      #expect(weight.value.shape == layout.permutation.map { tensor.shape[$0] })
    }
  }

  @Test func wrongShapesAndIncompleteCheckpointsAreReported() throws {
    let flat = TorchTensor(name: "features.0.0.weight", dtype: .float32, shape: [4, 27],
      values: [Float](repeating: 0, count: 108))
    let target = try #require(try TorchVisionMobileNetV2.target(for: flat.name))
    #expect(throws: TorchImportError.self) {
      try TorchVisionMobileNetV2.convert(flat, to: target)
    }
    let tiny = try TorchCheckpoint(contentsOf: Fixtures.url("tiny_legacy.pth"))
    #expect {
      try TorchVisionMobileNetV2.convert(tiny)
    } throws: { error in
      guard case .incomplete(let problems) = error as? TorchImportError else { return false }
      // The tiny file has the first layers only; block_16_project is among those missing.
      return problems.contains { $0.contains("block_16_project has no weights") }
    }
  }
}
