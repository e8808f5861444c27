import Augment
import Dataset
import Features
import Foundation
import HDF5
import ImageIO
import Layers
import Models
import Reports
import Runtime
import TensorCore
import Training

/// `ftune compare`: trains every `--freeze` strategy, crossed with every `--heads` head and
/// `--augment-sets` set, on the same folds and reports mean ± std of validation accuracy and
/// loss, time, throughput and memory.
///
/// Work is shared: strategies whose whole trunk up to the cut is frozen train on features
/// from the FeatureStore (computed once per image, cut and augmentation variant, reused by
/// every fold, head and strategy with the same cut). A strategy that fine-tunes layers
/// before the end of the trunk runs images through the trainable part every epoch and
/// cannot use the cache past its cut.
public final class CompareWorkflow {
  public let options: RunOptions
  public let settings: TrainSettings
  /// The strategies as given (`0,7,13,all`, layer names, or `auto`), before expansion.
  public let freezeList: [String]
  /// Folds for K-fold CV; nil or 1 uses the fixed `--val-split` split.
  public let cv: Int?
  /// Heads and augmentation sets crossed with every strategy.
  public let grid: CompareGrid
  public var progress: any TrainingProgress
  public var environment: [String: String]

  /// `grid` nil compares the run's own head (`--hidden`) and `--augment` set only.
  public init(
    options: RunOptions, freezeList: [String], cv: Int?, grid: CompareGrid? = nil,
    progress: any TrainingProgress = ConsoleProgress(), trust: HDF5Trust = .fileOnly,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws {
    self.options = options
    var settings = try TrainSettings(options)
    settings.hdf5Trust = trust
    self.settings = settings
    guard !freezeList.isEmpty else {
      throw WorkflowError.missingOption(
        "freeze", hint: "give a list of strategies, e.g. --freeze 0,7,13,all or --freeze auto")
    }
    self.freezeList = freezeList
    self.cv = cv
    self.grid = try grid ?? CompareGrid.parse(heads: nil, augmentSets: nil, settings: settings)
    self.progress = progress
    self.environment = environment
  }

  /// Runs every grid row on every fold and writes folds.csv, compare.json, compare.md and
  /// compare.png.
  @discardableResult
  public func run() throws -> CompareResult {
    let started = Date()
    let s = settings
    let out = URL(fileURLWithPath: s.out ?? "compare")
    let dataset = try ImageDataset(directory: s.data, classes: s.classes).applying(
      s.badImages, csv: out.appendingPathComponent("skipped.csv"), log: progress.message)
    let samples = dataset.samples
    let labels = samples.map(\.label)
    let folds = try makeFolds(dataset)
    try writeFolds(folds, dataset: dataset, to: out)

    let base = try BaseModel.load(
      base: s.base, weights: s.weights, size: s.size, preprocessing: s.preprocessing,
      seed: s.training.seed, partial: s.partial, trust: s.hdf5Trust, log: progress.message,
      environment: environment)
    // Each row and fold starts from the loaded weights (fine-tuning changes them).
    let initial = base.graph.parameters.map(\.value)
    let strategies = try Self.expand(freezeList, graph: base.graph, trunkEnd: base.trunkEnd)
    progress.message(
      "compare \(strategies.map(\.name).joined(separator: ", "))"
        + " × heads \(grid.heads.map(\.rawValue).joined(separator: ", "))"
        + " × augment \(grid.augmentSets.map(\.name).joined(separator: ", "))"
        + " on \(folds.folds.count) fold(s) of \(samples.count) images"
        + " (\(dataset.classes.joined(separator: ", ")))")
    let store = FeatureStore(
      root: FeatureStore.defaultRoot(cacheDir: s.cacheDir, environment: environment))
    // Content hashes key the cache entries and seed each image's augmentation variants.
    let hashes = try samples.map {
      try FeatureItem.hash(fileAt: URL(fileURLWithPath: $0.path))
    }

    var results: [CompareResult.Strategy] = []
    for strategy in strategies {
      let kept = HeadSwap.keptEnd(of: base.graph, frozenThrough: strategy.cut)
      let keptName = base.graph.nodes[kept].layer.name
      if let note = base.unusedNote(
        kept: kept, what: "freeze \(strategy.name): the new head after \(keptName)")
      {
        progress.message(note)
      }
      for head in grid.heads {
        for augmentSet in grid.augmentSets {
          PeakMemory.resetPeak()
          var runs: [CompareResult.FoldRun] = []
          var trainable = 0
          var inputs = CompareResult.Inputs.images(nothingFrozen: strategy.freezesNothing)
          for (f, fold) in folds.folds.enumerated() {
            for (p, v) in zip(base.graph.parameters, initial) { p.value = v }
            let (graph, headStart) = try HeadSwap.attach(
              head.spec(classes: dataset.classes.count, settings: s), to: base.graph,
              cut: kept)
            graph.freeze(through: strategy.freezesNothing ? -1 : strategy.cut)
            trainable = graph.layers.reduce(0) { $0 + $1.trainableParameterCount }
            let fitting = FoldInputs(
              fold: f, train: fold.train, validation: fold.validation, samples: samples,
              hashes: hashes)
            // A head alone on cached trunk features is a (multinomial) logistic
            // regression or a small MLP: it gets standardized features and is fitted to
            // convergence rather than for a few dozen steps (see `headOnlyMinimumSteps`).
            let headOnlyCut = !strategy.freezesNothing && strategy.cut >= base.trunkEnd
            let featureStart = Date()
            let prepared = try prepareInputs(
              fitting, graph: graph, strategy: strategy, augmentSet: augmentSet, base: base,
              store: store, standardize: headOnlyCut)
            inputs = prepared.inputs
            let featureSeconds = Date().timeIntervalSince(featureStart)
            let headOnly = inputs.usesCache && headOnlyCut
            var run = try Self.fitAndEvaluate(
              graph: graph, headStart: headStart,
              feedNode: inputs.usesCache ? strategy.cut : 0, train: prepared.train,
              validation: prepared.validation, settings: s,
              classCounts: Self.counts(
                fold.train.map { labels[$0] }, classes: dataset.classes.count),
              minimumSteps: headOnly ? Self.headOnlyMinimumSteps : 0)
            run.featureSeconds = featureSeconds
            progress.message(
              "freeze \(strategy.name), \(head.rawValue) head, augment \(augmentSet.name),"
                + " fold \(f + 1)/\(folds.folds.count):"
                + " val accuracy \(NiceFormat.fixed(run.accuracy, 3)),"
                + " loss \(NiceFormat.fixed(run.loss, 3)),"
                + " fit \(NiceFormat.fixed(run.seconds, 1)) s,"
                + " inputs \(NiceFormat.fixed(featureSeconds, 1)) s (\(inputs.note))")
            runs.append(run)
          }
          results.append(
            CompareResult.Strategy(
              freeze: strategy.name, cutLayer: strategy.cutLayer, head: head.rawValue,
              augment: augmentSet.name, trainableParams: trainable, inputs: inputs, runs: runs,
              peakRSSMB: PeakMemory.peakMegabytes()))
        }
      }
    }
    for (p, v) in zip(base.graph.parameters, initial) { p.value = v }
    let result = CompareResult(
      strategies: results, folds: folds.folds.count, crossValidated: (cv ?? 0) >= 2,
      epochs: s.training.epochs, totalSeconds: Date().timeIntervalSince(started))
    let shown: [RunOption] = [
      .base, .weights, .data, .epochs, .batch, .lr, .optimizer, .augment, .size, .seed,
    ]
    var settings = [("strategies", "--freeze " + freezeList.joined(separator: ","))]
    settings += shown.filter { !options[$0].isEmpty }.map { ($0.name, options[$0]) }
    settings.append(("images", "\(samples.count) (\(dataset.classes.joined(separator: ", ")))"))
    try result.write(to: out, settings: settings)
    progress.message(
      "wrote \(out.path)/report.html, compare.json, compare.md, compare.png, folds.csv")
    return result
  }

  /// Stratified K-fold with `--cv`, else the fixed `--val-split` split.
  func makeFolds(_ dataset: ImageDataset) throws -> CompareFolds {
    let s = settings
    let samples = dataset.samples
    let folds: CompareFolds
    if let cv, cv >= 2 {
      folds = try CompareFolds.stratified(
        labels: samples.map(\.label), k: cv, seed: s.training.seed)
    } else {
      let (_, val) = try dataset.split(
        validationFraction: s.validationSplit, seed: s.training.seed)
      let held = Set(val)
      folds = .fixed(
        count: samples.count,
        validation: Set(samples.indices.filter { held.contains(samples[$0]) }))
    }
    guard folds.folds.allSatisfy({ !$0.train.isEmpty && !$0.validation.isEmpty }) else {
      throw WorkflowError.badValue(
        option: cv == nil ? "val-split" : "cv", value: cv.map { "\($0)" } ?? s.data,
        hint: "every fold needs training and validation images; add images or change it")
    }
    return folds
  }

  /// folds.csv in the output directory, written before training so another tool can use
  /// the same folds (benchmarks/compare_baseline.py).
  func writeFolds(_ folds: CompareFolds, dataset: ImageDataset, to out: URL) throws {
    do {
      try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    } catch {
      throw WorkflowError.runDirectory(path: out.path, reason: "\(error)")
    }
    let csv = folds.csv(
      paths: dataset.samples.map(\.path), labels: dataset.samples.map(\.label),
      classes: dataset.classes)
    try AtomicFile.write(
      Data(csv.render().utf8), to: out.appendingPathComponent("folds.csv").path)
  }

  static func counts(_ labels: [Int], classes: Int) -> [Int] {
    var c = [Int](repeating: 0, count: classes)
    for l in labels where l < classes { c[l] += 1 }
    return c
  }

  /// Optimizer steps a head trained alone on cached features gets at least: `--epochs 10`
  /// of 70 images in batches of 16 is only 50 Adam steps at lr 0.001, which left the
  /// linear head below a logistic regression on the same features (docs/compare.md, "Which
  /// freezing is best?"); 500 steps cost well under a second.
  public static let headOnlyMinimumSteps = 500

  /// Epochs for at least `minimumSteps` optimizer steps over `count` samples (never fewer
  /// than `epochs`).
  public static func epochs(_ epochs: Int, minimumSteps: Int, count: Int, batch: Int) -> Int {
    let perEpoch = max(1, (count + max(1, batch) - 1) / max(1, batch))
    return max(epochs, (minimumSteps + perEpoch - 1) / perEpoch)
  }

  /// Trains `graph` on `train` from `feedNode` and evaluates it on `validation`: one fold of
  /// one strategy, for `--epochs` or enough epochs for `minimumSteps` optimizer steps. The
  /// validation set is not seen during fitting (no early stopping or best-epoch selection
  /// on it).
  public static func fitAndEvaluate(
    graph: Graph, headStart: Int, feedNode: Int, train: any BatchProvider,
    validation: any BatchProvider, settings s: TrainSettings, classCounts: [Int],
    minimumSteps: Int = 0
  ) throws -> CompareResult.FoldRun {
    var options = s.training
    options.epochs = Self.epochs(
      options.epochs, minimumSteps: minimumSteps, count: train.count, batch: options.batchSize)
    options.classWeights = try s.lossWeights(counts: classCounts)
    options.earlyStoppingPatience = nil
    let optimizer: any TrainerOptimizer =
      s.optimizer == "sgd"
      ? SGD(learningRate: options.learningRate, momentum: s.momentum, weightDecay: s.weightDecay)
      : Adam(learningRate: options.learningRate, weightDecay: s.weightDecay)
    let trainer = Trainer(
      graph: graph, optimizer: optimizer, options: options, feedNode: feedNode,
      headStart: headStart)
    let started = Date()
    _ = try trainer.fit(train: train, validation: nil)
    let seconds = Date().timeIntervalSince(started)
    let evaluation = try trainer.evaluate(validation)
    // One training sample is one image, whether fed as pixels or as cached features.
    return CompareResult.FoldRun(
      accuracy: Double(evaluation.accuracy), loss: Double(evaluation.loss), seconds: seconds,
      imagesPerSecond: seconds > 0 ? Double(train.count * options.epochs) / seconds : 0,
      epochs: options.epochs)
  }
}

/// Fixed-decimal formatting for progress lines.
enum NiceFormat {
  static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
}
