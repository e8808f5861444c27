import Augment
import Dataset
import Features
import Foundation
import ImageIO
import Layers
import Models
import TensorCore
import TestSupport
import Testing
import Training

@testable import Workflow

/// Records what a trainer asks of a provider: (epoch, indices, inputs) per batch.
private final class RecordingBatches: BatchProvider {
  let inner: ImageBatches
  var fed: [(epoch: Int, indices: [Int], inputs: Tensor)] = []
  init(_ inner: ImageBatches) { self.inner = inner }
  var count: Int { inner.count }
  var labels: [Int] { inner.labels }
  func willRequest(_ batches: [[Int]], epoch: Int) { inner.willRequest(batches, epoch: epoch) }
  func inputs(_ indices: [Int], epoch: Int) throws -> Tensor {
    let x = try inner.inputs(indices, epoch: epoch)
    fed.append((epoch, indices, x))
    return x
  }
}

@Suite(.serialized) struct ImageBatchesTests {
  let root: URL
  let paths: [String]
  let labels: [Int]

  init() throws {
    root = TinyImages.temporaryDirectory()
    let data = root.appendingPathComponent("images")
    try TinyImages.make(at: data, perClass: 4)
    let dataset = try ImageDataset(directory: data.path, classes: nil)
    paths = dataset.samples.map(\.path)
    labels = dataset.samples.map(\.label)
  }

  func pipeline(_ pre: Preprocessing = .caffe, seed: UInt64 = 9) throws -> ImagePipeline {
    ImagePipeline(
      size: 16, channels: 3, preprocessing: pre, seed: seed,
      augmentation: try Augmentation(["flip", "crop", "color", "pca"], size: 16))
  }

  func batches(augmented: Bool = true, threads: Int = 2, prefetch: Int = 2) throws
    -> ImageBatches
  {
    let b = ImageBatches(
      paths: paths, labels: labels, pipeline: try pipeline(), augmented: augmented)
    b.threads = threads
    b.prefetch = prefetch
    return b
  }

