import Dataset
import Features
import Foundation
import HDF5
import ImageIO
import KerasIO
import Layers
import Models
import Runtime
import TensorCore
import Training

/// `ftune` (train): base + weights → freeze → new head → (cached features) → fit → run dir.
public final class TrainWorkflow {
  public let options: RunOptions
  public let settings: TrainSettings
  public var progress: any TrainingProgress
  public var environment: [String: String]
  /// The ranks of `mpirun -n P` training together (data-parallel); only rank 0 prints and
  /// writes the run directory. One process by default.
  public var communicator: any Communicator = SingleProcess()

  public init(
    options: RunOptions, progress: any TrainingProgress = ConsoleProgress(),
    trust: HDF5Trust = .fileOnly,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws {
    self.options = options
    var settings = try TrainSettings(options)
    settings.hdf5Trust = trust
    self.settings = settings
    self.progress = progress
    self.environment = environment
  }

  /// What a finished run produced.
  public struct Summary {
    public var runDirectory: URL
    public var history: [EpochMetrics]
    public var cached: Bool
    public var featureStats: FeatureExtractor.Stats?
    public var validation: Trainer.Evaluation?
    /// The epoch whose weights were kept (the best validation loss with early stopping).
    public var bestEpoch: Int
  }

  /// Trains and writes the run directory; `resume` continues from its checkpoint.
  @discardableResult
  public func run(resume: Bool = false) throws -> Summary {
    let s = settings
    let started = Date()
    if !communicator.isRoot { progress = SilentProgress() }
    // 1. Data first: a wrong folder fails before minutes of weight loading.
    let out = try sharedOut(s)
    let dataset = try ImageDataset(directory: s.data, classes: s.classes).applying(
      s.badImages,
      csv: communicator.isRoot ? RunDirectory(url: URL(fileURLWithPath: out)).skippedURL : nil,
      log: progress.message)
    let (trainSamples, valSamples) = try dataset.split(
      validationFraction: s.validationSplit, seed: s.training.seed)
    guard !trainSamples.isEmpty else { throw TrainingError.emptyDataset(what: "training") }

    // 2. Base, weights, head, freezing.
    let base = try BaseModel.load(
      base: s.base, weights: s.weights, size: s.size, preprocessing: s.preprocessing,
      seed: s.training.seed, partial: s.partial, trust: s.hdf5Trust, log: progress.message,
      environment: environment)
    let spec = HeadSpec(
      classes: dataset.classes.count, dropout: s.dropout > 0 ? s.dropout : nil,
      hidden: s.hidden > 0 ? s.hidden : nil, seed: s.training.seed)
    let freezeSpec = FreezeSpec(s.freeze)
    // The cut is exactly the layer --freeze names; the head goes after it, or after the
    // base's trunk end when the cut lies before (layers between them train).
    let (cutNode, kept) = try base.cut(for: freezeSpec)
    let (graph, headStart) = try HeadSwap.attach(spec, to: base.graph, cut: kept)
    func applyFreeze(_ spec: FreezeSpec, _ c: Int) {
      graph.freeze(through: spec == .count(0) ? -1 : min(c, kept))
    }
    applyFreeze(freezeSpec, cutNode)
    progress.message(
      "\(s.base): \(graph.nodes.count) layers, weights \(base.weights), frozen through"
        + " \(cutNode > 0 ? graph.nodes[cutNode].layer.name : "nothing") (--freeze \(s.freeze)),"
        + " new head after \(graph.nodes[kept].layer.name) \(graph.nodes[kept].outputShape);"
        + " classes \(dataset.classes.joined(separator: ", "))"
        + " (\(trainSamples.count) train, \(valSamples.count) validation)")
    if let note = base.unusedNote(
      kept: kept, what: "the new head after \(graph.nodes[kept].layer.name)")
    {
      progress.message(note)
    }

    // 3. Inputs: cached features at the cut when everything before it is frozen.
    let augment = try Augmentation(s.augment, size: base.size)
    let pipeline = ImagePipeline(
      size: base.size, channels: base.channels, preprocessing: base.preprocessing,
      seed: s.training.seed, augmentation: augment)
    let variants = augment == nil ? 1 : s.cacheVariants
    let canCache =
      s.cache && cutNode > 0 && freezeSpec != .count(0) && s.training.unfreezeAt.isEmpty
      && (augment == nil || s.cacheVariants > 1) && graph.isSelfContained(cut: cutNode)
    if s.cache && cutNode > 0 && !graph.isSelfContained(cut: cutNode) {
      progress.message(
        "features at \(graph.nodes[cutNode].layer.name) are not cached: a later layer skips"
          + " over it, so images run through the frozen layers every epoch")
    }
    let train: any BatchProvider
    let validation: (any BatchProvider)?
    var stats: FeatureExtractor.Stats?
    if canCache {
      let store = FeatureStore(
        root: FeatureStore.defaultRoot(cacheDir: s.cacheDir, environment: environment))
      let key = try FeatureKey(
        graph: graph, cut: cutNode, preprocessing: base.preprocessing, size: base.size,
        layerOptions: kerasOptionsFingerprint)
      // Augmented variants live under a key that also names the augmentation (ops, seed,
      // statistics, RNG derivation), so another --augment never reuses them.
      let augmentedKey = augment.map { key.augmented($0.identity(seed: pipeline.seed)) }
      var total = FeatureExtractor.Stats()
      func featurise(_ samples: [ImageDataset.Sample], variant: Int) throws -> TensorBatches {
        // Under mpirun each rank first fills the store with its share (see shareFeaturing).
        try shareFeaturing(samples) { _ = try compute($0, variant: variant) }
        let (f, st) = try compute(samples, variant: variant)
        total.reused += st.reused
        total.computed += st.computed
        return try TensorBatches(data: f, labels: samples.map(\.label))
      }
      func compute(_ samples: [ImageDataset.Sample], variant: Int) throws -> (
        Tensor, FeatureExtractor.Stats
      ) {
        let extractor = FeatureExtractor(
          graph: graph, cut: cutNode, key: variant > 0 ? augmentedKey ?? key : key,
          store: store, batchSize: s.training.batchSize)
        return try extractor.features(
          ofImages: samples.map(\.path), pipeline: pipeline, variant: variant)
      }
      let trainVariants = try (augment == nil ? [0] : Array(1...variants)).map {
        try featurise(trainSamples, variant: $0)
      }
      train = VariantBatches(variants: trainVariants, labels: trainSamples.map(\.label))
      validation = valSamples.isEmpty ? nil : try featurise(valSamples, variant: 0)
      stats = total
      progress.message(
        "features at \(graph.nodes[cutNode].layer.name): \(total.reused) reused,"
          + " \(total.computed) computed (store \(store.root.path), key \(key))")
    } else {
      train = ImageBatches(
        paths: trainSamples.map(\.path), labels: trainSamples.map(\.label), pipeline: pipeline,
        augmented: true)
      validation =
        valSamples.isEmpty
        ? nil
        : ImageBatches(
          paths: valSamples.map(\.path), labels: valSamples.map(\.label), pipeline: pipeline,
          augmented: false)
    }

    // 4. Fit.
    var trainingOptions = s.training
    trainingOptions.classWeights = try s.lossWeights(counts: dataset.countsPerClass)
    let optimizer: any TrainerOptimizer =
      s.optimizer == "sgd"
      ? SGD(
        learningRate: trainingOptions.learningRate, momentum: s.momentum,
        weightDecay: s.weightDecay)
      : Adam(learningRate: trainingOptions.learningRate, weightDecay: s.weightDecay)
    let trainer = Trainer(
      graph: graph, optimizer: optimizer, options: trainingOptions,
      feedNode: canCache ? cutNode : 0, headStart: headStart)
    trainer.progress = progress
    trainer.refreeze = { n in
      let spec = FreezeSpec.count(n)
      applyFreeze(spec, try base.graph.cutIndex(for: spec))
    }
    trainer.communicator = communicator
    let runDir = RunDirectory(url: URL(fileURLWithPath: out))
    if communicator.isRoot { try runDir.prepare() }
    trainer.checkpointURL = runDir.checkpointURL
    let result: Trainer.Result
    do {
      result = try trainer.fit(train: train, validation: validation, resume: resume)
    } catch var stop as Interrupted {
      stop.runDirectory = runDir.url.path  // a resume must name it (the default is dated)
      throw stop
    }
    // Resuming a run that had finished: its files (model.h5 with the best epoch's weights,
    // whose file `write` removed) stay as they are; the graph holds the last epoch's.
    if result.alreadyFinished, runDir.isComplete {
      progress.message(
        "\(runDir.url.path) has finished (\(result.history.count) epochs, model.h5 holds"
          + " epoch \(result.bestEpoch)): nothing to resume, its files are left as they are")
      return Summary(
        runDirectory: runDir.url, history: result.history, cached: canCache,
        featureStats: stats, validation: nil, bestEpoch: result.bestEpoch)
    }
    guard communicator.isRoot else {
      return Summary(
        runDirectory: runDir.url, history: result.history, cached: canCache,
        featureStats: stats, validation: nil, bestEpoch: result.bestEpoch)
    }

    // 5. The run directory.
    var resolved = options
    resolved.set(.size, "\(base.size)")
    resolved.set(.preprocess, base.preprocessing.rawValue)
    resolved.set(.classes, dataset.classes.joined(separator: ","))
    resolved.set(.out, runDir.url.path)
    if s.weights.isEmpty { resolved.set(.weights, base.weights) }
    let evaluation = try validation.map { try trainer.evaluate($0) }
    try runDir.write(
      graph: graph, config: resolved, history: result.history, classes: dataset.classes,
      validation: evaluation, validationLabels: valSamples.map(\.label),
      validationPaths: valSamples.map(\.path),
      seconds: Date().timeIntervalSince(started), bestEpoch: result.bestEpoch)
    progress.message("wrote \(runDir.url.path)")
    return Summary(
      runDirectory: runDir.url, history: result.history, cached: canCache, featureStats: stats,
      validation: evaluation, bestEpoch: result.bestEpoch)
  }

  static func defaultOut(_ base: String) -> String {
    let f = DateFormatter()
    f.dateFormat = "yyyyMMdd-HHmmss"
    f.timeZone = TimeZone(identifier: "UTC")
    let name = URL(fileURLWithPath: base).deletingPathExtension().lastPathComponent
    return "runs/\(name)-\(f.string(from: Date()))"
  }
}
