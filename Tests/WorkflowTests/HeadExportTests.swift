import Foundation
import KerasIO
import Layers
import Models
import TensorCore
import TestSupport
import Testing
import Training

@testable import Workflow

/// Heads on flat cuts train, export as the kept layers plus the head, and predict what
/// Keras computes (fixtures of tools/fixtures/cut_fixtures.py; `make cut-check` runs the
/// live round trip through tf_keras).
@Suite(.serialized) struct HeadExportTests {
  let root = TinyImages.temporaryDirectory()

  func train(_ model: String, freeze: String, extra: [RunOption: String] = [:]) throws -> (
    URL, [String]
  ) {
    var flags: [RunOption: String] = [
      .base: CutTests.model(model), .freeze: freeze, .data: CutTests.images,
      .preprocess: "tf", .epochs: "3", .batch: "2", .valSplit: "0", .lr: "0.05",
      .seed: "3", .out: root.appendingPathComponent("run-\(model)-\(freeze)").path,
      .cacheDir: root.appendingPathComponent("store").path,
    ]
    flags.merge(extra) { $1 }
    let progress = RecordingProgress()
    let workflow = try TrainWorkflow(
      options: RunOptions(flags: flags), progress: progress, environment: ["HOME": root.path])
    return (try workflow.run().runDirectory, progress.lines)
  }

  func dense(_ graph: Graph, _ name: String) throws -> (kernel: Tensor, bias: Tensor) {
    let layer = try #require(graph.layer(named: name) as? Dense)
    return (try #require(layer.kernel).value, try #require(layer.bias).value)
  }

  /// Conv → GlobalAveragePooling2D → softmax cut at the pooling: the head is Dense(2) →
  /// softmax on the 7 pooled values. `ftune predict` on the export equals
  /// softmax(Keras's pooled output · W + b) with the exported W, b.
  @Test func flatCutHeadExportsAndPredictsLikeKeras() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let (run, log) = try train("gap_softmax.h5", freeze: "pool")
    #expect(log.contains { $0.contains("unused: predictions") }, "\(log)")
    let exported = try KerasModel.load(path: RunDirectory(url: run).modelURL.path)
    #expect(exported.layers.map(\.name) == [
      "input_1", "conv", "pool", HeadSpec.predictionsName, HeadSpec.softmaxName,
    ])
    #expect(exported.layer(named: "conv")?.isFrozen == true)
    let (w, b) = try dense(exported, HeadSpec.predictionsName)
    #expect(w.shape == [7, 2])
    let (tolerance, keras) = try CutTests.kerasCuts("gap_softmax")
    let pooled = try #require(keras["pool"])
    let paths = try Predictor.expand([CutTests.images])
    let predictions = try Predictor(runs: [run.path]).predict(paths: paths, top: 2)
    for (i, p) in predictions.enumerated() {
      let logits = (0..<2).map { c in
        Double(b.scalars[c])
          + (0..<7).reduce(0.0) { $0 + pooled.values[i * 7 + $1] * Double(w.scalars[$1 * 2 + c]) }
      }
      let z = logits.map { exp($0 - (logits.max() ?? 0)) }
      for (name, probability) in p.top {
        let c = name == "a" ? 0 : 1
        #expect(abs(Double(probability) - z[c] / z.reduce(0, +)) < tolerance, "\(p.path)")
      }
    }
  }

  /// `--freeze all` on VGG's layout with its top keeps fc1/fc2 frozen and replaces only
  /// predictions; `--freeze block2_pool` trains fc1/fc2 with the head.
  @Test func theTopBeforeTheCutStaysAndTrains() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let original = try KerasModel.load(path: CutTests.model("mini_vgg_top.h5"))
    let (all, log) = try train("mini_vgg_top.h5", freeze: "all", extra: [.hidden: "6"])
    #expect(log.contains { $0.contains("new head after fc2") && $0.contains("unused: predictions") })
    let kept = try KerasModel.load(path: RunDirectory(url: all).modelURL.path)
    #expect(kept.layers.map(\.name).suffix(4) == [
      "fc2", HeadSpec.hiddenName, HeadSpec.predictionsName, HeadSpec.softmaxName,
    ])
    #expect(try dense(kept, "fc2").kernel == dense(original, "fc2").kernel)
    #expect(kept.layer(named: "fc2")?.isFrozen == true)

    let (partial, _) = try train("mini_vgg_top.h5", freeze: "block2_pool")
    let tuned = try KerasModel.load(path: RunDirectory(url: partial).modelURL.path)
    #expect(tuned.layers.map(\.name).suffix(5) == [
      "flatten", "fc1", "fc2", HeadSpec.predictionsName, HeadSpec.softmaxName,
    ])
    #expect(tuned.layer(named: "fc1")?.isFrozen == false)
    #expect(try dense(tuned, "fc1").kernel != dense(original, "fc1").kernel)
    #expect(try dense(tuned, "fc2").kernel != dense(original, "fc2").kernel)
    let conv = try #require(tuned.layer(named: "block2_conv2") as? Conv2D)
    let conv0 = try #require(original.layer(named: "block2_conv2") as? Conv2D)
    #expect(conv.kernel?.value == conv0.kernel?.value)
  }

  /// A run ftune trained on the pooled cut and tf_keras's predictions on its model.h5
  /// (written by `cut_fixtures.py export FTUNE --commit`): `ftune predict` agrees.
  @Test func predictMatchesKerasOnACommittedExport() throws {
    let data = try Data(contentsOf: CutTests.fixtures.appendingPathComponent("flat_run.json"))
    let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let classes = try #require(doc["classes"] as? [String])
    let relative = try #require(doc["paths"] as? [String])
    let keras = try #require(doc["probabilities"] as? [[Double]])
    let tolerance = try #require(doc["tolerance"] as? Double)
    let run = CutTests.fixtures.appendingPathComponent("flat_run").path
    let paths = relative.map { CutTests.images + "/" + $0 }
    let ours = try Predictor(runs: [run]).predict(paths: paths, top: classes.count)
    #expect(ours.count == keras.count)
    for (p, expected) in zip(ours, keras) {
      let maxRef = expected.map(abs).max() ?? 1
      for (name, probability) in p.top {
        let c = try #require(classes.firstIndex(of: name))
        #expect(abs(Double(probability) - expected[c]) / maxRef < tolerance, "\(p.path) \(name)")
      }
    }
  }
}
