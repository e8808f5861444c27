import Dataset
import Features
import Foundation
import ImageIO
import Models
import TensorCore
import TestSupport
import Testing
import Training

@testable import Workflow

@Suite struct CompareGridParseTests {
  func settings(_ flags: [RunOption: String] = [:]) throws -> TrainSettings {
    try TrainSettings(RunOptions(flags: [.base: "vgg16"].merging(flags) { $1 }))
  }

  @Test func defaultsComeFromHiddenAndAugment() throws {
    let plain = try CompareGrid.parse(heads: nil, augmentSets: nil, settings: settings())
    #expect(plain.heads == [.linear])
    #expect(plain.augmentSets.map(\.name) == ["none"])
    #expect(!plain.isGrid)
    let mlp = try CompareGrid.parse(
      heads: "", augmentSets: nil, settings: settings([.hidden: "64", .augment: "flip,crop"]))
    #expect(mlp.heads == [.mlp])
    #expect(mlp.augmentSets.map(\.name) == ["flip+crop"])
  }

  @Test func listsAreParsedInOrderWithoutDuplicates() throws {
    let g = try CompareGrid.parse(
      heads: "mlp, linear,MLP", augmentSets: "none,flip+crop, flip+crop+pca,none",
      settings: settings())
    #expect(g.heads == [.mlp, .linear])
    #expect(g.augmentSets.map(\.ops) == [[], ["flip", "crop"], ["flip", "crop", "pca"]])
    #expect(g.isGrid)
  }

  @Test func unknownNamesAreRefusedNamingTheOption() throws {
    do {
      _ = try CompareGrid.parse(heads: "linear,cnn", augmentSets: nil, settings: settings())
      Issue.record("unknown head accepted")
    } catch {
      #expect("\(error)".contains("--heads") && "\(error)".contains("cnn"))
    }
    do {
      _ = try CompareGrid.parse(heads: nil, augmentSets: "none,flip+zoom", settings: settings())
      Issue.record("unknown augmentation accepted")
    } catch {
      #expect("\(error)".contains("--augment-sets") && "\(error)".contains("zoom"))
    }
  }

  @Test func mlpHeadUsesHiddenOrItsDefault() throws {
    #expect(CompareHead.linear.spec(classes: 3, settings: try settings()).hidden == nil)
    #expect(
      CompareHead.mlp.spec(classes: 3, settings: try settings()).hidden
        == CompareHead.defaultHidden)
    #expect(CompareHead.mlp.spec(classes: 3, settings: try settings([.hidden: "8"])).hidden == 8)
  }
}

@Suite struct CompareFoldsCSVTests {
  @Test func everyImageNamesTheFoldThatValidatesIt() throws {
    let labels = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    let folds = try CompareFolds.stratified(labels: labels, k: 3, seed: 4)
    let paths = labels.indices.map { "/d/c\(labels[$0])/\($0).png" }
    let csv = folds.csv(paths: paths, labels: labels, classes: ["a", "b", "c"])
    #expect(csv.header == ["path", "class", "label", "fold"])
    #expect(csv.rows.count == 9)
    for (i, row) in csv.rows.enumerated() {
      #expect(row[0] == paths[i])
      #expect(row[1] == ["a", "b", "c"][labels[i]])
      let f = try #require(Int(row[3]))
      #expect(folds.folds[f].validation.contains(i))
      #expect(!folds.folds[f].train.contains(i))
    }
    // A fixed split marks training-only images with -1.
    let fixed = CompareFolds.fixed(count: 3, validation: [1])
    let rows = fixed.csv(paths: ["a", "b", "c"], labels: [0, 0, 0], classes: ["x"]).rows
    #expect(rows.map { $0[3] } == ["-1", "0", "-1"])
  }
}

