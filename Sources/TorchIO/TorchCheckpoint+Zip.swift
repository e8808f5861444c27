import Archive
import Foundation

/// The zip format (torch >= 1.6): `<archive>/data.pkl`, `<archive>/byteorder` and one
/// `<archive>/data/<key>` per storage. torch names `<archive>` after the file, so any single
/// top-level folder is accepted.
extension TorchCheckpoint {
  static func readZip(bytes: [UInt8], file: String) throws -> TorchCheckpoint {
    do {
      return try readZipMembers(bytes: bytes, file: file)
    } catch let error as ZipError {
      throw TorchCheckpointError(error)
    }
  }

  private static func readZipMembers(bytes: [UInt8], file: String) throws -> TorchCheckpoint {
    let zip = try ZipArchive(bytes: bytes, file: file)
    let pickles = zip.members.filter { member in
      let parts = member.path.split(separator: "/", omittingEmptySubsequences: false)
      return parts.count == 2 && parts[1] == "data.pkl"
    }
    guard pickles.count == 1, let pickleMember = pickles.first else {
      throw TorchCheckpointError.notACheckpoint(
        file: file, reason: "a zip checkpoint has exactly one <archive>/data.pkl, "
          + "found \(pickles.count)")
    }
    let prefix = String(pickleMember.path.dropLast("data.pkl".count))
    if let orderMember = zip.member(prefix + "byteorder") {
      let order = try zip.verified(orderMember)
      let text = String(decoding: bytes[order.start..<(order.start + min(order.count, 16))],
        as: UTF8.self)
      guard text.trimmingCharacters(in: .whitespacesAndNewlines) == "little" else {
        throw TorchCheckpointError.notACheckpoint(
          file: file, reason: "byte order is '\(text)'; re-save it on a little-endian machine")
      }
    }
    let pickle = try zip.verified(pickleMember)
    var reader = ByteReader(
      bytes: bytes, file: file, offset: pickle.start, end: pickle.start + pickle.count)
    let machine = PickleMachine()
    let root = try machine.run(&reader)

    var dtypes: [String: TorchDType] = [:]
    for storage in machine.storages {
      if let known = dtypes[storage.root], known != storage.dtype {
        throw TorchCheckpointError.missingStorage(
          file: file, key: storage.root, reason: "is referenced as both \(known) and "
            + "\(storage.dtype)")
      }
      dtypes[storage.root] = storage.dtype
    }
    var blobs: [String: StorageBlob] = [:]
    for (key, dtype) in dtypes {
      guard let member = zip.member(prefix + "data/" + key) else {
        throw TorchCheckpointError.missingStorage(
          file: file, key: key, reason: "has no member \(prefix)data/\(key) in the zip")
      }
      let data = try zip.verified(member)
      blobs[key] = StorageBlob(
        bytes: bytes, start: data.start, count: data.count / dtype.size, dtype: dtype)
    }
    let (tensors, skipped) = try materialize(
      machine: machine, root: root, blobs: blobs, file: file, byteLimit: bytes.count)
    return TorchCheckpoint(format: .zip, tensors: tensors, skipped: skipped)
  }
}
