/// Why a PyTorch checkpoint could not be read. Every case names the file and, where there is
/// one, the byte offset, and says what the user can do about it.
///
/// Checkpoints are untrusted input: anything the reader does not expect becomes one of these
/// errors, never a crash or an unbounded allocation.
public enum TorchCheckpointError: Error, Equatable, CustomStringConvertible {
  /// The file could not be opened or read at all.
  case unreadable(file: String, reason: String)
  /// Neither a zip-format checkpoint nor a legacy one (wrong magic number or protocol).
  case notACheckpoint(file: String, reason: String)
  /// The data ends before a value that it announces.
  case truncated(file: String, offset: Int, needed: Int, available: Int)
  /// A pickle opcode this reader does not implement (state dicts do not use it).
  case unsupportedOpcode(file: String, offset: Int, opcode: UInt8)
  /// A structural problem: stack underflow, a value of the wrong kind, a bad memo index...
  case malformed(file: String, offset: Int, reason: String)
  /// A storage type (dtype) this reader cannot convert to Float.
  case unsupportedStorage(file: String, offset: Int, type: String)
  /// A storage referenced by a tensor is missing from the file, or too short.
  case missingStorage(file: String, key: String, reason: String)
  /// A tensor's offset, shape and strides reach outside its storage.
  case tensorOutOfBounds(file: String, tensor: String, reason: String)
  /// The file asks for more memory than its size can justify.
  case tooLarge(file: String, what: String, limit: Int)
  /// The checkpoint holds no tensors (or no dictionary of them) at the top level.
  case noTensors(file: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let file, let reason):
      return "\(file): cannot read the file (\(reason)); check the path and permissions"
    case .notACheckpoint(let file, let reason):
      return "\(file): not a PyTorch checkpoint (\(reason)); expected a file written by "
        + "torch.save (zip or legacy format)"
    case .truncated(let file, let offset, let needed, let available):
      return "\(file): truncated at byte \(offset): needs \(needed) more bytes, "
        + "\(available) left; the file is incomplete, download it again"
    case .unsupportedOpcode(let file, let offset, let opcode):
      let hex = String(opcode, radix: 16)
      return "\(file): pickle opcode 0x\(hex) at byte \(offset) is not supported; "
        + "only plain state dicts (torch.save(model.state_dict())) can be imported"
    case .malformed(let file, let offset, let reason):
      return "\(file): malformed pickle at byte \(offset): \(reason); "
        + "only plain state dicts (torch.save(model.state_dict())) can be imported"
    case .unsupportedStorage(let file, let offset, let type):
      return "\(file): storage type torch.\(type) at byte \(offset) is not supported; "
        + "save the weights as float32/float16/float64"
    case .missingStorage(let file, let key, let reason):
      return "\(file): storage '\(key)' \(reason); the file is incomplete or corrupt"
    case .tensorOutOfBounds(let file, let tensor, let reason):
      return "\(file): tensor '\(tensor)' \(reason); the file is corrupt"
    case .tooLarge(let file, let what, let limit):
      return "\(file): \(what) exceeds the limit of \(limit); refusing to allocate it "
        + "(the file is corrupt or not a state dict)"
    case .noTensors(let file, let reason):
      return "\(file): \(reason); save a state dict (torch.save(model.state_dict(), path))"
    }
  }
}