  /// Batches decoded ahead on loader threads are the bytes the on-demand path makes, for
  /// any thread count and queue bound; each epoch draws its own augmentation.
  @Test func preparedBatchesEqualOnDemandBatchesForAnyThreadCount() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let plan = [[3, 1, 4], [0, 5, 9], [11, 2], [6, 7, 8, 10]]
    let onDemand = try batches()
    let expected = try plan.map { try onDemand.inputs($0, epoch: 2) }
    #expect(onDemand.servedBatches == (prepared: 0, onDemand: 4))
    #expect(expected.map(\.shape) == [[3, 16, 16, 3], [3, 16, 16, 3], [2, 16, 16, 3],
                                      [4, 16, 16, 3]])
    for (threads, prefetch) in [(1, 1), (3, 2), (4, 8)] {
      let b = try batches(threads: threads, prefetch: prefetch)
      b.willRequest(plan, epoch: 2)
      let got = try plan.map { try b.inputs($0, epoch: 2) }
      #expect(got == expected, "threads \(threads), prefetch \(prefetch)")
      #expect(b.servedBatches == (prepared: 4, onDemand: 0))
    }
    // Another epoch, another augmentation; no augmentation for a validation set.
    #expect(try onDemand.inputs(plan[0], epoch: 3) != expected[0])
    let validation = try batches(augmented: false)
    #expect(try validation.inputs(plan[0], epoch: 2) == validation.inputs(plan[0], epoch: 5))
    #expect(try validation.inputs(plan[0], epoch: 2) != expected[0])
  }

  /// A caller that asks for other batches than it announced still gets the right inputs.
  @Test func leavingThePlanFallsBackToOnDemandInputs() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let reference = try batches()
    let b = try batches()
    b.willRequest([[0, 1], [2, 3], [4, 5]], epoch: 1)
    #expect(try b.inputs([0, 1], epoch: 1) == reference.inputs([0, 1], epoch: 1))
    #expect(try b.inputs([7, 3], epoch: 1) == reference.inputs([7, 3], epoch: 1))
    #expect(try b.inputs([4, 5], epoch: 1) == reference.inputs([4, 5], epoch: 1))
    #expect(b.servedBatches == (prepared: 1, onDemand: 2))
    // Another epoch than announced: on demand too.
    b.willRequest([[0, 1]], epoch: 1)
    #expect(try b.inputs([0, 1], epoch: 2) == reference.inputs([0, 1], epoch: 2))
  }

  /// A file that fails to decode fails the batch that holds it, naming the file, whether
  /// it was prepared ahead or not.
  @Test func aBadFileFailsItsBatchNamingIt() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    try Data([0x89, 0x50, 0x4E, 0x47]).write(to: URL(fileURLWithPath: paths[5]))
    let b = try batches()
    b.willRequest([[0, 1], [4, 5]], epoch: 1)
    #expect(try b.inputs([0, 1], epoch: 1).shape == [2, 16, 16, 3])
    do {
      _ = try b.inputs([4, 5], epoch: 1)
      Issue.record("a truncated PNG was accepted")
    } catch let error as ImageError {
      #expect(error.path == paths[5])
    }
  }

  /// `ftune augment`'s variant v of image i is, byte for byte after 8-bit rounding, what the
  /// trainer fed for training image i in epoch v (same seed, ops and size).
  @Test func previewShowsWhatTrainingFeeds() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let seed: UInt64 = 9
    let train = RecordingBatches(
      ImageBatches(
        paths: paths, labels: labels, pipeline: try pipeline(.none, seed: seed),
        augmented: true))
    let g = Graph(name: "probe", seed: 1)
    let x = try g.input("input_1", shape: [16, 16, 3])
    let f = try g.add(Flatten("flatten"), x)
    try g.add(Dense("head", units: 3, activation: .softmax), f)
    var options = TrainingOptions()
    options.epochs = 2
    options.batchSize = 5
    options.seed = seed
    options.learningRate = 1e-6
    let trainer = Trainer(graph: g, optimizer: SGD(learningRate: 1e-6), options: options,
                          headStart: 1)
    _ = try trainer.fit(train: train, validation: nil)
    #expect(train.inner.servedBatches == (prepared: 6, onDemand: 0))

    let out = root.appendingPathComponent("preview").path
    try AugmentPreview(
      images: paths, ops: "flip,crop,color,pca", count: 2, seed: seed, size: 16,
      outputDirectory: out
    ).run()
    var checked = 0
    for (epoch, indices, inputs) in train.fed {
      for (row, i) in indices.enumerated() {
        let per = 16 * 16 * 3
        let fed = try Image(
          width: 16, height: 16, channels: 3,
          pixels: .float(Array(inputs.scalars[(row * per)..<((row + 1) * per)])))
        let preview = try Image.decode(file: "\(out)/\(previewName(i, epoch))")
        #expect(preview == fed.toRGB8(), "image \(i) epoch \(epoch)")
        checked += 1
      }
    }
    #expect(checked == 2 * paths.count)
  }

  /// The file `AugmentPreview` writes for image `i`, variant `k` (stems made unique by
  /// appending the image's position).
  func previewName(_ i: Int, _ k: Int) -> String {
    var used = Set<String>()
    var name = ""
    for (j, path) in paths.enumerated() where j <= i {
      var stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
      if !used.insert(stem).inserted { stem += "-\(j)" }
      name = stem
    }
    return "\(name)-aug\(k).png"
  }

  /// Augmented variants are cached under a key naming the ops, seed, size, colour
  /// statistics and RNG derivation; plain features keep the plain key.
  @Test func augmentedFeatureKeysNameTheAugmentation() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let key = FeatureKey(hex: String(repeating: "ab", count: 32))
    let flip = try #require(try Augmentation(["flip"], size: 16))
    let keys = [
      key.augmented(flip.identity(seed: 1)),
      key.augmented(flip.identity(seed: 2)),
      key.augmented(try #require(try Augmentation(["flip", "crop"], size: 16)).identity(seed: 1)),
      key.augmented(try #require(try Augmentation(["flip"], size: 17)).identity(seed: 1)),
      key.augmented(
        try #require(
          try Augmentation(
            ["flip"], size: 16,
            statistics: ColorStatistics(
              mean: [0, 0, 0], covariance: [], eigenvalues: [1, 0, 0],
              eigenvectors: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], pixelCount: 1))
        ).identity(seed: 1)),
    ]
    #expect(Set(keys.map(\.hex)).count == keys.count && !keys.contains(key))
    #expect(key.augmented(flip.identity(seed: 1)) == keys[0])
    #expect(flip.identity(seed: 1).hasPrefix("augment-v\(Augmentation.derivationVersion);"))
    #expect(try Augmentation([], size: 16) == nil)
  }
}

