/// The legacy (pre-1.6, non-zip) format: five pickles and the raw storages, in one stream.
extension TorchCheckpoint {
  /// `0x1950a86a20f9469cfc6c` as LONG1 bytes, little-endian.
  static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
  static let legacyProtocol = 1001

  static func readLegacy(bytes: [UInt8], file: String) throws -> TorchCheckpoint {
    var reader = ByteReader(bytes: bytes, file: file)
    let header = PickleMachine()
    guard try header.run(&reader) == .bigInt(legacyMagic) else {
      throw TorchCheckpointError.notACheckpoint(file: file, reason: "wrong magic number")
    }
    guard try header.run(&reader) == .int(legacyProtocol) else {
      throw TorchCheckpointError.notACheckpoint(
        file: file, reason: "legacy protocol version is not \(legacyProtocol)")
    }
    let sysInfo = try header.run(&reader)
    if let info = header.dict(sysInfo), info.value(for: "little_endian") == .bool(false) {
      throw TorchCheckpointError.notACheckpoint(
        file: file, reason: "saved on a big-endian machine; re-save it on a little-endian one")
    }

    let machine = PickleMachine()
    let root = try machine.run(&reader)
    let keysOffset = reader.offset
    let keysMachine = PickleMachine()
    let keysValue = try keysMachine.run(&reader)
    guard let keyValues = keysMachine.items(keysValue) else {
      throw TorchCheckpointError.malformed(
        file: file, offset: keysOffset, reason: "storage key list is a \(keysValue.kind)")
    }

    // Element sizes come from the storages the state dict references.
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
    for keyValue in keyValues {
      guard case .string(let key) = keyValue else {
        throw TorchCheckpointError.malformed(
          file: file, offset: keysOffset, reason: "storage key is a \(keyValue.kind)")
      }
      let countOffset = reader.offset
      let count = try reader.int64LE()
      guard let dtype = dtypes[key] else {
        throw TorchCheckpointError.missingStorage(
          file: file, key: key, reason: "is stored but no tensor uses it, so its element size "
            + "is unknown")
      }
      // Compare in element units first so a huge count cannot overflow the byte size.
      guard count >= 0, count <= Int64(reader.remaining / dtype.size) else {
        throw TorchCheckpointError.truncated(
          file: file, offset: countOffset, needed: Int(clamping: count) &* dtype.size,
          available: reader.remaining)
      }
      let start = reader.offset
      try reader.skip(Int(count) * dtype.size)
      blobs[key] = StorageBlob(bytes: bytes, start: start, count: Int(count), dtype: dtype)
    }
    let (tensors, skipped) = try materialize(
      machine: machine, root: root, blobs: blobs, file: file, byteLimit: bytes.count)
    return TorchCheckpoint(format: .legacy, tensors: tensors, skipped: skipped)
  }
}