/// A grid row of a frozen strategy with an augmentation set trains on cached augmented
/// variants: different from the plain features, one set per variant, and the same entry
/// whichever fold asks for it.
@Suite(.serialized) struct CompareAugmentedCacheTests {
  @Test func augmentedVariantsAreCachedPerImageContent() throws {
    let root = TinyImages.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("images")
    try TinyImages.make(at: data, perClass: 4)
    let options = RunOptions(flags: [
      .base: "vgg16", .weights: "random", .size: "32", .data: data.path,
      .cacheVariants: "2", .cacheDir: root.appendingPathComponent("cache").path,
    ])
    let workflow = try CompareWorkflow(
      options: options, freezeList: ["all"], cv: 2, progress: SilentProgress(),
      environment: ["HOME": root.path])
    let s = workflow.settings
    let dataset = try ImageDataset(directory: s.data, classes: nil)
    let samples = dataset.samples
    let hashes = try samples.map { try FeatureItem.hash(fileAt: URL(fileURLWithPath: $0.path)) }
    let base = try BaseModel.load(
      base: "vgg16", weights: "random", size: 32, preprocessing: nil, seed: 0)
    let strategy = try #require(
      try CompareStrategy.expand(["all"], graph: base.graph, trunkEnd: base.trunkEnd).first)
    let (graph, _) = try HeadSwap.attach(
      HeadSpec(classes: 3), to: base.graph, cut: base.trunkEnd)
    graph.freeze(through: strategy.cut)
    let store = FeatureStore(root: root.appendingPathComponent("cache/features"))
    let folds = try CompareFolds.stratified(labels: samples.map(\.label), k: 2, seed: 0).folds
    func prepare(_ f: Int, _ set: AugmentSet) throws -> (any BatchProvider, CompareResult.Inputs) {
      let inputs = FoldInputs(
        fold: f, train: folds[f].train, validation: folds[f].validation, samples: samples,
        hashes: hashes)
      let p = try workflow.prepareInputs(
        inputs, graph: graph, strategy: strategy, augmentSet: set, base: base, store: store)
      return (p.train, p.inputs)
    }
    let (plainBatches, plainInputs) = try prepare(0, AugmentSet(ops: []))
    let (augBatches, augInputs) = try prepare(0, AugmentSet(ops: ["flip", "crop"]))
    #expect(plainInputs == .cached(variants: 0))
    #expect(augInputs == .cached(variants: 2))
    let plain = try #require(plainBatches as? TensorBatches)
    let aug = try #require(augBatches as? VariantBatches)
    #expect(aug.variants.count == 2)
    let v1 = aug.variants[0].data.scalars
    let v2 = aug.variants[1].data.scalars
    #expect(v1.count == plain.data.scalars.count)
    #expect(v1 != plain.data.scalars)
    #expect(v1 != v2)
    // Read back from the store: the same entries.
    let again = try prepare(0, AugmentSet(ops: ["flip", "crop"])).0 as? VariantBatches
    #expect(again?.variants[0].data.scalars == v1)
    // Computed afresh with the training images in reverse order: each image gets the same
    // variant (seeded by its content, not its position).
    let fresh = FeatureStore(root: root.appendingPathComponent("fresh"))
    let reversed = FoldInputs(
      fold: 0, train: folds[0].train.reversed(), validation: folds[0].validation,
      samples: samples, hashes: hashes)
    let back = try #require(
      try workflow.prepareInputs(
        reversed, graph: graph, strategy: strategy, augmentSet: AugmentSet(ops: ["flip", "crop"]),
        base: base, store: fresh
      ).train as? VariantBatches)
    let n = folds[0].train.count
    let per = v1.count / n
    // Batches are composed differently, so float32 sums may differ in the last bits.
    for j in 0..<n {
      let a = v1[(j * per)..<((j + 1) * per)]
      let b = back.variants[0].data.scalars[((n - 1 - j) * per)..<((n - j) * per)]
      let diff = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
      #expect(diff <= 1e-5, "image \(j): max difference \(diff)")
    }
    // Another augmentation set has its own entries.
    let (flipOnly, _) = try prepare(0, AugmentSet(ops: ["flip"]))
    #expect((flipOnly as? VariantBatches)?.variants[0].data.scalars != v1)
  }
}

@Suite struct CompareResultReportTests {
  func row(_ freeze: String, _ head: String, _ augment: String, _ acc: [Double])
    -> CompareResult.Strategy
  {
    CompareResult.Strategy(
      freeze: freeze, cutLayer: freeze == "0" ? "" : "out_relu", head: head, augment: augment,
      trainableParams: head == "mlp" ? 300 : 30,
      inputs: freeze == "0" ? .images(nothingFrozen: true) : .cached(variants: 0),
      runs: acc.map {
        CompareResult.FoldRun(
          accuracy: $0, loss: 1 - $0, seconds: 2, imagesPerSecond: 40, featureSeconds: 1)
      }, peakRSSMB: 123.4)
  }

