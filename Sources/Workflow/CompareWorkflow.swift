import Augment
import Features
import Foundation
import ImageIO
import Layers
import Models
import TensorCore
import Training

/// `ftune compare`: trains every `--freeze` strategy on the same folds and reports mean ± std
/// of validation accuracy and loss, time and throughput.
///
/// Work is shared: strategies whose whole trunk up to the cut is frozen train on features
/// from the FeatureStore (computed once per image and cut, reused by every fold and by
/// strategies with the same cut). A strategy that fine-tunes layers before the end of the
/// trunk runs images through the trainable part every epoch and cannot use the cache past
/// its cut.
public final class CompareWorkflow {
  public let options: RunOptions
  public let settings: TrainSettings
  /// The strategies as given (`0,7,13,all`, layer names, or `auto`), before expansion.
  public let freezeList: [String]
  /// Folds for K-fold CV; nil or 1 uses the fixed `--val-split` split.
  public let cv: Int?
  public var progress: any TrainingProgress
  public var environment: [String: String]

  public init(
    options: RunOptions, freezeList: [String], cv: Int?,
    progress: any TrainingProgress = ConsoleProgress(),
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws {
    self.options = options
    self.settings = try TrainSettings(options)
    guard !freezeList.isEmpty else {
      throw WorkflowError.missingOption(
        "freeze", hint: "give a list of strategies, e.g. --freeze 0,7,13,all or --freeze auto")
    }
    self.freezeList = freezeList
    self.cv = cv
    self.progress = progress
    self.environment = environment
  }

  /// Runs every strategy on every fold and writes compare.json, compare.md, compare.png.
  @discardableResult
  public func run() throws -> CompareResult {
    let s = settings
    let dataset = try ImageDataset(directory: s.data, classes: s.classes)
    let samples = dataset.samples
    let labels = samples.map(\.label)
    let folds: CompareFolds
    if let cv, cv >= 2 {
      folds = try CompareFolds.stratified(labels: labels, k: cv, seed: s.training.seed)
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

    let base = try BaseModel.load(
      base: s.base, weights: s.weights, size: s.size, preprocessing: s.preprocessing,
      seed: s.training.seed, partial: s.partial, log: progress.message,
      environment: environment)
    // Each strategy and fold starts from the loaded weights (fine-tuning changes them).
    let initial = base.graph.parameters.map(\.value)
    let strategies = try Self.expand(freezeList, graph: base.graph, trunkEnd: base.trunkEnd)
    progress.message(
      "compare \(strategies.map(\.name).joined(separator: ", ")) on \(folds.folds.count)"
        + " fold(s) of \(samples.count) images (\(dataset.classes.joined(separator: ", ")))")
    let store = FeatureStore(
      root: FeatureStore.defaultRoot(cacheDir: s.cacheDir, environment: environment))

    var results: [CompareResult.Strategy] = []
    for strategy in strategies {
      var runs: [CompareResult.FoldRun] = []
      var trainable = 0
      var cached = false
      for (f, fold) in folds.folds.enumerated() {
        for (p, v) in zip(base.graph.parameters, initial) { p.value = v }
        let spec = HeadSpec(
          classes: dataset.classes.count, dropout: s.dropout > 0 ? s.dropout : nil,
          hidden: s.hidden > 0 ? s.hidden : nil, seed: s.training.seed)
        let (graph, headStart) = try HeadSwap.attach(spec, to: base.graph, cut: base.trunkEnd)
        graph.freeze(through: strategy.freezesNothing ? -1 : strategy.cut)
        trainable = graph.layers.reduce(0) { $0 + $1.trainableParameterCount }
        let trainSamples = fold.train.map { samples[$0] }
        let valSamples = fold.validation.map { samples[$0] }
        // Colour statistics for PCA lighting come from the training fold only.
        let augment = try Self.augmentation(
          s.augment, trainPaths: trainSamples.map(\.path), size: base.size)
        let pipeline = ImagePipeline(
          size: base.size, channels: base.channels, preprocessing: base.preprocessing,
          seed: s.training.seed &+ UInt64(f), augmentation: augment)
        cached =
          s.cache && augment == nil && !strategy.freezesNothing && strategy.cut > 0
          && TrainWorkflow.cutIsSelfContained(graph, strategy.cut)
        let train: any BatchProvider
        let validation: any BatchProvider
        if cached {
          let key = try FeatureKey(
            graph: graph, cut: strategy.cut, preprocessing: base.preprocessing, size: base.size)
          let extractor = FeatureExtractor(
            graph: graph, cut: strategy.cut, key: key, store: store,
            batchSize: s.training.batchSize)
          func featurise(_ part: [ImageDataset.Sample]) throws -> TensorBatches {
            let (features, _) = try extractor.features(
              ofImages: part.map(\.path), pipeline: pipeline)
            return try TensorBatches(data: features, labels: part.map(\.label))
          }
          train = try featurise(trainSamples)
          validation = try featurise(valSamples)
        } else {
          train = ImageBatches(
            paths: trainSamples.map(\.path), labels: trainSamples.map(\.label),
            pipeline: pipeline, augmented: true)
          validation = ImageBatches(
            paths: valSamples.map(\.path), labels: valSamples.map(\.label), pipeline: pipeline,
            augmented: false)
        }
        let run = try Self.fitAndEvaluate(
          graph: graph, headStart: headStart, feedNode: cached ? strategy.cut : 0,
          train: train, validation: validation, settings: s,
          classCounts: Self.counts(trainSamples.map(\.label), classes: dataset.classes.count))
        progress.message(
          "freeze \(strategy.name) fold \(f + 1)/\(folds.folds.count):"
            + " val accuracy \(NiceFormat.fixed(run.accuracy, 3)),"
            + " loss \(NiceFormat.fixed(run.loss, 3)), \(NiceFormat.fixed(run.seconds, 1)) s"
            + (cached ? " (cached features)" : ""))
        runs.append(run)
      }
      results.append(
        CompareResult.Strategy(
          freeze: strategy.name, cutLayer: strategy.cutLayer, trainableParams: trainable,
          cachedFeatures: cached, runs: runs))
    }
    for (p, v) in zip(base.graph.parameters, initial) { p.value = v }
    let result = CompareResult(
      strategies: results, folds: folds.folds.count, crossValidated: (cv ?? 0) >= 2,
      epochs: s.training.epochs)
    let out = URL(fileURLWithPath: s.out ?? "compare")
    try result.write(to: out)
    progress.message("wrote \(out.path)/compare.json, compare.md, compare.png")
    return result
  }

  static func counts(_ labels: [Int], classes: Int) -> [Int] {
    var c = [Int](repeating: 0, count: classes)
    for l in labels where l < classes { c[l] += 1 }
    return c
  }

  /// Trains `graph` on `train` from `feedNode` and evaluates it on `validation`: one fold of
  /// one strategy. The validation set is not seen during fitting (no early stopping or
  /// best-epoch selection on it).
  public static func fitAndEvaluate(
    graph: Graph, headStart: Int, feedNode: Int, train: any BatchProvider,
    validation: any BatchProvider, settings s: TrainSettings, classCounts: [Int]
  ) throws -> CompareResult.FoldRun {
    var options = s.training
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
    return CompareResult.FoldRun(
      accuracy: Double(evaluation.accuracy), loss: Double(evaluation.loss), seconds: seconds,
      imagesPerSecond: seconds > 0 ? Double(train.count * options.epochs) / seconds : 0)
  }

  /// `--augment` with PCA lighting statistics fitted on `trainPaths` (never on validation).
  static func augmentation(_ names: [String], trainPaths: [String], size: Int) throws
    -> Augmentation?
  {
    guard !names.isEmpty else { return nil }
    let statistics =
      names.contains("pca") ? try ColorStatistics.computed(paths: trainPaths) : .imagenet
    return try Augmentation(names, size: size, statistics: statistics)
  }
}

/// Fixed-decimal formatting for progress lines.
enum NiceFormat {
  static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
}
