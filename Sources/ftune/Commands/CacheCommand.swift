import ArgumentParser
import Features
import Foundation
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
      Features are keyed by the content of the weights, each image, the cut, preprocessing
      and size, in a shared store ($FTUNE_CACHE_DIR, --cache-dir, or ~/.cache/ftune); an
      interrupted run resumes, a changed image recomputes only itself.
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

  func validate() throws {
    if info != nil { return }
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
    guard let base, let freeze, let data, let out else { return }
    let job = CacheWorkflow(
      base: base, weights: weights ?? "", freeze: freeze, data: data,
      classes: classes?.split(separator: ",").map(String.init), out: out, size: size,
      preprocessing: preprocess.flatMap(Preprocessing.init(rawValue:)),
      pooling: FeaturePooling(rawValue: pool) ?? .none, cacheDir: cacheDir, batchSize: batch)
    var configured = job
    configured.partial = partial
    let (file, stats) = try configured.run {
      FileHandle.standardError.write(Data(($0 + "\n").utf8))
    }
    print(
      "wrote \(out): \(file.paths.count) images, features \(file.features.shape)"
        + " (\(stats.reused) reused, \(stats.computed) computed)")
  }
}
