/// Bounds-checked little-endian reads of a mapped HDF5 file (HDF5 File Format Specification
/// 3.0): every read past the end is nil, so the structures parsed here (superblock, object
/// headers, global heaps) cannot make ftune read outside the mapping however damaged.
struct HDF5Bytes {
  let bytes: UnsafeBufferPointer<UInt8>

  func u8(_ at: Int) -> Int? { at >= 0 && at < bytes.count ? Int(bytes[at]) : nil }

  /// An unsigned `width`-byte little-endian integer (nil past the end or above Int.max).
  func uint(_ at: Int, _ width: Int) -> Int? {
    guard at >= 0, width <= 8, at <= bytes.count - width else { return nil }
    let value = (0..<width).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
    return value <= UInt64(Int.max) ? Int(value) : nil
  }

  func matches(_ at: Int, _ tag: [UInt8]) -> Bool {
    guard at >= 0, at <= bytes.count - tag.count else { return false }
    return (0..<tag.count).allSatisfy { bytes[at + $0] == tag[$0] }
  }

  /// The messages of the object header at `address` (absolute), following continuation
  /// blocks: (type, offset of the message data, its size). Nil when the header is damaged.
  func headerMessages(at address: Int, base: Int) -> [(type: Int, at: Int, size: Int)]? {
    var messages: [(type: Int, at: Int, size: Int)] = []
    var blocks: [(start: Int, end: Int)] = []
    let version2 = matches(address, Array("OHDR".utf8))
    if version2 {
      guard u8(address + 4) == 2, let flags = u8(address + 5) else { return nil }
      var at = address + 6 + (flags & 0x20 != 0 ? 16 : 0) + (flags & 0x10 != 0 ? 4 : 0)
      let width = 1 << (flags & 3)
      guard let size = uint(at, width) else { return nil }
      at += width
      blocks.append((at, at + size))
    } else {
      guard u8(address) == 1, let size = uint(address + 8, 4) else { return nil }
      blocks.append((address + 16, address + 16 + size))
    }
    var visited = 0
    while let block = blocks.popLast() {
      visited += 1
      guard visited <= 4096, block.end <= bytes.count else { return nil }
      var at = block.start
      let headerSize = version2 ? 4 : 8
      while at + headerSize <= block.end {
        let type: Int, size: Int, flags: Int
        if version2 {
          guard let t = u8(at), let s = uint(at + 1, 2), let f = u8(at + 3) else { return nil }
          (type, size, flags) = (t, s, f)
          at += 4 + (f & 0x04 != 0 ? 2 : 0)
        } else {
          guard let t = uint(at, 2), let s = uint(at + 2, 2), let f = u8(at + 4) else { return nil }
          (type, size, flags) = (t, s, f)
          at += 8
        }
        guard at + size <= block.end else { return nil }
        // Flag 0x02: the message is shared (stored elsewhere); ftune does not follow those.
        if flags & 0x02 == 0 { messages.append((type, at, size)) }
        if type == 0x10 {  // continuation: offset and length of another block
          guard let offset = uint(at, 8), let length = uint(at + 8, 8),
            case let start = base + offset, start >= 0, length <= bytes.count
          else { return nil }
          if version2 {
            guard matches(start, Array("OCHK".utf8)), length >= 8 else { return nil }
            blocks.append((start + 4, start + length - 4))
          } else {
            blocks.append((start, start + length))
          }
        }
        at += size
      }
    }
    return messages
  }
}
