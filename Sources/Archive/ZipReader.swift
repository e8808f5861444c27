/// A cursor over bytes that never reads past its end: every read checks the remaining
/// length first and throws the reader's `truncated` error naming the file and offset. The
/// zip reader's and the pickle VM's (TorchIO `ByteReader`) cursor, each with its own error.
package struct BoundedReader<Failure: Error> {
  package let bytes: [UInt8]
  /// Name used in error messages (the file, or `file:member` inside a zip).
  package let file: String
  package private(set) var offset: Int
  /// One past the last readable byte (a zip member ends before the file does).
  package let end: Int
  /// The error for a read of `needed` bytes at `offset` with `available` left.
  let truncated: (_ file: String, _ offset: Int, _ needed: Int, _ available: Int) -> Failure

  /// A reader of `bytes[offset..<end]` (`end` defaults to the end of `bytes`, and is
  /// clamped to it).
  package init(
    bytes: [UInt8], file: String, offset: Int = 0, end: Int? = nil,
    truncated: @escaping (_ file: String, _ offset: Int, _ needed: Int, _ available: Int) -> Failure
  ) {
    self.bytes = bytes
    self.file = file
    self.end = min(end ?? bytes.count, bytes.count)
    self.offset = min(max(offset, 0), self.end)
    self.truncated = truncated
  }

  package var remaining: Int { end - offset }
  package var isAtEnd: Bool { offset >= end }

  private func need(_ count: Int) throws(Failure) {
    guard count >= 0, count <= remaining else {
      throw truncated(file, offset, count, max(0, remaining))
    }
  }

  package mutating func byte() throws(Failure) -> UInt8 {
    try need(1)
    defer { offset += 1 }
    return bytes[offset]
  }

  /// `count` bytes as a slice; `count` is checked against what is left before any copy.
  package mutating func take(_ count: Int) throws(Failure) -> ArraySlice<UInt8> {
    try need(count)
    defer { offset += count }
    return bytes[offset..<(offset + count)]
  }

  /// Skips `count` bytes without copying them.
  package mutating func skip(_ count: Int) throws(Failure) {
    try need(count)
    offset += count
  }

  /// An unsigned little-endian integer of `width` bytes (at most 8).
  package mutating func uintLE(_ width: Int) throws(Failure) -> UInt64 {
    var value: UInt64 = 0
    for (shift, byte) in try take(width).enumerated() {
      value |= UInt64(byte) << UInt64(8 * shift)
    }
    return value
  }
}

typealias ZipReader = BoundedReader<ZipError>

extension BoundedReader where Failure == ZipError {
  init(bytes: [UInt8], file: String, offset: Int = 0, end: Int? = nil) {
    self.init(bytes: bytes, file: file, offset: offset, end: end, truncated: ZipError.truncated)
  }
}
