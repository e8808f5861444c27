import Dataset
import Features
import Foundation
import HDF5
import ImageIO
import KerasIO
import Models
import Reports
import Runtime
import TensorCore
import Training

/// `ftune evaluate RUN DATA`: a trained run (or an ensemble of runs with the same classes,
/// probabilities averaged) scored on a labelled folder, optionally with 10-crop test-time
/// augmentation, written as metrics, CSV/PNG files and `report.html`.
///
/// A run whose frozen prefix ends in a self-contained cut reads the trunk's features from
/// the FeatureStore (and fills it): images a run trained or was evaluated on before, and
/// ensemble members sharing a frozen trunk, run the trunk once. 10-crop views are stored as
/// their own variants under a key naming the crop scheme.
public final class EvaluateWorkflow {
  public struct Request: Sendable {
    public var runs: [String]
    public var data: String
    public var tenCrop = false
    /// Output folder; nil for `<first run>/evaluate-<data folder name>`.
    public var out: String?
    public var topLosses = 16
    public var batchSize = 16
    /// `--bad-images`; skipped files are listed in `<out>/skipped.csv`.
    public var badImages = BadImagePolicy.error
    /// `--allow-external-hdf5`, for the runs' model files.
    public var trust = HDF5Trust.fileOnly

    public init(runs: [String], data: String) {
      self.runs = runs
      self.data = data
    }
  }

  public struct Result {
    public var report: ClassificationReport
    public var out: URL
    /// Feature-store use over all members (zero when no member could use it).
    public var featureStats: FeatureExtractor.Stats
    public var seconds: Double
  }

  public let request: Request
  public var progress: any TrainingProgress
  public var environment: [String: String]

  public init(
    _ request: Request, progress: any TrainingProgress = ConsoleProgress(),
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) {
    self.request = request
    self.progress = progress
    self.environment = environment
  }

  /// The crop scheme's identity in feature keys: another crop rule must get another key.
  static let tenCropIdentity = "tta=10crop shorter=size*256/224 order=torchvision v1"

  @discardableResult
  public func run() throws -> Result {
    let started = Date()
    let predictor = try Predictor(runs: request.runs, trust: request.trust)
    let classes = predictor.classes
    try Self.checkClassFolders(request.data, classes: classes)
    let out = URL(fileURLWithPath: request.out ?? Self.defaultOut(request))
    let dataset = try ImageDataset(directory: request.data, classes: classes).applying(
      request.badImages, csv: out.appendingPathComponent("skipped.csv"), log: progress.message)
    let paths = dataset.samples.map(\.path)
    let labels = dataset.samples.map(\.label)
    progress.message(
      "evaluating \(predictor.members.map(\.directory).joined(separator: " + ")) on"
        + " \(paths.count) images of \(classes.count) classes in \(request.data)"
        + (request.tenCrop ? " (10-crop)" : ""))

    var sum = [[Double]](
      repeating: [Double](repeating: 0, count: classes.count), count: paths.count)
    var stats = FeatureExtractor.Stats()
    for (m, member) in predictor.members.enumerated() {
      let (probs, st) = try probabilities(
        member, paths: paths, labels: labels, classCount: classes.count, index: m,
        of: predictor.members.count)
      stats.reused += st.reused
      stats.computed += st.computed
      for i in paths.indices {
        for c in classes.indices { sum[i][c] += Double(probs[i][c]) }
      }
    }
    let n = Double(predictor.members.count)
    let metrics = try ClassificationMetrics(
      probabilities: sum.map { $0.map { $0 / n } }, labels: labels, classes: classes)
    var report = ClassificationReport(metrics: metrics, paths: paths)
    report.topLossCount = request.topLosses

    let title = "Evaluation of " + request.runs.map { ($0 as NSString).lastPathComponent }
      .joined(separator: " + ")
    let thumbs = try report.write(to: out, title: title)
    let seconds = Date().timeIntervalSince(started)
    var settings: [(String, String)] = [
      ("data", request.data), ("images", "\(paths.count)"),
      ("classes", classes.joined(separator: ", ")),
      ("test-time augmentation", request.tenCrop ? "10-crop (averaged)" : "none"),
      ("ensemble", predictor.members.count > 1
        ? "\(predictor.members.count) runs, probabilities averaged" : "no"),
    ]
    for member in predictor.members {
      let c = member.config
      settings.append((
        "run \(member.directory)",
        "base \(c[.base]), freeze \(c[.freeze]), size \(c[.size]), preprocess"
          + " \(c[.preprocess]), weights \(c[.weights])"))
    }
    settings.append((
      "feature store", "\(stats.reused) reused, \(stats.computed) computed"))
    settings.append(("seconds", NiceScale.format(seconds, fractionDigits: 1)))
    try HTMLReport(
      title: title, subtitle: "ftune evaluate · \(Self.timestamp())",
      sections: report.sections(thumbnails: thumbs) + [.settings(settings)]
    ).write(to: out)
    progress.message("wrote \(out.path)/\(HTMLReport.fileName) and its files")
    return Result(report: report, out: out, featureStats: stats, seconds: seconds)
  }