/// The feature cache never serves augmented variants drawn by another augmentation.
@Suite(.serialized) struct AugmentedCacheTests {
  @Test func anotherAugmentationRecomputesItsVariantsAndKeepsPlainFeatures() throws {
    let root = TinyImages.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("images")
    try TinyImages.make(at: data, perClass: 5)
    func run(_ augment: String, _ name: String) throws
      -> FeatureExtractor.Stats?
    {
      let flags: [RunOption: String] = [
        .base: "vgg16", .weights: "random", .size: "32", .data: data.path, .epochs: "1",
        .batch: "4", .freeze: "13", .augment: augment, .cacheVariants: "2",
        .valSplit: "0.2", .cacheDir: root.appendingPathComponent("cache").path,
        .out: root.appendingPathComponent("runs/\(name)").path,
      ]
      return try TrainWorkflow(
        options: RunOptions(flags: flags), progress: SilentProgress(),
        environment: ["HOME": root.path]
      ).run().featureStats
    }
    // 12 training images x 2 variants + 3 plain validation images.
    #expect(try run("flip", "a") == .init(reused: 0, computed: 27))
    #expect(try run("flip,color", "b") == .init(reused: 3, computed: 24))
    #expect(try run("flip", "c") == .init(reused: 27, computed: 0))
  }
}

/// `ftune predict` reads images through the loader; its answers are those of one image at
/// a time through the network, whatever else is predicted alongside.
@Suite(.serialized) struct PredictorLoaderTests {
  @Test func predictionsThroughTheLoaderEqualOneImageAtATime() throws {
    let root = TinyImages.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("images")
    try TinyImages.make(at: data, perClass: 3)
    let run = root.appendingPathComponent("run").path
    let flags: [RunOption: String] = [
      .base: "vgg16", .weights: "random", .size: "32", .data: data.path, .epochs: "1",
      .batch: "4", .freeze: "13", .cacheDir: root.appendingPathComponent("cache").path,
      .out: run,
    ]
    try TrainWorkflow(
      options: RunOptions(flags: flags), progress: SilentProgress(),
      environment: ["HOME": root.path]
    ).run()
    let predictor = try Predictor(runs: [run])
    let paths = try Predictor.expand([data.path])
    #expect(paths.count == 9)
    let all = try predictor.predict(paths: paths, top: 3)
    let member = try #require(predictor.members.first)
    for (path, prediction) in zip(paths, all) {
      var x = try member.pipeline.pixels(Image.decode(file: path))
      x = try Tensor(shape: [1] + x.shape, scalars: x.scalars)
      try member.pipeline.preprocessing.apply(to: &x)
      let out = try member.graph.forward(x, mode: .inference)
      let expected = zip(predictor.classes, out.scalars).sorted { $0.1 > $1.1 }
      #expect(prediction.top.map(\.name) == expected.map(\.0), "\(path)")
      #expect(prediction.top.map(\.probability) == expected.map(\.1), "\(path)")
    }
    #expect(try predictor.predict(paths: [paths[7]], top: 3) == [all[7]])
    // A damaged file fails the prediction, naming the file.
    try Data("not a png".utf8).write(to: URL(fileURLWithPath: paths[4]))
    do {
      _ = try predictor.predict(paths: paths)
      Issue.record("a damaged image was predicted")
    } catch let error as ImageError {
      #expect(error.path == paths[4])
    }
  }
}
