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
    }
  }
}