  /// DATA must hold exactly the run's class folders: an extra one would be silently
  /// ignored, a missing one would make the metrics about fewer classes than asked.
  static func checkClassFolders(_ data: String, classes: [String]) throws {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: data, isDirectory: &isDir), isDir.boolValue
    else { throw DatasetError.missingDirectory(path: data) }
    let folders = ((try? FileManager.default.contentsOfDirectory(atPath: data)) ?? [])
      .filter { name in
        var d: ObjCBool = false
        return !name.hasPrefix(".")
          && FileManager.default.fileExists(atPath: data + "/" + name, isDirectory: &d)
          && d.boolValue
      }
    let unknown = folders.filter { !classes.contains($0) }.sorted()
    let missing = classes.filter { !folders.contains($0) }
    guard unknown.isEmpty, missing.isEmpty else {
      throw WorkflowError.classFolders(
        data: data, unknown: unknown, missing: missing, classes: classes)
    }
  }

  static func defaultOut(_ request: Request) -> String {
    let name = URL(fileURLWithPath: request.data).standardizedFileURL.lastPathComponent
    return (request.runs[0] as NSString).appendingPathComponent("evaluate-\(name)")
  }

  static func timestamp() -> String {
    let f = DateFormatter()
    f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: Date())
  }

  /// The last trunk node of a trained run's graph: the node before its head.
  static func trunkEnd(_ graph: Graph) -> Int {
    let head: Set<String> = [
      HeadSpec.poolName, HeadSpec.dropoutName, HeadSpec.hiddenName, HeadSpec.predictionsName,
    ]
    return (graph.nodes.firstIndex { head.contains($0.layer.name) } ?? graph.nodes.count - 1) - 1
  }

  /// The cut whose features the store can hold for `member`: training's (the frozen prefix,
  /// at most the trunk), when it is past the input and no later node reads across it.
  static func featureCut(_ member: Predictor.Member) -> Int? {
    let c = member.config
    guard !["off", "false", "no"].contains(c[.cache].lowercased()) else { return nil }
    let spec = FreezeSpec(c[.freeze].isEmpty ? "all" : c[.freeze])
    guard spec != .count(0), let cut = try? member.graph.cutIndex(for: spec) else { return nil }
    let end = min(cut, trunkEnd(member.graph))
    guard end > 0, member.graph.isSelfContained(cut: end) else { return nil }
    return end
  }

  /// One member's probabilities `[image][class]`, with progress as training shows it.
  func probabilities(
    _ member: Predictor.Member, paths: [String], labels: [Int], classCount: Int, index: Int,
    of count: Int
  ) throws -> ([[Float]], FeatureExtractor.Stats) {
    let p = member.pipeline
    let crops = request.tenCrop ? 10 : 1
    let started = Date()
    var out: [[Float]] = []
    var lossSum = 0.0, right = 0
    func collect(_ y: Tensor) throws {
      let k = y.shape.last ?? 0
      guard y.rank == 2, k == classCount, y.shape[0] % crops == 0 else {
        throw WorkflowError.notARun(path: member.directory, missing: "a class-probability output")
      }
      for r in stride(from: 0, to: y.shape[0], by: crops) {
        var row = [Float](repeating: 0, count: k)
        for j in 0..<crops {
          for c in 0..<k { row[c] += y.scalars[(r + j) * k + c] / Float(crops) }
        }
        let i = out.count
        lossSum -= Foundation.log(max(Double(row[labels[i]]), ClassificationMetrics.epsilon))
        if row.indices.max(by: { row[$0] < row[$1] }) == labels[i] { right += 1 }
        out.append(row)
      }
      let done = out.count
      let elapsed = Date().timeIntervalSince(started)
      let rate = elapsed > 0 ? Double(done) / elapsed : 0
      progress.batchDone(
        epoch: index + 1, epochs: count, step: done, steps: paths.count,
        loss: Float(lossSum / Double(done)), accuracy: Float(right) / Float(done),
        imagesPerSecond: rate, etaSeconds: rate > 0 ? Double(paths.count - done) / rate : .nan)
    }
    // The network inputs of items (images, or image × crop with 10-crop).
    let plain = ImageBatches(
      paths: paths, labels: labels, pipeline: p, augmented: false)
    func inputs(_ items: [Int]) throws -> Tensor {
      guard request.tenCrop else { return try plain.inputs(items, epoch: 0) }
      // Items come a whole image (10 crops) at a time: see the batch sizes below.
      let image = try Image.decode(file: paths[items[0] / crops])
      return try p.tenCropInputs(image)
    }
    let batch = max(1, request.batchSize)
    var stats = FeatureExtractor.Stats()
    if let cut = Self.featureCut(member) {
      let store = FeatureStore(
        root: FeatureStore.defaultRoot(
          cacheDir: member.config[.cacheDir].isEmpty ? nil : member.config[.cacheDir],
          environment: environment))
      var key = try FeatureKey(
        graph: member.graph, cut: cut, preprocessing: p.preprocessing, size: p.size,
        layerOptions: kerasOptionsFingerprint)
      if request.tenCrop { key = key.augmented(Self.tenCropIdentity) }
      let hashes = try paths.map { try FeatureItem.hash(fileAt: URL(fileURLWithPath: $0)) }
      // Images in groups, so memory holds one group's features, not the whole set's.
      let group = request.tenCrop ? 16 : 256
      for start in stride(from: 0, to: paths.count, by: group) {
        let images = Array(start..<min(paths.count, start + group))
        let items = images.flatMap { i in
          (0..<crops).map { FeatureItem(image: hashes[i], variant: request.tenCrop ? $0 + 1 : 0) }
        }
        let extractor = FeatureExtractor(
          graph: member.graph, cut: cut, key: key, store: store,
          batchSize: request.tenCrop ? crops : batch)
        let (features, st) = try extractor.features(
          for: items,
          plan: { chunks in
            if !request.tenCrop { plain.willRequest(chunks.map { $0.map { $0 + start } }, epoch: 0) }
          },
          load: { try inputs($0.map { $0 + start * crops }) })
        stats.reused += st.reused
        stats.computed += st.computed
        let rows = try TensorBatches(data: features, labels: [Int](repeating: 0, count: items.count))
        for s in stride(from: 0, to: items.count, by: batch * crops) {
          let x = try rows.inputs(Array(s..<min(items.count, s + batch * crops)), epoch: 0)
          try collect(try member.graph.forward(seeds: [cut: x], mode: .inference))
        }
      }
      progress.message(
        "\(member.directory): features at \(member.graph.nodes[cut].layer.name):"
          + " \(stats.reused) reused, \(stats.computed) computed (store \(store.root.path))")
    } else {
      let chunks = stride(from: 0, to: paths.count, by: request.tenCrop ? 1 : batch).map {
        Array($0..<min(paths.count, $0 + (request.tenCrop ? 1 : batch)))
      }
      if !request.tenCrop { plain.willRequest(chunks, epoch: 0) }
      for chunk in chunks {
        let items = chunk.flatMap { i in (0..<crops).map { i * crops + $0 } }
        try collect(try member.graph.forward(try inputs(request.tenCrop ? items : chunk),
                                             mode: .inference))
        if let signal = Interruption.requested {
          throw Interrupted(signal: signal, what: "evaluating after \(out.count) images")
        }
      }
    }
    let seconds = Date().timeIntervalSince(started)
    progress.message(
      "\(member.directory): \(paths.count) images in \(NiceScale.format(seconds, fractionDigits: 1))"
        + " s (\(NiceScale.format(Double(paths.count) / max(seconds, 1e-9), fractionDigits: 1))"
        + " images/s)")
    return (out, stats)
  }
}
