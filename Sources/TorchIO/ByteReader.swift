/// A cursor over bytes that never reads past the end: every read checks the remaining
/// length first and throws `TorchCheckpointError.truncated` naming the file and offset.
struct ByteReader {
  let bytes: [UInt8]
  /// Name used in error messages (the file, or `file:member` inside a zip).
  let file: String
  private(set) var offset: Int
  /// One past the last readable byte (a zip member ends before the file does).
  let end: Int

  /// A reader of `bytes[offset..<end]` (`end` defaults to the end of `bytes`, and is
  /// clamped to it).
  init(bytes: [UInt8], file: String, offset: Int = 0, end: Int? = nil) {
    self.bytes = bytes
    self.file = file
    self.end = min(end ?? bytes.count, bytes.count)
    self.offset = min(max(offset, 0), self.end)
  }

  var remaining: Int { end - offset }
  var isAtEnd: Bool { offset >= end }

  private func need(_ count: Int) throws {
    guard count >= 0, count <= remaining else {
      throw TorchCheckpointError.truncated(
        file: file, offset: offset, needed: count, available: max(0, remaining))
    }
  }

  mutating func byte() throws -> UInt8 {
    try need(1)
    defer { offset += 1 }
    return bytes[offset]
  }

  /// `count` bytes as a slice; `count` is checked against what is left before any copy.
  mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
    try need(count)
    defer { offset += count }
    return bytes[offset..<(offset + count)]
  }

  /// Skips `count` bytes without copying them.
  mutating func skip(_ count: Int) throws {
    try need(count)
    offset += count
  }

  /// An unsigned little-endian integer of `width` bytes (at most 8).
  mutating func uintLE(_ width: Int) throws -> UInt64 {
    let slice = try take(width)
    var value: UInt64 = 0
    for (shift, byte) in slice.enumerated() {
      value |= UInt64(byte) << UInt64(8 * shift)
    }
    return value
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
    offset = stop + 1
    return String(decoding: bytes[start..<stop], as: UTF8.self)
  }
}
