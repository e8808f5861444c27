import Augment
import Dataset
import Foundation
import HDF5
import ImageIO
import KerasIO
import Models
import TensorCore

/// `ftune predict`: a trained run (or an ensemble of runs with the same classes) applied
/// to images, optionally with test-time 10-crop averaging.
public final class Predictor {
  struct Member {
    let graph: Graph
    let pipeline: ImagePipeline
    /// The run's config.yaml (its freezing tells `ftune evaluate` which prefix to cache).
    let config: RunOptions
    let directory: String
  }

  public let classes: [String]
  let members: [Member]

  /// One image's result: classes with probabilities, most likely first.
  public struct Prediction: Equatable {
    public var path: String
    public var top: [(name: String, probability: Float)]

    public static func == (a: Prediction, b: Prediction) -> Bool {
      a.path == b.path && a.top.map(\.name) == b.top.map(\.name)
        && a.top.map(\.probability) == b.top.map(\.probability)
    }
  }

  /// Loads `runs` (run directories); all must have the same classes in the same order.
  public init(runs: [String], trust: HDF5Trust = .fileOnly) throws {
    var members: [Member] = []
    var classes: [String]?
    for run in runs {
      let dir = RunDirectory(url: URL(fileURLWithPath: run))
      let config = try dir.config()
      guard FileManager.default.fileExists(atPath: dir.modelURL.path) else {
        throw WorkflowError.notARun(path: run, missing: "model.h5")
      }
      let graph = try KerasModel.load(path: dir.modelURL.path, trust: trust)
      let runClasses = config[.classes].split(separator: ",").map(String.init)
      if let classes, classes != runClasses {
        throw WorkflowError.badValue(
          option: "ensemble", value: run,
          hint: "its classes \(runClasses) differ from \(classes); ensemble runs of one data set")
      }
      classes = runClasses
      guard let size = Int(config[.size]), let pre = Preprocessing(rawValue: config[.preprocess])
      else {
        throw WorkflowError.notARun(path: run, missing: "size/preprocess in config.yaml")
      }
      members.append(
        Member(
          graph: graph,
          pipeline: ImagePipeline(
            size: size, channels: graph.inputShape.last ?? 3, preprocessing: pre),
          config: config, directory: run))
    }
    guard let classes, !members.isEmpty else {
      throw WorkflowError.missingOption("run", hint: "give a run directory (runs/NAME)")
    }
    self.classes = classes
    self.members = members
  }

  /// `--bad-images` for `predict`: `paths` as given (`.error`: a bad file stops the run when
  /// read), or without the files that cannot be used, each logged, then a summary; none
  /// left is an error.
  public static func usable(
    _ paths: [String], badImages: BadImagePolicy, log: (String) -> Void
  ) throws -> [String] {
    guard badImages == .skip else { return paths }
    let (kept, skipped) = ImageDataset.screened(paths: paths)
    try skipped.report(of: paths.count, csv: nil, log: log)
    guard !kept.isEmpty else {
      throw WorkflowError.badValue(
        option: "bad-images", value: "skip",
        hint: "none of the \(paths.count) images can be used (listed above)")
    }
    return kept
  }

  /// Image files named by `inputs`: files as given, folders searched recursively (sorted).
  public static func expand(_ inputs: [String]) throws -> [String] {
    var out: [String] = []
    for input in inputs {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: input, isDirectory: &isDir) else {
        throw WorkflowError.noImages(paths: [input])
      }
      if !isDir.boolValue {
        out.append(input)
        continue
      }
      let found =
        (FileManager.default.enumerator(atPath: input)?.compactMap { $0 as? String } ?? [])
        .filter { ImageDataset.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
        .sorted()
        .map { (input as NSString).appendingPathComponent($0) }
      out.append(contentsOf: found)
    }
    guard !out.isEmpty else { throw WorkflowError.noImages(paths: inputs) }
    return out
  }

  /// Probabilities for each path (averaged over crops and ensemble members), top `top`.
  /// Without `tenCrop`, the next images are decoded and resized on `ImageBatches`' loader
  /// threads while the network runs on the current one (still one image per forward pass,
  /// so results do not depend on what else is predicted).
  public func predict(paths: [String], tenCrop: Bool = false, top: Int = 3) throws
    -> [Prediction]
  {
    var probs = [[Float]](
      repeating: [Float](repeating: 0, count: classes.count), count: paths.count)
    func add(_ out: Tensor, to i: Int) throws {
      guard out.rank == 2, out.shape[1] == classes.count else {
        throw WorkflowError.notARun(path: paths[i], missing: "a \(classes.count)-class output")
      }
      for r in 0..<out.shape[0] {
        for c in 0..<classes.count {
          probs[i][c] +=
            out.scalars[r * classes.count + c] / Float(out.shape[0] * members.count)
        }
      }
    }
    for m in members {
      let p = m.pipeline
      if tenCrop {
        for (i, path) in paths.enumerated() {
          let batch = try p.tenCropInputs(try Image.decode(file: path))
          try add(try m.graph.forward(batch, mode: .inference), to: i)
        }
      } else {
        let source = ImageBatches(
          paths: paths, labels: [Int](repeating: 0, count: paths.count), pipeline: p,
          augmented: false)
        source.willRequest(paths.indices.map { [$0] }, epoch: 0)
        for i in paths.indices {
          let x = try source.inputs([i], epoch: 0)
          try add(try m.graph.forward(x, mode: .inference), to: i)
        }
      }
    }
    return zip(paths, probs).map { path, p in
      let ranked = p.enumerated().sorted { $0.element > $1.element }.prefix(max(1, top))
      return Prediction(path: path, top: ranked.map { (classes[$0.offset], $0.element) })
    }
  }

  /// `--json`: an array of {path, predictions: [{class, probability}]}.
  public static func json(_ predictions: [Prediction]) throws -> String {
    let array = predictions.map { p in
      [
        "path": p.path,
        "predictions": p.top.map { ["class": $0.name, "probability": Double($0.probability)] },
      ] as [String: Any]
    }
    let data = try JSONSerialization.data(
      withJSONObject: array, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  /// Plain lines: `path: class 0.930, other 0.050`.
  public static func text(_ predictions: [Prediction]) -> String {
    predictions.map { p in
      "\(p.path): "
        + p.top.map { "\($0.name) \(String(format: "%.3f", $0.probability))" }
        .joined(separator: ", ")
    }.joined(separator: "\n")
  }
}

extension ImagePipeline {
  /// The standard 10-crop of one image as a preprocessed batch `[10, size, size, channels]`:
  /// shorter side to size·256/224, then the corners, the centre and their mirrors.
  public func tenCropInputs(_ image: Image) throws -> Tensor {
    let scaled = try image.resized(shorterSide: size * 256 / 224)
    let crops = try TestTimeCrops.tenCrop(scaled, width: size, height: size)
    var batch = try Image.batch(try crops.map { try self.image($0, index: 0, variant: 0) })
    try preprocessing.apply(to: &batch)
    return batch
  }
}
