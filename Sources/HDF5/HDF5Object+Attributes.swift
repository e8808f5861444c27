import CHDF5
import Foundation

/// String attributes, as Keras writes them: fixed-length byte strings (h5py `S` arrays,
/// old Keras and `keras.applications` files) or variable-length UTF-8 (tf_keras 2.x).
extension HDF5Object {
  public func hasAttribute(_ name: String) -> Bool {
    silenceHDF5()
    return H5Aexists(id, name) > 0
  }

  /// The names of the object's attributes, in HDF5's name order.
  public func attributeNames() throws -> [String] {
    silenceHDF5()
    let count = H5Aget_num_attrs(id)
    guard count >= 0 else { throw failed("list the attributes of") }
    return try (0..<hsize_t(count)).map { i in
      guard
        let name = hdf5Name({
          H5Aget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, $0, $1, ftune_H5P_DEFAULT())
        })
      else { throw failed("list the attributes of") }
      return name
    }
  }

  /// Reads a string attribute of any shape as a flat list of strings.
  public func stringArrayAttribute(_ name: String) throws -> [String] {
    let object = "\(path)' attribute '\(name)"
    guard hasAttribute(name) else {
      throw HDF5Error.missingObject(file: file.path, object: object)
    }
    let attr = H5Aopen(id, name, ftune_H5P_DEFAULT())
    guard attr >= 0 else { throw failed("open attribute", object) }
    defer { H5Aclose(attr) }
    let type = H5Aget_type(attr)
    defer { H5Tclose(type) }
    let space = H5Aget_space(attr)
    defer { H5Sclose(space) }
    guard type >= 0, space >= 0 else { throw failed("read attribute", object) }
    let count = Int(H5Sget_simple_extent_npoints(space))
    // tf_keras writes an empty `weight_names` as an empty float array.
    guard count > 0 else { return [] }
    guard H5Tget_class(type) == H5T_STRING else {
      throw HDF5Error.wrongType(
        file: file.path, object: object, expected: "strings", found: "non-string data")
    }
    if H5Tis_variable_str(type) > 0 {
      try checkHeapReferences(ofAttribute: name)
      let memType = H5Tcopy(ftune_H5T_C_S1())
      defer { H5Tclose(memType) }
      H5Tset_size(memType, ftune_H5T_VARIABLE())
      H5Tset_cset(memType, H5Tget_cset(type))
      var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
      guard H5Aread(attr, memType, &pointers) >= 0 else { throw failed("read attribute", object) }
      let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
      ftune_h5_reclaim(memType, space, &pointers)
      return strings
    }
    let size = H5Tget_size(type)
    guard size > 0 else { return [String](repeating: "", count: count) }
    var bytes = [UInt8](repeating: 0, count: count * size)
    guard H5Aread(attr, type, &bytes) >= 0 else { throw failed("read attribute", object) }
    let spacePadded = H5Tget_strpad(type) == H5T_STR_SPACEPAD
    return (0..<count).map { i in
      var item = bytes[(i * size)..<((i + 1) * size)]
      if let end = item.firstIndex(of: 0) { item = item[..<end] }
      var text = String(decoding: item, as: UTF8.self)
      if spacePadded { while text.hasSuffix(" ") { text.removeLast() } }
      return text
    }
  }

  /// Reads a scalar (or one-element) string attribute.
  public func stringAttribute(_ name: String) throws -> String {
    let values = try stringArrayAttribute(name)
    guard values.count == 1 else {
      throw HDF5Error.wrongType(
        file: file.path, object: "\(path)' attribute '\(name)", expected: "one string",
        found: "\(values.count) strings")
    }
    return values[0]
  }

  /// Writes a variable-length UTF-8 string attribute (as h5py writes a Python `str`);
  /// `scalar` false writes a one-dimensional array even for one value.
  public func setStringAttribute(_ name: String, _ values: [String], scalar: Bool = false) throws {
    let object = "\(path)' attribute '\(name)"
    if hasAttribute(name) { H5Adelete(id, name) }
    let type = utf8VariableStringType()
    defer { H5Tclose(type) }
    var dims = [hsize_t(values.count)]
    let space =
      scalar && values.count == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil)
    defer { H5Sclose(space) }
    let attr = H5Acreate2(id, name, type, space, ftune_H5P_DEFAULT(), ftune_H5P_DEFAULT())
    guard attr >= 0 else { throw failed("create attribute", object) }
    defer { H5Aclose(attr) }
    var pointers: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    guard values.isEmpty || H5Awrite(attr, type, &pointers) >= 0 else {
      throw failed("write attribute", object)
    }
  }

  /// Writes a scalar variable-length UTF-8 string attribute.
  public func setStringAttribute(_ name: String, _ value: String) throws {
    try setStringAttribute(name, [value], scalar: true)
  }
}
