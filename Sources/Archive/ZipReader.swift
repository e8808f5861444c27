/// A cursor over bytes that never reads past its end: every read checks the remaining
/// length first and throws `ZipError.truncated` naming the file and offset.
struct ZipReader {
  let bytes: [UInt8]
  let file: String
  private(set) var offset: Int
  let end: Int

  init(bytes: [UInt8], file: String, offset: Int = 0, end: Int? = nil) {
    self.bytes = bytes
    self.file = file
    self.end = min(end ?? bytes.count, bytes.count)
    self.offset = min(max(offset, 0), self.end)
  }

  var remaining: Int { end - offset }

  private func need(_ count: Int) throws(ZipError) {
    guard count >= 0, count <= remaining else {
      throw .truncated(file: file, offset: offset, needed: count, available: max(0, remaining))
    }
  }

  mutating func take(_ count: Int) throws(ZipError) -> ArraySlice<UInt8> {
    try need(count)
    defer { offset += count }
    return bytes[offset..<(offset + count)]
  }

  mutating func skip(_ count: Int) throws(ZipError) {
    try need(count)
    offset += count
  }

  /// An unsigned little-endian integer of `width` bytes (at most 8).
  mutating func uintLE(_ width: Int) throws(ZipError) -> UInt64 {
    var value: UInt64 = 0
    for (shift, byte) in try take(width).enumerated() {
      value |= UInt64(byte) << UInt64(8 * shift)
    }
    return value
  }
}
