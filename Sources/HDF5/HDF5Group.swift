import CHDF5
import TensorCore

/// Something in an HDF5 file that can carry attributes (a group or a dataset).
public protocol HDF5Object: AnyObject {
  var file: HDF5File { get }
  /// Absolute path inside the file, used in error messages (`/model_weights/conv1`).
  var path: String { get }
  var id: hid_t { get }
}

extension HDF5Object {
  func childPath(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

  func failed(_ operation: String, _ object: String? = nil) -> HDF5Error {
    .operationFailed(file: file.path, object: object ?? path, operation: operation)
  }
}

/// A name HDF5 hands out in two calls (its length for a nil buffer, then the bytes), as
/// `H5Lget_name_by_idx` and `H5Aget_name_by_idx` do; nil when HDF5 fails.
func hdf5Name(_ get: (UnsafeMutablePointer<CChar>?, Int) -> Int) -> String? {
  let length = get(nil, 0)
  guard length >= 0 else { return nil }
  var buffer = [CChar](repeating: 0, count: length + 1)
  guard buffer.withUnsafeMutableBufferPointer({ get($0.baseAddress, $0.count) }) >= 0 else {
    return nil
  }
  return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// What a link in a group points at.
public enum HDF5ObjectKind: Sendable, Equatable {
  case group, dataset, other
}

/// An open HDF5 group; closed when released.
public final class HDF5Group: HDF5Object {
  public let file: HDF5File
  public let path: String
  public let id: hid_t

  init(file: HDF5File, path: String, parent: hid_t, name: String) throws {
    silenceHDF5()
    let id = H5Gopen2(parent, name, file.groupAccess)
    guard id >= 0 else { throw HDF5Error.missingObject(file: file.path, object: path) }
    self.file = file
    self.path = path
    self.id = id
  }

  deinit { H5Gclose(id) }

  /// Names of the group's direct children, in HDF5's name order.
  public func children() throws -> [String] {
    var info = H5G_info_t()
    guard H5Gget_info(id, &info) >= 0 else { throw failed("list the members of") }
    return try (0..<info.nlinks).map { i in
      guard
        let name = hdf5Name({
          H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, $0, $1, ftune_H5P_DEFAULT())
        })
      else { throw failed("list the members of") }
      return name
    }
  }

  /// The kind of object at `name` (a relative path, may contain `/`), or nil when absent.
  /// Every link on the way is checked first: an external or user-defined link is refused
  /// unless the file is trusted, and a soft link must lead to an object in the file.
  public func kind(of name: String) throws -> HDF5ObjectKind? {
    silenceHDF5()
    // H5Lexists fails on a missing intermediate group, so walk the path one link at a time.
    var prefix = ""
    for part in name.split(separator: "/") {
      prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
      guard H5Lexists(id, prefix, file.linkAccess) > 0 else { return nil }
      var info = H5L_info_t()
      guard H5Lget_info(id, prefix, &info, file.linkAccess) >= 0 else { return nil }
      switch info.type {
      case H5L_TYPE_HARD: continue
      case H5L_TYPE_SOFT:
        // libhdf5 stops a soft-link cycle after 16 steps with an error; ftune names it.
        let target = H5Oopen(id, prefix, file.linkAccess)
        guard target >= 0 else {
          throw HDF5Error.unresolvableLink(file: file.path, object: childPath(prefix))
        }
        H5Oclose(target)
      default:
        guard file.trust.allowsOutsideData else {
          let what = info.type == H5L_TYPE_EXTERNAL ? "is an external link" : "is a user-defined link"
          throw HDF5Error.outsideData(
            file: file.path, object: childPath(prefix), what: what + " (its target is in another file)")
        }
      }
    }
    let object = H5Oopen(id, name, file.linkAccess)
    guard object >= 0 else { return nil }
    defer { H5Oclose(object) }
    switch H5Iget_type(object) {
    case H5I_GROUP: return .group
    case H5I_DATASET: return .dataset
    default: return .other
    }
  }

  /// The file address of the group's header: two paths reaching the same group have the same.
  public func address() throws -> UInt64 {
    var address: haddr_t = 0
    guard ftune_h5_object_address(id, &address) >= 0 else { throw failed("locate") }
    return UInt64(address)
  }

  /// Opens the subgroup at `name` (a relative path).
  public func group(_ name: String) throws -> HDF5Group {
    guard try kind(of: name) == .group else {
      throw HDF5Error.missingObject(file: file.path, object: childPath(name))
    }
    return try HDF5Group(file: file, path: childPath(name), parent: id, name: name)
  }

  /// Opens the dataset at `name` (a relative path).
  public func dataset(_ name: String) throws -> HDF5Dataset {
    guard try kind(of: name) == .dataset else {
      throw HDF5Error.missingObject(file: file.path, object: childPath(name))
    }
    return try HDF5Dataset(file: file, path: childPath(name), parent: id, name: name)
  }

  /// Creates a subgroup (and any missing intermediate groups).
  @discardableResult
  public func createGroup(_ name: String) throws -> HDF5Group {
    if try kind(of: name) == .group { return try group(name) }
    let lcpl = intermediateGroupsPlist()
    defer { H5Pclose(lcpl) }
    let gid = H5Gcreate2(id, name, lcpl, ftune_H5P_DEFAULT(), ftune_H5P_DEFAULT())
    guard gid >= 0 else { throw failed("create group", childPath(name)) }
    H5Gclose(gid)
    return try group(name)
  }

  private func intermediateGroupsPlist() -> hid_t {
    let lcpl = H5Pcreate(ftune_H5P_LINK_CREATE())
    H5Pset_create_intermediate_group(lcpl, 1)
    return lcpl
  }
}

/// An open HDF5 dataset of numbers; closed when released.
public final class HDF5Dataset: HDF5Object {
  public let file: HDF5File
  public let path: String
  public let id: hid_t

  init(file: HDF5File, path: String, parent: hid_t, name: String) throws {
    silenceHDF5()
    let id = H5Dopen2(parent, name, file.datasetAccess)
    guard id >= 0 else { throw HDF5Error.missingObject(file: file.path, object: path) }
    self.file = file
    self.path = path
    self.id = id
    if !file.trust.allowsOutsideData { try requireDataInFile() }
  }

  deinit { H5Dclose(id) }

  /// The dataset's dimensions (empty for a scalar).
  public func shape() throws -> [Int] {
    let space = H5Dget_space(id)
    guard space >= 0 else { throw failed("read the shape of") }
    defer { H5Sclose(space) }
    let rank = H5Sget_simple_extent_ndims(space)
    guard rank >= 0 else { throw failed("read the shape of") }
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    H5Sget_simple_extent_dims(space, &dims, nil)
    return dims.map { Int($0) }
  }

  /// Reads a float32 or float64 dataset as a Float32 tensor (HDF5 converts float64).
  public func readTensor() throws -> Tensor {
    let type = H5Dget_type(id)
    guard type >= 0 else { throw failed("read") }
    defer { H5Tclose(type) }
    guard H5Tget_class(type) == H5T_FLOAT else {
      throw HDF5Error.wrongType(
        file: file.path, object: path, expected: "floating-point numbers",
        found: "another type (class \(H5Tget_class(type).rawValue))")
    }
    var tensor = Tensor(zeros: try shape())
    let status = tensor.withUnsafeMutableBufferPointer {
      H5Dread(
        id, ftune_H5T_NATIVE_FLOAT(), ftune_H5S_ALL(), ftune_H5S_ALL(), ftune_H5P_DEFAULT(),
        $0.baseAddress)
    }
    guard status >= 0 else { throw failed("read") }
    return tensor
  }
}
