import Archive

/// The pickle VM's cursor: Archive's bounded reader, throwing
/// `TorchCheckpointError.truncated` naming the file and offset.
typealias ByteReader = BoundedReader<TorchCheckpointError>

extension BoundedReader where Failure == TorchCheckpointError {
  init(bytes: [UInt8], file: String, offset: Int = 0, end: Int? = nil) {
    self.init(
      bytes: bytes, file: file, offset: offset, end: end, truncated: TorchCheckpointError.truncated)
  }

  mutating func int32LE() throws -> Int {
    Int(Int32(bitPattern: UInt32(truncatingIfNeeded: try uintLE(4))))
  }

  mutating func int64LE() throws -> Int64 {
    Int64(bitPattern: try uintLE(8))
  }

  /// A big-endian IEEE double (pickle's BINFLOAT).
  mutating func float64BE() throws -> Double {
    let slice = try take(8)
    var bits: UInt64 = 0
    for byte in slice {
      bits = bits << 8 | UInt64(byte)
    }
    return Double(bitPattern: bits)
  }

  /// Bytes up to (not including) the next newline, which is consumed; at most `limit`.
  mutating func line(limit: Int = 256) throws -> String {
    let start = offset
    var stop = start
    while stop < end, bytes[stop] != 0x0A {
      stop += 1
      guard stop - start <= limit else {
        throw TorchCheckpointError.malformed(
          file: file, offset: start, reason: "text line longer than \(limit) bytes")
      }
    }
    guard stop < end else {
      throw TorchCheckpointError.truncated(file: file, offset: start, needed: 1, available: 0)
    }
    try skip(stop + 1 - start)
    return String(decoding: bytes[start..<stop], as: UTF8.self)
  }
}
