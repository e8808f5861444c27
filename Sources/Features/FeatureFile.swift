import Foundation
import HDF5
import Runtime
import TensorCore

/// The file `ftune cache --out F.h5` writes: `features` float32 `[N, ...]` (chunked along N,
/// extendable), `paths` (UTF-8, relative to the data folder, sorted), `labels` int32 `[N]`,
/// `class_names`, and string attributes describing the cut (base, cut layer, key, size...).
///
/// Written whole to a temporary file and renamed into place; the resumable, per-batch part
/// of caching is the `FeatureStore`, which this file is exported from.
public struct FeatureFile: Equatable {
  public var features: Tensor
  public var paths: [String]
  public var labels: [Int]
  public var classNames: [String]
  /// `base`, `cut_layer`, `key`, `preprocess`, `size`, `pool`, `weights`...
  public var attributes: [String: String]

  public init(
    features: Tensor, paths: [String], labels: [Int], classNames: [String],
    attributes: [String: String]
  ) {
    self.features = features
    self.paths = paths
    self.labels = labels
    self.classNames = classNames
    self.attributes = attributes
  }

  /// Writes atomically (temp file in the same folder, then rename).
  public func write(to url: URL) throws {
    guard features.shape.first == paths.count, labels.count == paths.count else {
      throw FeatureError.countMismatch(
        what: "features/paths/labels of \(url.path)", expected: paths.count,
        got: features.shape.first ?? 0)
    }
    try AtomicFile.createFolder(for: url.path)
    // No timestamps: the same features give the same file bytes (a merged sharded cache
    // equals a single-process one, bit for bit). Chunks of 16 samples: appendable along N,
    // cheap to read per batch.
    let untimed = HDF5DatasetLayout(timestamps: false)
    try HDF5File.write(to: url.path) { root in
      try root.writeDataset(
        "features", features, layout: HDF5DatasetLayout(chunkRows: 16, timestamps: false))
      try root.writeDataset("labels", int32: labels.map(Int32.init), layout: untimed)
      try root.writeDataset("paths", strings: paths, layout: untimed)
      try root.writeDataset("class_names", strings: classNames, layout: untimed)
      for (k, v) in attributes.sorted(by: { $0.key < $1.key }) {
        try root.setStringAttribute(k, v)
      }
    }
  }

  /// The `ftune_format` attribute this version writes and reads.
  public static let format = "features-1"

  /// Reads a feature file; throws `FeatureError.otherFormat` for one written by an ftune
  /// with another layout (`ftune_format` attribute), naming the file and what to do.
  public static func read(from url: URL) throws -> FeatureFile {
    let path = url.path
    let file: HDF5File
    do {
      file = try HDF5File.open(path)
    } catch HDF5Error.fileNotFound {
      throw FeatureError.unreadable(path: path, reason: "there is no such file")
    } catch {
      throw FeatureError.unreadable(path: path, reason: "it is not an HDF5 file (or is damaged)")
    }
    let root = try file.root
    for name in ["features", "paths", "labels"] {
      guard try root.kind(of: name) != .dataset else { continue }
      throw FeatureError.notAFeatureFile(path: path, missing: name)
    }
    var attributes: [String: String] = [:]
    for name in try root.attributeNames() {
      attributes[name] = try? root.stringAttribute(name)
    }
    if let found = attributes["ftune_format"], found != format {
      throw FeatureError.otherFormat(path: path, found: found, expected: format)
    }
    return FeatureFile(
      features: try root.dataset("features").readTensor(),
      paths: try root.dataset("paths").readStrings(),
      labels: try root.dataset("labels").readInt32s().map(Int.init),
      classNames: try root.kind(of: "class_names") == .dataset
        ? try root.dataset("class_names").readStrings() : [],
      attributes: attributes)
  }

  /// A human summary for `ftune cache --info`.
  public var info: String {
    var lines = [
      "features: \(features.shape) float32",
      "images: \(paths.count)",
      "classes: "
        + classNames.enumerated().map { i, c in
          "\(c) (\(labels.filter { $0 == i }.count))"
        }.joined(separator: ", "),
    ]
    for (k, v) in attributes.sorted(by: { $0.key < $1.key }) { lines.append("\(k): \(v)") }
    return lines.joined(separator: "\n")
  }
}
