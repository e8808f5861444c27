import Dataset
import Features
import Foundation
import HDF5
import ImageIO
import KerasIO
import Models
import TensorCore
import Training

/// `ftune doctor`: what is wrong with a labelled image folder before training on it, from the
/// frozen base's cached features: suspected label errors (confident learning on out-of-fold
/// predictions of the linear head, on `compare`'s folds), exact and near duplicates and the
/// ones straddling the train/validation split or two classes, a learning curve with a
/// power-law extrapolation, class balance and image quality. Reads images; never moves or
/// deletes one.
public final class DoctorWorkflow {
  public struct Request: Sendable {
    public var folds = 5
    /// Random training subsets per fold at each fraction below 100 %.
    public var repeats = 2
    /// k-fold partitions whose out-of-fold probabilities are averaged for the label check.
    public var partitions = 5
    public var nearThreshold = DuplicateFinder.defaultThreshold
    public var learningCurve = true

    public init() {}
  }

  /// What doctor uses unless a recipe or flag says otherwise: its head is an L2-regularized
  /// logistic regression (SGD at 0.01 with weight decay 0.01, which for plain SGD is an L2
  /// penalty), because its out-of-fold probabilities must converge without memorizing the
  /// wrong labels. Training's Adam at 0.001 for 500 steps leaves them at p ≈ 0.5; Adam at
  /// 0.01 without decay found 2-3 of the demo's 4 swaps, this 3-4 (docs/doctor.md).
  public static let defaults: [RunOption: String] = [
    .optimizer: "sgd", .lr: "0.01", .weightDecay: "0.01",
  ]

  /// `defaults` under the recipe's values under the flags.
  public static func options(recipe: [RunOption: String] = [:], flags: [RunOption: String])
    -> RunOptions
  {
    RunOptions(recipe: defaults.merging(recipe) { $1 }, flags: flags)
  }

  public let settings: TrainSettings
  public let request: Request
  public var progress: any TrainingProgress
  public var environment: [String: String]

