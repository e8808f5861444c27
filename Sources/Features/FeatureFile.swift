import CHDF5
import Foundation
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
    ftune_h5_silence_errors()
    try AtomicFile.createFolder(for: url.path)
    try AtomicFile.write(to: url.path) { tmp in
      let file = H5Fcreate(tmp, ftune_H5F_ACC_TRUNC(), ftune_H5P_DEFAULT(), ftune_H5P_DEFAULT())
      guard file >= 0 else { throw FeatureError.hdf5(path: url.path, what: "create") }
      do {
        try writeFloats(file, "features", features, path: url.path)
        try writeInts(file, "labels", labels.map(Int32.init), path: url.path)
        try writeStrings(file, "paths", paths, path: url.path)
        try writeStrings(file, "class_names", classNames, path: url.path)
        for (k, v) in attributes.sorted(by: { $0.key < $1.key }) {
          try writeAttribute(file, k, v, path: url.path)
        }
      } catch {
        H5Fclose(file)
        throw error
      }
      guard H5Fclose(file) >= 0 else { throw FeatureError.hdf5(path: url.path, what: "close") }
    }
  }

  /// The `ftune_format` attribute this version writes and reads.
  public static let format = "features-1"

  /// Reads a feature file; throws `FeatureError.otherFormat` for one written by an ftune
  /// with another layout (`ftune_format` attribute), naming the file and what to do.
  public static func read(from url: URL) throws -> FeatureFile {
    ftune_h5_silence_errors()
    let path = url.path
    guard FileManager.default.fileExists(atPath: path) else {
      throw FeatureError.unreadable(path: path, reason: "there is no such file")
    }
    let file = H5Fopen(path, ftune_H5F_ACC_RDONLY(), ftune_H5P_DEFAULT())
    guard file >= 0 else {
      throw FeatureError.unreadable(path: path, reason: "it is not an HDF5 file (or is damaged)")
    }
    defer { H5Fclose(file) }
    for name in ["features", "paths", "labels"]
    where H5Lexists(file, name, ftune_H5P_DEFAULT()) <= 0 {
      throw FeatureError.notAFeatureFile(path: path, missing: name)
    }
    let features = try readFloats(file, "features", path: path)
    let labels = try readInts(file, "labels", path: path).map(Int.init)
    let paths = try readStrings(file, "paths", path: path)
    let classes =
      H5Lexists(file, "class_names", ftune_H5P_DEFAULT()) > 0
      ? try readStrings(file, "class_names", path: path) : []
    var attributes: [String: String] = [:]
    let root = H5Gopen2(file, "/", ftune_H5P_DEFAULT())
    defer { H5Gclose(root) }
    let count = H5Aget_num_attrs(root)
    for i in 0..<max(0, Int(count)) {
      let attr = H5Aopen_by_idx(
        root, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), ftune_H5P_DEFAULT(),
        ftune_H5P_DEFAULT())
      guard attr >= 0 else { continue }
      defer { H5Aclose(attr) }
      var nameBuf = [CChar](repeating: 0, count: 256)
      H5Aget_name(attr, 256, &nameBuf)
      if let v = readStringAttribute(attr) {
        attributes[
          String(
            decoding: nameBuf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
            as: UTF8.self)] = v
      }
    }
    if let found = attributes["ftune_format"], found != format {
      throw FeatureError.otherFormat(path: path, found: found, expected: format)
    }
    return FeatureFile(
      features: features, paths: paths, labels: labels, classNames: classes,
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

// MARK: - HDF5 helpers (one handle each, closed before returning)

/// Dataset creation properties without HDF5's object timestamps, so the same features give
/// the same file bytes (a merged sharded cache equals a single-process one, bit for bit).
private func untimedDatasetProperties() -> hid_t {
  let dcpl = H5Pcreate(ftune_H5P_DATASET_CREATE())
  H5Pset_obj_track_times(dcpl, false)
  return dcpl
}

private func writeFloats(_ file: hid_t, _ name: String, _ t: Tensor, path: String) throws {
  let dims = t.shape.map { hsize_t($0) }
  var maxdims = dims
  maxdims[0] = ftune_H5S_UNLIMITED()
  let space = H5Screate_simple(Int32(dims.count), dims, maxdims)
  defer { H5Sclose(space) }
  let dcpl = untimedDatasetProperties()
  defer { H5Pclose(dcpl) }
  // One chunk per (up to) 16 samples: appendable along N, cheap to read per batch.
  var chunk = dims.map { max($0, 1) }
  chunk[0] = hsize_t(max(1, min(16, t.shape[0])))
  H5Pset_chunk(dcpl, Int32(chunk.count), chunk)
  let ds = H5Dcreate2(
    file, name, ftune_H5T_NATIVE_FLOAT(), space, ftune_H5P_DEFAULT(), dcpl, ftune_H5P_DEFAULT())
  guard ds >= 0 else { throw FeatureError.hdf5(path: path, what: "create dataset '\(name)'") }
  defer { H5Dclose(ds) }
  let status = t.scalars.withUnsafeBufferPointer {
    H5Dwrite(
      ds, ftune_H5T_NATIVE_FLOAT(), ftune_H5S_ALL(), ftune_H5S_ALL(), ftune_H5P_DEFAULT(),
      $0.baseAddress)
  }
  guard status >= 0 else { throw FeatureError.hdf5(path: path, what: "write '\(name)'") }
}

private func writeInts(_ file: hid_t, _ name: String, _ values: [Int32], path: String) throws {
  let dims = [hsize_t(values.count)]
  let space = H5Screate_simple(1, dims, nil)
  defer { H5Sclose(space) }
  let dcpl = untimedDatasetProperties()
  defer { H5Pclose(dcpl) }
  let ds = H5Dcreate2(
    file, name, ftune_H5T_NATIVE_INT32(), space, ftune_H5P_DEFAULT(), dcpl, ftune_H5P_DEFAULT())
  guard ds >= 0 else { throw FeatureError.hdf5(path: path, what: "create dataset '\(name)'") }
  defer { H5Dclose(ds) }
  let status = values.withUnsafeBufferPointer {
    H5Dwrite(
      ds, ftune_H5T_NATIVE_INT32(), ftune_H5S_ALL(), ftune_H5S_ALL(), ftune_H5P_DEFAULT(),
      $0.baseAddress)
  }
  guard status >= 0 else { throw FeatureError.hdf5(path: path, what: "write '\(name)'") }
}

private func utf8StringType() -> hid_t {
  let t = H5Tcopy(ftune_H5T_C_S1())
  H5Tset_size(t, ftune_H5T_VARIABLE())
  H5Tset_cset(t, H5T_CSET_UTF8)
  return t
}

private func withCStrings<R>(
  _ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R
) -> R {
  let copies = strings.map { strdup($0) }
  defer { copies.forEach { free($0) } }
  return body(copies.map { UnsafePointer($0) })
}

private func writeStrings(_ file: hid_t, _ name: String, _ values: [String], path: String) throws {
  let type = utf8StringType()
  defer { H5Tclose(type) }
  let space = H5Screate_simple(1, [hsize_t(values.count)], nil)
  defer { H5Sclose(space) }
  let dcpl = untimedDatasetProperties()
  defer { H5Pclose(dcpl) }
  let ds = H5Dcreate2(file, name, type, space, ftune_H5P_DEFAULT(), dcpl, ftune_H5P_DEFAULT())
  guard ds >= 0 else { throw FeatureError.hdf5(path: path, what: "create dataset '\(name)'") }
  defer { H5Dclose(ds) }
  let status = withCStrings(values) { ptrs in
    ptrs.withUnsafeBufferPointer {
      H5Dwrite(ds, type, ftune_H5S_ALL(), ftune_H5S_ALL(), ftune_H5P_DEFAULT(), $0.baseAddress)
    }
  }
  guard status >= 0 else { throw FeatureError.hdf5(path: path, what: "write '\(name)'") }
}

private func writeAttribute(_ file: hid_t, _ name: String, _ value: String, path: String) throws {
  let type = utf8StringType()
  defer { H5Tclose(type) }
  let space = H5Screate(H5S_SCALAR)
  defer { H5Sclose(space) }
  let attr = H5Acreate2(file, name, type, space, ftune_H5P_DEFAULT(), ftune_H5P_DEFAULT())
  guard attr >= 0 else { throw FeatureError.hdf5(path: path, what: "create attribute '\(name)'") }
  defer { H5Aclose(attr) }
  let status = withCStrings([value]) { ptrs in
    ptrs.withUnsafeBufferPointer { H5Awrite(attr, type, $0.baseAddress) }
  }
  guard status >= 0 else { throw FeatureError.hdf5(path: path, what: "write attribute '\(name)'") }
}

private func datasetShape(_ ds: hid_t) -> [Int] {
  let space = H5Dget_space(ds)
  defer { H5Sclose(space) }
  let rank = Int(H5Sget_simple_extent_ndims(space))
  guard rank > 0 else { return [] }
  var dims = [hsize_t](repeating: 0, count: rank)
  H5Sget_simple_extent_dims(space, &dims, nil)
  return dims.map { Int($0) }
}

private func readFloats(_ file: hid_t, _ name: String, path: String) throws -> Tensor {
  let ds = H5Dopen2(file, name, ftune_H5P_DEFAULT())
  guard ds >= 0 else { throw FeatureError.hdf5(path: path, what: "open '\(name)'") }
  defer { H5Dclose(ds) }
  let shape = datasetShape(ds)
  var t = Tensor(zeros: shape)
  let status = t.withUnsafeMutableBufferPointer {
    H5Dread(
      ds, ftune_H5T_NATIVE_FLOAT(), ftune_H5S_ALL(), ftune_H5S_ALL(), ftune_H5P_DEFAULT(),
      $0.baseAddress)
  }
  guard status >= 0 else { throw FeatureError.hdf5(path: path, what: "read '\(name)'") }
  return t
}

private func readInts(_ file: hid_t, _ name: String, path: String) throws -> [Int32] {
  let ds = H5Dopen2(file, name, ftune_H5P_DEFAULT())
  guard ds >= 0 else { throw FeatureError.hdf5(path: path, what: "open '\(name)'") }
  defer { H5Dclose(ds) }
  var values = [Int32](repeating: 0, count: datasetShape(ds).reduce(1, *))
  let status = values.withUnsafeMutableBufferPointer {
    H5Dread(
      ds, ftune_H5T_NATIVE_INT32(), ftune_H5S_ALL(), ftune_H5S_ALL(), ftune_H5P_DEFAULT(),
      $0.baseAddress)
  }
  guard status >= 0 else { throw FeatureError.hdf5(path: path, what: "read '\(name)'") }
  return values
}

private func readStrings(_ file: hid_t, _ name: String, path: String) throws -> [String] {
  let ds = H5Dopen2(file, name, ftune_H5P_DEFAULT())
  guard ds >= 0 else { throw FeatureError.hdf5(path: path, what: "open '\(name)'") }
  defer { H5Dclose(ds) }
  let count = datasetShape(ds).reduce(1, *)
  let type = utf8StringType()
  defer { H5Tclose(type) }
  var ptrs = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
  let status = H5Dread(ds, type, ftune_H5S_ALL(), ftune_H5S_ALL(), ftune_H5P_DEFAULT(), &ptrs)
  guard status >= 0 else { throw FeatureError.hdf5(path: path, what: "read '\(name)'") }
  defer {
    let space = H5Dget_space(ds)
    H5Dvlen_reclaim(type, space, ftune_H5P_DEFAULT(), &ptrs)
    H5Sclose(space)
  }
  return ptrs.map { $0.map { String(cString: $0) } ?? "" }
}

private func readStringAttribute(_ attr: hid_t) -> String? {
  let type = utf8StringType()
  defer { H5Tclose(type) }
  var ptr: UnsafeMutablePointer<CChar>?
  guard H5Aread(attr, type, &ptr) >= 0, let p = ptr else { return nil }
  defer { free(p) }
  return String(cString: p)
}
