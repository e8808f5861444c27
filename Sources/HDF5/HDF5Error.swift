/// A failure reading or writing an HDF5 file; every case names the file, and the object
/// inside it when there is one, and says what to do.
public enum HDF5Error: Error, Equatable, CustomStringConvertible {
  case fileNotFound(file: String)
  case notHDF5(file: String)
  /// The file starts like HDF5 but the library cannot open it (truncated or damaged).
  case damaged(file: String)
  case cannotCreate(file: String, reason: String)
  case missingObject(file: String, object: String)
  case wrongType(file: String, object: String, expected: String, found: String)
  case operationFailed(file: String, object: String, operation: String)
  /// Data or a link that leads outside the file, refused without `HDF5Trust.allowingOutsideData`.
  case outsideData(file: String, object: String, what: String)
  /// A soft link that cannot be followed: a cycle, a dangling target, or a way out of the file.
  case unresolvableLink(file: String, object: String)
  /// A group reached a second time while walking the file (hard or soft links forming a cycle).
  case linkedTwice(file: String, object: String)
  /// One object is inconsistent in a way libhdf5 would not survive (checked before it reads).
  case damagedObject(file: String, object: String, reason: String)

  public var description: String {
    switch self {
    case .fileNotFound(let file):
      return "'\(file)': no such file; check the path"
    case .notHDF5(let file):
      return "'\(file)' is not an HDF5 file (Keras weights end in .h5 or .weights.h5)"
    case .damaged(let file):
      return "'\(file)' looks like HDF5 but cannot be opened: it is truncated or damaged;"
        + " download or save it again"
    case .cannotCreate(let file, let reason):
      return "cannot write '\(file)': \(reason)"
    case .missingObject(let file, let object):
      return "'\(file)' has no '\(object)'"
    case .wrongType(let file, let object, let expected, let found):
      return "'\(file)': '\(object)' holds \(found), expected \(expected)"
    case .operationFailed(let file, let object, let operation):
      return "'\(file)': cannot \(operation) '\(object)'; the file may be damaged"
    case .outsideData(let file, let object, let what):
      return "'\(file)': '\(object)' \(what), outside the file; ftune reads only what is"
        + " inside a model file: save it again without it, or pass --allow-external-hdf5 if"
        + " you trust the file and what it points at"
    case .unresolvableLink(let file, let object):
      return "'\(file)': '\(object)' is a soft link that cannot be followed (it forms a cycle,"
        + " points at nothing, or leads into another file); save the file again without it"
    case .linkedTwice(let file, let object):
      return "'\(file)': group '\(object)' is reached twice (its links form a cycle or share a"
        + " group, which Keras never writes); save the file again"
    case .damagedObject(let file, let object, let reason):
      return "'\(file)': '\(object)' is damaged (\(reason)); download or save the file again"
    }
  }
}
