import Dataset
import Features
import Foundation
import HDF5
import ImageIO
import KerasIO
import Models
import TensorCore
import Training

/// `ftune cache`: the cut layer's features of every image under `--data`, computed into
/// (or reused from) the shared store, exported as an HDF5 feature file.
public struct CacheWorkflow {
  public var base: String
  public var weights: String
  public var freeze: String
  public var data: String
  public var classes: [String]?
  public var out: String
  public var size: Int?
  public var preprocessing: Preprocessing?
  public var pooling: FeaturePooling
  public var cacheDir: String?
  public var batchSize: Int
  public var seed: UInt64 = 0
  public var partial = false
  /// `--bad-images`; skipped files are listed in `<out>.skipped.csv` beside the feature file.
  public var badImages = BadImagePolicy.error
  /// `--allow-external-hdf5` (see `HDF5Trust`).
  public var trust = HDF5Trust.fileOnly
  /// `--shard i/n`: compute and write only this shard (see `ShardSpec`).
  public var shard: ShardSpec?
  /// Under `mpirun -n P`, rank r computes shard r+1/P and rank 0 merges (see
  /// `CacheWorkflow+Distributed`).
  public var communicator: any Communicator = SingleProcess()
  public var environment = ProcessInfo.processInfo.environment

  public init(
    base: String, weights: String, freeze: String, data: String, classes: [String]?,
    out: String, size: Int?, preprocessing: Preprocessing?, pooling: FeaturePooling,
    cacheDir: String?, batchSize: Int
  ) {
    self.base = base
    self.weights = weights
    self.freeze = freeze
    self.data = data
    self.classes = classes
    self.out = out
    self.size = size
    self.preprocessing = preprocessing
    self.pooling = pooling
    self.cacheDir = cacheDir
    self.batchSize = batchSize
  }

  /// Computes what is missing, writes `out`, and returns the file and the store statistics.
  public func run(log: @escaping (String) -> Void = { _ in }) throws -> (
    FeatureFile, FeatureExtractor.Stats
  ) {
    let skippedCSV = URL(fileURLWithPath: out).deletingPathExtension()
      .appendingPathExtension("skipped.csv")
    let dataset = try ImageDataset(directory: data, classes: classes).applying(
      badImages, csv: communicator.isRoot ? skippedCSV : nil, log: log)
    let model = try BaseModel.load(
      base: base, weights: weights, size: size, preprocessing: preprocessing, seed: seed,
      partial: partial, trust: trust, log: log, environment: environment)
    let graph = model.graph
    // Exactly the layer --freeze names, whatever its rank (`all`: the trunk end).
    let cut = try graph.cutIndex(for: FreezeSpec(freeze))
    guard cut > 0 else {
      throw WorkflowError.badValue(
        option: "freeze", value: freeze, hint: "cache a cut after the input: a layer name or N ≥ 1")
    }
    let cutName = graph.nodes[cut].layer.name
    let cutShape = graph.nodes[cut].outputShape
    if pooling != .none && cutShape.count != 3 {
      throw WorkflowError.badValue(
        option: "pool", value: pooling.rawValue,
        hint: "\(cutName) outputs \(cutShape), not spatial [H, W, C]: leave out --pool")
    }
    if let note = model.unusedNote(kept: cut, what: "caching \(cutName) \(cutShape)") {
      log(note)
    }
    let pipeline = ImagePipeline(
      size: model.size, channels: model.channels, preprocessing: model.preprocessing)
    let store = FeatureStore(
      root: FeatureStore.defaultRoot(cacheDir: cacheDir, environment: environment))
    let key = try FeatureKey(
      graph: graph, cut: cut, preprocessing: model.preprocessing, size: model.size,
      layerOptions: kerasOptionsFingerprint)
    let extractor = FeatureExtractor(
      graph: graph, cut: cut, key: key, store: store, batchSize: batchSize)
    extractor.onProgress = { done, total in log("features: \(done)/\(total)") }
    extractor.pooling = pooling
    // Sorted relative paths, as the file promises.
    let root = URL(fileURLWithPath: data).standardizedFileURL.path
    let all = dataset.samples.map { s in
      (s, relative(s.path, to: root))
    }.sorted { $0.1 < $1.1 }
    // Shards take whole forward batches (see `ShardSpec`), so their block is the batch size.
    let shard = self.shard.map { spec in
      var s = spec
      s.block = max(1, batchSize)
      return s
    }
    let samples = shard.map { spec in
      all.enumerated().filter { spec.contains($0.offset) }.map(\.element)
    } ?? all
    let paths = samples.map(\.0.path)
    let (features, stats) = try extractor.features(ofImages: paths, pipeline: pipeline)
    var file = FeatureFile(
      features: features, paths: samples.map(\.1),
      labels: samples.map(\.0.label), classNames: dataset.classes,
      attributes: [
        "base": base, "weights": model.weights, "cut_layer": cutName,
        "freeze": freeze, "preprocess": model.preprocessing.rawValue, "size": "\(model.size)",
        "pool": pooling.rawValue, "key": key.hex, "ftune_format": FeatureFile.format,
      ])
    if let shard { file.markShard(shard, totalImages: all.count) }
    try file.write(to: URL(fileURLWithPath: out))
    return (file, stats)
  }
}

func relative(_ path: String, to root: String) -> String {
  let full = URL(fileURLWithPath: path).standardizedFileURL.path
  let prefix = root.hasSuffix("/") ? root : root + "/"
  return full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full
}
