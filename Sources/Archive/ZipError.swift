/// Why a zip archive could not be read; each case names the file. Callers (TorchIO,
/// KerasIO) turn these into their own errors, which say what to do.
public enum ZipError: Error, Equatable, CustomStringConvertible {
  /// No end-of-central-directory record: not a zip, or cut short.
  case notAZip(file: String, reason: String)
  /// A structure points outside the file or has a wrong signature.
  case malformed(file: String, offset: Int, reason: String)
  /// A read at `offset` needed more bytes than the file has.
  case truncated(file: String, offset: Int, needed: Int, available: Int)
  /// A member is compressed; only stored members are read (Keras and torch.save store).
  case compressed(file: String, member: String, method: Int)

  public var description: String {
    switch self {
    case .notAZip(let file, let reason):
      return "\(file) is not a readable zip archive: \(reason)"
    case .malformed(let file, let offset, let reason):
      return "\(file) is a damaged zip archive (at byte \(offset)): \(reason)"
    case .truncated(let file, let offset, let needed, let available):
      return "\(file) is truncated: \(needed) bytes needed at byte \(offset), \(available) left"
    case .compressed(let file, let member, let method):
      return "\(file): zip member \(member) is compressed (method \(method)); only stored"
        + " (uncompressed) members are read"
    }
  }
}