  public init(
    options: RunOptions, request: Request = Request(),
    progress: any TrainingProgress = ConsoleProgress(), trust: HDF5Trust = .fileOnly,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws {
    var settings = try TrainSettings(options)
    settings.hdf5Trust = trust
    self.settings = settings
    guard request.folds >= 2 else {
      throw WorkflowError.badValue(
        option: "folds", value: "\(request.folds)", hint: "use 2 or more folds (5 is usual)")
    }
    guard (0...1).contains(request.nearThreshold) else {
      throw WorkflowError.badValue(
        option: "near", value: "\(request.nearThreshold)",
        hint: "use a cosine similarity from 0 to 1 (default \(DuplicateFinder.defaultThreshold))")
    }
    self.request = request
    self.progress = progress
    self.environment = environment
  }

  /// The output folder: `--out`, else ./doctor.
  public var out: URL { URL(fileURLWithPath: settings.out ?? "doctor") }

  /// Runs every check and writes doctor.json, the CSVs, the PNGs and report.html into `out`.
  @discardableResult
  public func run() throws -> DoctorResult {
    let started = Date()
    let s = settings
    let all = try DoctorSamples.load(
      data: s.data, classes: s.classes, validationSplit: s.validationSplit, seed: s.training.seed)
    progress.message(
      "doctor: \(all.paths.count) images in \(all.classes.count) classes under \(s.data)"
        + " (validation: \(all.splitSource))")
    let (scanned, undecodable) = DoctorImageFacts.scan(all.paths)
    for file in undecodable { progress.message("undecodable (left out): \(file.reason)") }
    let keep = all.paths.indices.filter { scanned[$0] != nil }
    let facts = keep.compactMap { scanned[$0] }
    let samples = all.subset(keep)
    guard samples.paths.count > request.folds else {
      throw WorkflowError.badValue(
        option: "folds", value: "\(request.folds)",
        hint: "\(samples.paths.count) readable images cannot fill \(request.folds) folds;"
          + " use fewer folds or add images")
    }

    let base = try BaseModel.load(
      base: s.base, weights: s.weights, size: s.size, preprocessing: s.preprocessing,
      seed: s.training.seed, partial: s.partial, trust: s.hdf5Trust, log: progress.message,
      environment: environment)
    let cut = try base.cut(for: FreezeSpec(s.freeze)).cut
    let cutLayer = base.graph.nodes[cut].layer.name
    guard cut > 0, base.graph.isSelfContained(cut: cut) else {
      throw WorkflowError.badValue(
        option: "freeze", value: s.freeze,
        hint: "doctor reads cached features at a frozen cut; \(cutLayer) is "
          + (cut == 0 ? "the input" : "skipped over by a later layer")
          + ": use --freeze all or the name of a layer that ends a block")
    }
    let (features, stats) = try extract(
      facts: facts, samples: samples, base: base, cut: cut)
    let featureSeconds = Date().timeIntervalSince(started)
    progress.message(
      "features at \(cutLayer): \(stats.reused) reused, \(stats.computed) computed"
        + " (\(NiceFormat.fixed(featureSeconds, 1)) s)")

    let analysis = Date()
    let folds = try CompareFolds.stratified(
      labels: samples.labels, k: request.folds, seed: s.training.seed)
    let head = DoctorHead(classes: samples.classes.count, settings: s)
    let (curve, firstOOF) = try LearningCurve.measure(
      features: features, labels: samples.labels, classes: samples.classes, folds: folds,
      fractions: request.learningCurve ? LearningCurve.standardFractions : [1],
      repeats: request.repeats, seed: s.training.seed, head: head, log: progress.message)
    let oof = try OutOfFold.probabilities(
      features: features, labels: samples.labels, k: request.folds, seed: s.training.seed,
      partitions: request.partitions, first: firstOOF, head: head)
    let issues = ConfidentLearning.issues(
      oof, labels: samples.labels, classes: samples.classes, paths: samples.paths)
    let oofAccuracy = Double(zip(oof, samples.labels).filter { argmax($0) == $1 }.count)
      / Double(samples.labels.count)
    let pairs = DuplicateFinder.pairs(
      fileHashes: facts.map(\.fileHash), pixelHashes: facts.map(\.pixelHash),
      features: features, threshold: request.nearThreshold
    ).map { p in
      DuplicatePair(
        kind: p.kind, a: p.a, b: p.b, pathA: samples.paths[p.a], pathB: samples.paths[p.b],
        similarity: p.similarity, classA: samples.classes[samples.labels[p.a]],
        classB: samples.classes[samples.labels[p.b]], splitA: samples.splits[p.a],
        splitB: samples.splits[p.b])
    }
    let counts = CompareWorkflow.counts(samples.labels, classes: samples.classes.count)
    let result = DoctorResult(
      data: s.data, splitSource: all.splitSource, base: s.base, cutLayer: cutLayer,
      folds: request.folds, seed: s.training.seed, classes: samples.classes, counts: counts,
      imbalanceRatio: Double(counts.max() ?? 0) / Double(max(1, counts.min() ?? 0)),
      quality: Self.quality(facts, undecodable: undecodable, inputSide: base.size),
      outOfFoldAccuracy: oofAccuracy, labelIssues: issues, nearThreshold: request.nearThreshold,
      duplicates: pairs, learningCurve: request.learningCurve ? curve : nil,
      featuresReused: stats.reused, featuresComputed: stats.computed,
      featureSeconds: featureSeconds, analysisSeconds: Date().timeIntervalSince(analysis))
    try result.write(to: out)
    progress.message("wrote \(out.path)/report.html, doctor.json and its CSV and PNG files")
    return result
  }

  /// Pooled features `[image][channel]` at `cut` from the store, computing what it lacks.
  func extract(
    facts: [DoctorImageFacts], samples: DoctorSamples, base: BaseModel, cut: Int
  ) throws -> (features: [[Float]], stats: FeatureExtractor.Stats) {
    let s = settings
    let store = FeatureStore(
      root: FeatureStore.defaultRoot(cacheDir: s.cacheDir, environment: environment))
    let key = try FeatureKey(
      graph: base.graph, cut: cut, preprocessing: base.preprocessing, size: base.size,
      layerOptions: kerasOptionsFingerprint)
    let extractor = FeatureExtractor(
      graph: base.graph, cut: cut, key: key, store: store, batchSize: s.training.batchSize)
    extractor.pooling = .avg
    let pipeline = ImagePipeline(
      size: base.size, channels: base.channels, preprocessing: base.preprocessing,
      seed: s.training.seed)
    let source = ImageBatches(
      paths: samples.paths, labels: samples.labels, pipeline: pipeline, augmented: false)
    let progress = self.progress
    var lastTenth = -1
    extractor.onProgress = { done, total in
      // One line per tenth: a first run on thousands of photos takes minutes.
      let tenth = 10 * done / max(1, total)
      if tenth > lastTenth {
        lastTenth = tenth
        progress.message("features: \(done)/\(total)")
      }
    }
    let (t, stats) = try extractor.features(
      for: facts.map { FeatureItem(image: $0.fileHash, variant: 0) },
      plan: { source.willRequest($0, epoch: 0) }, load: { try source.inputs($0, epoch: 0) })
    let d = t.count / max(1, facts.count)
    let rows = (0..<facts.count).map { Array(t.scalars[($0 * d)..<(($0 + 1) * d)]) }
    return (rows, stats)
  }

  /// Tiny, extreme-aspect and (in a mostly colour set) grey images, and undecodable files.
  static func quality(
    _ facts: [DoctorImageFacts], undecodable: [SkippedImage], inputSide: Int
  ) -> DoctorResult.Quality {
    let tinySide = max(16, inputSide / 2)
    let size = { (f: DoctorImageFacts) in "\(f.width)x\(f.height)" }
    let grey = facts.filter(\.grayscale)
    return DoctorResult.Quality(
      tinySide: tinySide,
      tiny: facts.filter { min($0.width, $0.height) < tinySide }
        .map { .init(path: $0.path, note: size($0)) },
      extremeAspect: facts.filter {
        Double(max($0.width, $0.height)) > 3 * Double(max(1, min($0.width, $0.height)))
      }.map { .init(path: $0.path, note: size($0)) },
      grayscale: grey.count * 2 < facts.count
        ? grey.map { .init(path: $0.path, note: "grey in a colour set") } : [],
      undecodable: undecodable.map { .init(path: $0.path, note: $0.reason) })
  }
}

/// The images `ftune doctor` looks at, each with its class and side of the split.
struct DoctorSamples {
  var paths: [String]
  var labels: [Int]
  /// "train" or "val" per image.
  var splits: [String]
  var classes: [String]
  var splitSource: String

