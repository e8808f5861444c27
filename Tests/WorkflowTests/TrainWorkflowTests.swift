import Foundation
import ImageIO
import TestSupport
import Testing
import Training

@testable import Workflow

@Suite(.serialized) struct TrainWorkflowTests {
  let root: URL
  let data: URL

  init() throws {
    root = TinyImages.temporaryDirectory()
    data = root.appendingPathComponent("images")
    try TinyImages.make(at: data, perClass: 5)
  }

  func workflow(_ flags: [RunOption: String]) throws -> TrainWorkflow {
    var f: [RunOption: String] = [
      .base: "vgg16", .weights: "random", .size: "32", .data: data.path, .epochs: "2",
      .batch: "4", .lr: "0.01", .optimizer: "sgd", .freeze: "13",
      .cacheDir: root.appendingPathComponent("cache").path,
    ]
    for (k, v) in flags { f[k] = v }
    return try TrainWorkflow(
      options: RunOptions(flags: f), progress: SilentProgress(), environment: ["HOME": root.path])
  }

  /// Training on cached block5_pool features gives the same run as running the frozen
  /// trunk every step (float32 summation order differs: 1e-4 relative).
  @Test func cachedAndUncachedRunsAgree() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let cached = try workflow([.out: root.appendingPathComponent("runs/c").path]).run()
    let direct = try workflow([
      .out: root.appendingPathComponent("runs/d").path, .cache: "off",
    ]).run()
    #expect(cached.cached && !direct.cached)
    for (a, b) in zip(cached.history, direct.history) {
      #expect(abs(a.trainLoss - b.trainLoss) <= 1e-4 * max(1, abs(b.trainLoss)))
      #expect(abs(a.valLoss - b.valLoss) <= 1e-4 * max(1, abs(b.valLoss)))
    }
    #expect(cached.validation?.predictions == direct.validation?.predictions)
  }

  @Test func changedImageRecomputesOnlyItsFeatures() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let first = try workflow([.out: root.appendingPathComponent("runs/1").path]).run()
    #expect(first.featureStats == .init(reused: 0, computed: 15))
    // Rewrite one image with other pixels.
    let path = data.appendingPathComponent("green/2.png").path
    try Image(width: 40, height: 36, filledWith: 7).writePNG(to: path)
    let second = try workflow([.out: root.appendingPathComponent("runs/2").path]).run()
    #expect(second.featureStats == .init(reused: 14, computed: 1))
    // Other weights (another seed draws other random weights): all recomputed.
    let third = try workflow([
      .out: root.appendingPathComponent("runs/3").path, .seed: "5",
    ]).run()
    #expect(third.featureStats == .init(reused: 0, computed: 15))
  }

  /// With augmentation the cache holds K variants per training image (validation: none);
  /// without --cache-variants the trunk runs every step on fresh augmentations.
  @Test func augmentationUsesCachedVariantsOrNoCache() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let k2 = try workflow([
      .out: root.appendingPathComponent("runs/k2").path, .augment: "flip,color",
      .cacheVariants: "2", .valSplit: "0.2",
    ]).run()
    #expect(k2.cached)
    // 12 training images x 2 variants + 3 validation images.
    #expect(k2.featureStats == .init(reused: 0, computed: 27))
    let fresh = try workflow([
      .out: root.appendingPathComponent("runs/k1").path, .augment: "flip",
    ]).run()
    #expect(!fresh.cached && fresh.featureStats == nil)
  }

  @Test func resumeAfterInterruptionMatchesAnUninterruptedRun() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let whole = try workflow([
      .out: root.appendingPathComponent("runs/w").path, .epochs: "3", .freeze: "10",
    ]).run()
    _ = try workflow([
      .out: root.appendingPathComponent("runs/r").path, .epochs: "1", .freeze: "10",
    ]).run()
    let resumed = try workflow([
      .out: root.appendingPathComponent("runs/r").path, .epochs: "3", .freeze: "10",
    ]).run(resume: true)
    #expect(resumed.history.count == 3)
    #expect(resumed.history.map(\.trainLoss) == whole.history.map(\.trainLoss))
    #expect(resumed.history.map(\.valLoss) == whole.history.map(\.valLoss))
  }

  /// Resuming a run that had finished trains nothing and leaves its files as they are:
  /// model.h5 keeps the best epoch's weights (the finished run removed their separate file,
  /// so rewriting it would save the last epoch's). A run early stopping ended is finished
  /// too: resuming it must not train another epoch. lr 2 makes val_loss rise again.
  @Test func resumingAFinishedRunLeavesItsModel() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    for (name, flags) in [
      ("all", [RunOption.epochs: "4"]), ("stopped", [.epochs: "8", .patience: "1"]),
    ] {
      let out = root.appendingPathComponent("runs/\(name)")
      var f = flags
      (f[.out], f[.lr]) = (out.path, "2")
      let first = try workflow(f).run()
      try #require(
        first.bestEpoch < first.history.count, "\(name): the best epoch must not be the last")
      if name == "stopped" { try #require(first.history.count < 8, "early stopping must end it") }
      let files = try RunDirectory.files.map {
        try Data(contentsOf: out.appendingPathComponent($0))
      }
      let again = try workflow(f).run(resume: true)
      #expect(again.history.map(\.valLoss) == first.history.map(\.valLoss), "\(name)")
      #expect(again.bestEpoch == first.bestEpoch, "\(name)")
      for (file, before) in zip(RunDirectory.files, files) {
        #expect(try Data(contentsOf: out.appendingPathComponent(file)) == before, "\(name) \(file)")
      }
    }
  }

  /// `--freeze 13` leaves every conv untouched and trains only the head; `--freeze 10`
  /// also trains block5 (read back from the saved models).
  @Test func freezingDecidesWhatChanges() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let w = try workflow([.out: root.appendingPathComponent("runs/f").path, .cache: "off"])
    let base = try BaseModel.load(
      base: "vgg16", weights: "random", size: 32, preprocessing: nil, seed: 0)
    _ = try w.run()
    let trained = try KerasModelReader.load(root.appendingPathComponent("runs/f/model.h5").path)
    for node in base.graph.nodes {
      let after = try #require(trained.layer(named: node.layer.name))
      #expect(after.weights.map(\.value) == node.layer.weights.map(\.value), "\(node.layer.name)")
    }
    let w10 = try workflow([
      .out: root.appendingPathComponent("runs/g").path, .freeze: "10",
    ])
    _ = try w10.run()
    let t10 = try KerasModelReader.load(root.appendingPathComponent("runs/g/model.h5").path)
    for node in base.graph.nodes where node.layer.hasWeights {
      let same = try #require(t10.layer(named: node.layer.name)).weights.map(\.value)
        == node.layer.weights.map(\.value)
      #expect(same == !node.layer.name.hasPrefix("block5"), "\(node.layer.name)")
    }
  }
}
