import CHDF5
import Foundation
import TensorCore

/// How a dataset is laid out on disk, beyond its type and shape.
public struct HDF5DatasetLayout: Sendable {
  /// Chunked along the first dimension in chunks of this many rows, and extendable along it
  /// (nil: contiguous, fixed size).
  public var chunkRows: Int?
  /// HDF5 stores creation/modification times with each object unless told not to; without
  /// them the same data gives the same file bytes.
  public var timestamps: Bool

  public init(chunkRows: Int? = nil, timestamps: Bool = true) {
    self.chunkRows = chunkRows
    self.timestamps = timestamps
  }

  /// Contiguous, with timestamps (what h5py writes by default).
  public static let standard = HDF5DatasetLayout()
}

extension HDF5Group {
  /// Writes `tensor` as a float32 dataset at `name` (intermediate groups are created).
  public func writeDataset(
    _ name: String, _ tensor: Tensor, layout: HDF5DatasetLayout = .standard
  ) throws {
    try tensor.withUnsafeBufferPointer { values in
      try write(name, shape: tensor.shape, type: ftune_H5T_NATIVE_FLOAT(), layout: layout) {
        H5Dwrite($0, ftune_H5T_NATIVE_FLOAT(), ftune_H5S_ALL(), ftune_H5S_ALL(),
          ftune_H5P_DEFAULT(), values.baseAddress)
      }
    }
  }

  /// Writes `values` as a one-dimensional int32 dataset at `name`.
  public func writeDataset(
    _ name: String, int32 values: [Int32], layout: HDF5DatasetLayout = .standard
  ) throws {
    try values.withUnsafeBufferPointer { values in
      try write(name, shape: [values.count], type: ftune_H5T_NATIVE_INT32(), layout: layout) {
        H5Dwrite($0, ftune_H5T_NATIVE_INT32(), ftune_H5S_ALL(), ftune_H5S_ALL(),
          ftune_H5P_DEFAULT(), values.baseAddress)
      }
    }
  }

  /// Writes `values` as a one-dimensional variable-length UTF-8 string dataset at `name`
  /// (h5py reads it as `str` objects).
  public func writeDataset(
    _ name: String, strings values: [String], layout: HDF5DatasetLayout = .standard
  ) throws {
    let type = utf8VariableStringType()
    defer { H5Tclose(type) }
    let pointers: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    try pointers.withUnsafeBufferPointer { pointers in
      try write(name, shape: [values.count], type: type, layout: layout) {
        H5Dwrite($0, type, ftune_H5S_ALL(), ftune_H5S_ALL(), ftune_H5P_DEFAULT(),
          pointers.baseAddress)
      }
    }
  }

  /// Creates the dataset `name` and fills it with `fill` (an `H5Dwrite` of all of it).
  private func write(
    _ name: String, shape: [Int], type: hid_t, layout: HDF5DatasetLayout,
    fill: (hid_t) -> herr_t
  ) throws {
    let object = childPath(name)
    let dims = shape.map { hsize_t($0) }
    var maxdims = dims
    if layout.chunkRows != nil, !maxdims.isEmpty { maxdims[0] = ftune_H5S_UNLIMITED() }
    let space =
      dims.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, maxdims)
    guard space >= 0 else { throw failed("create dataset", object) }
    defer { H5Sclose(space) }
    let lcpl = H5Pcreate(ftune_H5P_LINK_CREATE())
    H5Pset_create_intermediate_group(lcpl, 1)
    defer { H5Pclose(lcpl) }
    let dcpl = H5Pcreate(ftune_H5P_DATASET_CREATE())
    defer { H5Pclose(dcpl) }
    if !layout.timestamps { H5Pset_obj_track_times(dcpl, false) }
    if let rows = layout.chunkRows, !dims.isEmpty {
      var chunk = dims.map { max($0, 1) }
      chunk[0] = hsize_t(max(1, min(rows, shape[0])))
      H5Pset_chunk(dcpl, Int32(chunk.count), chunk)
    }
    let did = H5Dcreate2(id, name, type, space, lcpl, dcpl, ftune_H5P_DEFAULT())
    guard did >= 0 else { throw failed("create dataset", object) }
    defer { H5Dclose(did) }
    guard shape.contains(0) || fill(did) >= 0 else { throw failed("write dataset", object) }
  }
}

extension HDF5Dataset {
  /// Reads an integer dataset as Int32 (HDF5 converts other integer widths).
  public func readInt32s() throws -> [Int32] {
    try requireClass(H5T_INTEGER, "integers")
    var values = [Int32](repeating: 0, count: try shape().reduce(1, *))
    let status = values.withUnsafeMutableBufferPointer {
      H5Dread(
        id, ftune_H5T_NATIVE_INT32(), ftune_H5S_ALL(), ftune_H5S_ALL(), ftune_H5P_DEFAULT(),
        $0.baseAddress)
    }
    guard status >= 0 else { throw failed("read") }
    return values
  }

  /// Reads a variable-length string dataset.
  public func readStrings() throws -> [String] {
    try requireClass(H5T_STRING, "strings")
    let count = try shape().reduce(1, *)
    guard count > 0 else { return [] }
    try checkHeapReferences()
    let type = utf8VariableStringType()
    defer { H5Tclose(type) }
    var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
    guard H5Dread(id, type, ftune_H5S_ALL(), ftune_H5S_ALL(), ftune_H5P_DEFAULT(), &pointers)
      >= 0
    else { throw failed("read") }
    let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
    let space = H5Dget_space(id)
    ftune_h5_reclaim(type, space, &pointers)
    H5Sclose(space)
    return strings
  }

  private func requireClass(_ expected: H5T_class_t, _ what: String) throws {
    let type = H5Dget_type(id)
    guard type >= 0 else { throw failed("read") }
    defer { H5Tclose(type) }
    let found = H5Tget_class(type)
    guard found == expected else {
      throw HDF5Error.wrongType(
        file: file.path, object: path, expected: what,
        found: "another type (class \(found.rawValue))")
    }
  }
}

/// Variable-length UTF-8 strings in memory (`char *` per item).
func utf8VariableStringType() -> hid_t {
  let type = H5Tcopy(ftune_H5T_C_S1())
  H5Tset_size(type, ftune_H5T_VARIABLE())
  H5Tset_cset(type, H5T_CSET_UTF8)
  return type
}