  /// `data/train/<class>` and `data/val/<class>` (or `validation/`) when both exist, else
  /// `data/<class>` with the seeded `--val-split` split that training makes.
  static func load(data: String, classes: [String]?, validationSplit: Double, seed: UInt64)
    throws -> DoctorSamples
  {
    let fm = FileManager.default
    func isFolder(_ path: String) -> Bool {
      var d: ObjCBool = false
      return fm.fileExists(atPath: path, isDirectory: &d) && d.boolValue
    }
    let train = data + "/train"
    if isFolder(train),
      let val = ["val", "validation"].map({ data + "/" + $0 }).first(where: isFolder)
    {
      let t = try ImageDataset(directory: train, classes: classes)
      let v = try ImageDataset(directory: val, classes: t.classes)
      let all = t.samples + v.samples
      return DoctorSamples(
        paths: all.map(\.path), labels: all.map(\.label),
        splits: t.samples.map { _ in "train" } + v.samples.map { _ in "val" },
        classes: t.classes,
        splitSource: "the train/ and \((val as NSString).lastPathComponent)/ folders")
    }
    let dataset = try ImageDataset(directory: data, classes: classes)
    let held = Set(try dataset.split(validationFraction: validationSplit, seed: seed).validation)
    return DoctorSamples(
      paths: dataset.samples.map(\.path), labels: dataset.samples.map(\.label),
      splits: dataset.samples.map { held.contains($0) ? "val" : "train" },
      classes: dataset.classes,
      splitSource: "--val-split \(validationSplit) with --seed \(seed), as training splits")
  }

  func subset(_ indices: [Int]) -> DoctorSamples {
    DoctorSamples(
      paths: indices.map { paths[$0] }, labels: indices.map { labels[$0] },
      splits: indices.map { splits[$0] }, classes: classes, splitSource: splitSource)
  }
}