  @Test func gridRowsCarryHeadAugmentThroughputAndMemory() throws {
    let result = CompareResult(
      strategies: [
        row("all", "linear", "none", [0.7, 0.8]), row("all", "mlp", "flip+crop", [0.9, 0.95]),
        row("0", "linear", "flip+crop", [0.5, 0.6]),
      ], folds: 2, crossValidated: true, epochs: 3, totalSeconds: 12)
    let json = try #require(
      try JSONSerialization.jsonObject(with: result.json()) as? [String: Any])
    let rows = try #require(json["strategies"] as? [[String: Any]])
    for key in [
      "freeze", "trainable_params", "accuracy_mean", "accuracy_std", "loss_mean", "seconds",
      "head", "augment", "images_per_second", "peak_rss_mb",
    ] {
      #expect(rows.allSatisfy { $0[key] != nil }, "missing \(key)")
    }
    #expect(rows.map { $0["head"] as? String } == ["linear", "mlp", "linear"])
    #expect(rows.map { $0["augment"] as? String } == ["none", "flip+crop", "flip+crop"])
    #expect(rows.map { $0["cached_features"] as? Bool } == [true, true, false])
    #expect(rows[0]["peak_rss_mb"] as? Double == 123.4)
    #expect(rows[0]["feature_seconds"] as? Double == 2)
    #expect(json["best"] as? String == "all")
    #expect(json["best_head"] as? String == "mlp")
    #expect(json["best_augment"] as? String == "flip+crop")
    #expect(result.summaryLines[0].hasPrefix("best: --freeze all --head mlp --augment flip+crop"))
    let md = result.markdown
    let header = try #require(md.split(separator: "\n").first { $0.hasPrefix("| freeze") })
    #expect(
      header.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.prefix(4)
        == ["freeze", "cut", "head", "augment"])
    // Prose lines stay within 100 columns (the table is as wide as it needs).
    #expect(md.split(separator: "\n").filter { !$0.hasPrefix("|") }.allSatisfy { $0.count <= 100 })
    #expect(md.contains("images (nothing frozen)"))
    #expect(md.contains("took 12 s"))
    // The plot names each bar by all three.
    #expect(result.comparison.entries.map(\.name) == [
      "all linear none", "all mlp flip+crop", "0 linear flip+crop",
    ])
  }

  @Test func aHeadAloneGetsAtLeastTheMinimumSteps() {
    // 70 images in batches of 16: 5 steps per epoch, so 500 steps take 100 epochs.
    #expect(CompareWorkflow.epochs(10, minimumSteps: 500, count: 70, batch: 16) == 100)
    #expect(CompareWorkflow.epochs(10, minimumSteps: 0, count: 70, batch: 16) == 10)
    #expect(CompareWorkflow.epochs(200, minimumSteps: 500, count: 70, batch: 16) == 200)
    #expect(CompareWorkflow.epochs(1, minimumSteps: 3, count: 64, batch: 16) == 1)
  }

  @Test func aPlainFreezeComparisonKeepsShortNames() {
    let result = CompareResult(
      strategies: [row("all", "linear", "none", [0.7]), row("0", "linear", "none", [0.6])],
      folds: 1, crossValidated: false, epochs: 1)
    #expect(result.comparison.entries.map(\.name) == ["all", "0"])
    #expect(result.summaryLines[0].hasPrefix("best: --freeze all, by 0.1"))
    let single = CompareResult(
      strategies: [row("all", "linear", "none", [0.7])], folds: 1, crossValidated: false,
      epochs: 1)
    #expect(single.summaryLines[0] == "best: --freeze all (the only strategy)")
  }
}

@Suite struct CompareStandardizerTests {
  @Test func pooledChannelsOfTheTrainingFoldBecomeMeanZeroStdOne() throws {
    // 4 samples of 2x1 positions x 3 channels; channel 2 is constant.
    let x = try Tensor(
      shape: [4, 2, 1, 3],
      scalars: [
        1, 10, 5, 3, 30, 5,
        2, 20, 5, 4, 40, 5,
        0, 0, 5, 0, 100, 5,
        5, 60, 5, 7, 0, 5,
      ])
    let z = CompareStandardizer(fitting: [x])
    // Pooled channel 0: 2, 3, 0, 6 → mean 2.75; channel 1: 20, 30, 50, 30 → mean 32.5.
    #expect(abs(z.mean[0] - 2.75) < 1e-6 && abs(z.mean[1] - 32.5) < 1e-5)
    #expect(z.scale[2] == 1)
    let y = z.apply(x)
    for c in 0..<3 {
      let pooled = (0..<4).map { i in
        Double(y.scalars[i * 6 + c] + y.scalars[i * 6 + 3 + c]) / 2
      }
      let mean = pooled.reduce(0, +) / 4
      let variance = pooled.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
      #expect(abs(mean) < 1e-5, "channel \(c) mean \(mean)")
      #expect(abs(variance - (c == 2 ? 0 : 1)) < 1e-4, "channel \(c) variance \(variance)")
    }
    // Other data (validation) is moved by the training statistics, not its own.
    let v = z.apply(try Tensor(shape: [1, 1, 1, 3], scalars: [2.75, 32.5, 9]))
    #expect(abs(v.scalars[0]) < 1e-6 && abs(v.scalars[1]) < 1e-6 && v.scalars[2] == 4)
  }
}
