import Foundation
import HDF5
import Layers
import Models
import TensorCore
import Testing

@testable import KerasIO

/// Keras's transfer-learning guide calls its base `base(x, training=False)`: unfrozen for
/// fine-tuning, the base's BatchNormalization still normalises with its moving statistics
/// (Keras: "the base model is running in inference mode"), so ftune must too.
@Suite struct TrainingFalseTests {
  @Test(arguments: ["guide.h5", "guide.keras"])
  func aBaseCalledWithTrainingFalseKeepsInferenceBatchNorm(_ file: String) throws {
    let path = ApplicationsTests.committed.appendingPathComponent(file).path
    let graph = try KerasModel.load(path: path)
    for node in graph.nodes { node.layer.isFrozen = false }
    let norms = graph.nodes.compactMap { $0.layer as? BatchNormalization }
    #expect(!norms.isEmpty && norms.allSatisfy(\.inferenceOnly), "\(file)")
    let x = try HDF5File.open(path + ".outputs.h5").root.dataset("input").readTensor()
    let base = try #require(graph.index(of: "mobilenetv2_0.35_32"))
    let inference = try graph.forward(x, mode: .inference, through: base)
    let training = try graph.forward(x, mode: .training, through: base)
    #expect(relativeError(training, inference) < 1e-6, "\(file)")
    // Without the flag the same unfrozen layers normalise with the batch's statistics.
    for norm in norms { norm.inferenceOnly = false }
    let batchStatistics = try graph.forward(x, mode: .training, through: base)
    #expect(relativeError(batchStatistics, inference) > 1e-2, "\(file)")
  }

  /// A base called plainly trains its BatchNormalization on batch statistics, as Keras.
  @Test func aPlainCallLeavesBatchNormTrainable() throws {
    let path = ApplicationsTests.committed.appendingPathComponent("efficientnetb0_head.h5").path
    let graph = try KerasModel.load(path: path)
    let norms = graph.nodes.compactMap { $0.layer as? BatchNormalization }
    #expect(!norms.isEmpty && norms.allSatisfy { !$0.inferenceOnly })
  }
}
