import Foundation

/// A PyTorch checkpoint (`torch.save(model.state_dict(), path)`) read without Python.
///
/// Both on-disk formats are understood:
/// - zip (torch >= 1.6): `<archive>/data.pkl` plus one `<archive>/data/<key>` per storage;
/// - legacy: pickles of the magic number, protocol version and sys_info, then the state dict
///   whose storages are persistent ids, then the list of storage keys, then each storage as
///   an int64 element count followed by its raw little-endian bytes.
///
/// The file is untrusted: sizes are checked against the bytes present before anything is
/// allocated, and the output never holds more elements than the file has bytes.
public struct TorchCheckpoint: Sendable {
  /// How the checkpoint was stored.
  public enum Format: String, Sendable {
    case zip, legacy
  }

  public let format: Format
  /// The state dict's tensors in the file's order.
  public let tensors: [TorchTensor]
  /// State-dict keys whose values are not tensors (they are skipped).
  public let skipped: [String]

  /// Reads the checkpoint at `url`.
  public init(contentsOf url: URL) throws {
    let data: Data
    do {
      data = try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
      throw TorchCheckpointError.unreadable(file: url.path, reason: error.localizedDescription)
    }
    try self.init(data: data, name: url.path)
  }

  /// Reads a checkpoint held in memory; `name` is used in error messages.
  public init(data: Data, name: String) throws {
    if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {  // "PK\u{3}\u{4}": a zip archive
      self = try Self.readZip(bytes: [UInt8](data), file: name)
    } else if data.first == 0x80 {  // pickle PROTO: the legacy format
      self = try Self.readLegacy(bytes: [UInt8](data), file: name)
    } else {
      throw TorchCheckpointError.notACheckpoint(
        file: name, reason: "starts with neither a zip header nor a pickle")
    }
  }

  init(format: Format, tensors: [TorchTensor], skipped: [String]) {
    self.format = format
    self.tensors = tensors
    self.skipped = skipped
  }

  /// The tensor named `name`, if present.
  public subscript(name: String) -> TorchTensor? {
    tensors.first { $0.name == name }
  }
}
