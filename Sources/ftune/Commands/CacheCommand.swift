import ArgumentParser
import Features
import Foundation
import Models
import TensorCore
import Workflow

/// `ftune cache`: precompute a frozen prefix's features into the shared store and an HDF5
/// feature file; `ftune cache --info F.h5` describes one.
struct CacheCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cache",
    abstract: "Precompute the features of a frozen prefix (or describe a feature file).",
    discussion: """
      Example: ftune cache --base vgg16 --freeze 13 --data data/images --out cache.h5
      Features are keyed by the content of the weights, each image, the cut, preprocessing \
      and size, in a shared store ($FTUNE_CACHE_DIR, --cache-dir, or ~/.cache/ftune); an \
      interrupted run resumes, a changed image recomputes only itself.
      Scale out: --shard i/n computes every n-th batch of --batch images (from the i-th, in \
      sorted order; whole batches, so shards match one process bit for bit) into a shard file; ftune cache --merge S1.h5 S2.h5 ... --out cache.h5 joins the shards into \
      the file one process would write. Under mpirun -n P (an MPI build) the ranks shard \
      and rank 0 merges by itself.
      """)

  @Option(help: "zoo name or Keras model file") var base: String?
  @Option(help: "weights file or 'random' (default: ~/.keras/models/<Keras's file name>)")
  var weights: String?
  @Flag(help: "load only the weights that match the base") var partial = false
  @Option(help: "cut: N weight layers, a Keras layer name, or 'all'") var freeze: String?
  @Option(help: "image folder DIR/<class>/*.jpg") var data: String?
  @Option(help: "class folders, comma-separated (default: every sub-folder)") var classes: String?
  @Option(help: "the feature file to write (.h5)") var out: String?
  @Option(help: "caffe|tf|torch|none (default: the base's own)") var preprocess: String?
  @Option(help: "input side (default: the base's own)") var size: Int?
  @Option(help: "avg|max|none: pool [H,W,C] features to [C]") var pool: String = "none"
  @Option(name: .customLong("cache-dir"), help: "feature store folder") var cacheDir: String?
  @Option(help: "images per forward pass") var batch: Int = 16
  @Option(help: "describe an existing feature file and exit") var info: String?
  @Option(help: "compute only shard i of n (1-based), e.g. 2/4, into --out")
  var shard: String?
  @Option(
    parsing: .upToNextOption, help: "merge these shard files (all n of one run) into --out")
  var merge: [String] = []
  @OptionGroup var badImages: BadImagesOption
  @OptionGroup var hdf5: HDF5TrustFlag

  func validate() throws {
    if info != nil { return }
    if !merge.isEmpty {
      guard out != nil else { throw ValidationError("--merge needs --out FILE") }
      return
    }
    if let shard { _ = try ShardSpec(parsing: shard) }
    for (name, value) in [("base", base), ("freeze", freeze), ("data", data), ("out", out)]
    where value == nil {
      throw ValidationError("--\(name) is required (or use --info FILE)")
    }
    guard FeaturePooling(rawValue: pool) != nil else {
      throw ValidationError("--pool \(pool): use avg, max or none")
    }
    if let preprocess, Preprocessing(rawValue: preprocess) == nil {
      throw ValidationError("--preprocess \(preprocess): use caffe, tf, torch or none")
    }
  }

  func run() throws {
    if let info {
      print(try FeatureFile.read(from: URL(fileURLWithPath: info)).info)
      return
    }
    if !merge.isEmpty, let out {
      let shards = try merge.map { try FeatureFile.read(from: URL(fileURLWithPath: $0)) }
      let file = try FeatureFile.merge(shards, names: merge)
      try file.write(to: URL(fileURLWithPath: out))
      print("wrote \(out): \(file.paths.count) images from \(shards.count) shards")
      return
    }
    guard let base, let freeze, let data, let out else { return }
    let job = CacheWorkflow(
      base: base, weights: weights ?? "", freeze: freeze, data: data,
      classes: classes?.split(separator: ",").map(String.init), out: out, size: size,
      preprocessing: preprocess.flatMap(Preprocessing.init(rawValue:)),
      pooling: FeaturePooling(rawValue: pool) ?? .none, cacheDir: cacheDir, batchSize: batch)
    var configured = job
    configured.partial = partial
    configured.badImages = badImages.badImages
    configured.trust = hdf5.trust()
    configured.shard = try shard.map { try ShardSpec(parsing: $0) }
    let done = try Distributed.run { world in
      configured.communicator = world
      return try configured.runDistributed { line in
        if world.isRoot { FileHandle.standardError.write(Data((line + "\n").utf8)) }
      }
    }
    guard let (file, stats) = done else { return }
    let what = configured.shard.map { " (shard \($0))" } ?? ""
    print(
      "wrote \(out)\(what): \(file.paths.count) images, features \(file.features.shape)"
        + " (\(stats.reused) reused, \(stats.computed) computed)")
  }
}
