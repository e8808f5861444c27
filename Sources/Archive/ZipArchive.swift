/// The members of a zip archive held in memory, read from its central directory with every
/// offset and size checked against the bytes: damaged input throws `ZipError`, never traps.
///
/// Why not ZIPFoundation: its reader traps (out-of-range `Data` access) on damaged
/// archives, which the byte-flip tests found, and ftune reads archives of unknown origin
/// (`.pth` checkpoints, `.keras` models). Both torch.save and Keras write *stored*
/// (uncompressed) members, so a reader of stored members, with ZIP64 sizes and a CRC-32
/// check, covers every real file in code small enough to bound.
public struct ZipArchive: Sendable {
  public struct Member: Sendable, Equatable {
    public let path: String
    /// Byte range of the member's data within `bytes`.
    public let start: Int
    public let count: Int
    public let crc32: UInt32
  }

  public let bytes: [UInt8]
  /// The name errors give the archive (its path).
  public let file: String
  public private(set) var members: [Member] = []

  static let endSignature: UInt32 = 0x0605_4B50
  static let zip64EndSignature: UInt32 = 0x0606_4B50
  static let zip64LocatorSignature: UInt32 = 0x0706_4B50
  static let centralSignature: UInt32 = 0x0201_4B50
  static let localSignature: UInt32 = 0x0403_4B50

  /// Parses the central directory of `bytes`; `file` names the archive in errors.
  public init(bytes: [UInt8], file: String) throws(ZipError) {
    self.bytes = bytes
    self.file = file
    let end = try findEnd()
    var reader = ZipReader(bytes: bytes, file: file, offset: end + 10)
    var entries = Int(try reader.uintLE(2))
    var directorySize = Int(try reader.uintLE(4))
    var directoryOffset = Int(try reader.uintLE(4))
    if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
      (entries, directorySize, directoryOffset) = try zip64End(before: end)
    }
    guard directoryOffset >= 0, directorySize >= 0,
      directoryOffset <= bytes.count, directorySize <= bytes.count - directoryOffset,
      entries <= directorySize / 46
    else {
      throw malformed(end, "central directory lies outside the file")
    }
    reader = ZipReader(
      bytes: bytes, file: file, offset: directoryOffset, end: directoryOffset + directorySize)
    for _ in 0..<entries {
      members.append(try readCentralEntry(&reader))
    }
  }

  /// The member stored under `path`, if any.
  public func member(_ path: String) -> Member? {
    members.first { $0.path == path }
  }

  /// `member`, after checking its CRC-32 against its bytes.
  public func verified(_ member: Member) throws(ZipError) -> Member {
    let crc = CRC32.checksum(bytes[member.start..<(member.start + member.count)])
    guard crc == member.crc32 else {
      throw malformed(member.start, "CRC-32 of \(member.path) does not match (damaged file)")
    }
    return member
  }

  /// The bytes of the member at `path`, CRC-checked; nil when there is no such member.
  public func data(_ path: String) throws(ZipError) -> ArraySlice<UInt8>? {
    guard let found = member(path) else { return nil }
    let m = try verified(found)
    return bytes[m.start..<(m.start + m.count)]
  }

  // MARK: - Parsing

  private func malformed(_ offset: Int, _ reason: String) -> ZipError {
    .malformed(file: file, offset: offset, reason: reason)
  }

  private func signature(at offset: Int) -> UInt32? {
    guard offset >= 0, offset + 4 <= bytes.count else { return nil }
    var reader = ZipReader(bytes: bytes, file: file, offset: offset)
    return (try? reader.uintLE(4)).map { UInt32(truncatingIfNeeded: $0) }
  }

  /// The end-of-central-directory record: within the last 22 + 65535 (comment) bytes.
  private func findEnd() throws(ZipError) -> Int {
    let last = bytes.count - 22
    let first = max(0, last - 0xFFFF)
    var offset = last
    while offset >= first {
      if signature(at: offset) == Self.endSignature { return offset }
      offset -= 1
    }
    throw .notAZip(
      file: file, reason: "no end-of-central-directory record (incomplete file?)")
  }

  private func zip64End(before end: Int) throws(ZipError) -> (Int, Int, Int) {
    let locator = end - 20
    guard signature(at: locator) == Self.zip64LocatorSignature else {
      throw malformed(end, "ZIP64 sizes without a ZIP64 locator")
    }
    var reader = ZipReader(bytes: bytes, file: file, offset: locator + 8)
    let record = try int(try reader.uintLE(8), locator)
    guard signature(at: record) == Self.zip64EndSignature else {
      throw malformed(locator, "ZIP64 locator points at no ZIP64 end record")
    }
    reader = ZipReader(bytes: bytes, file: file, offset: record + 32)
    let entries = try int(try reader.uintLE(8), record)
    let size = try int(try reader.uintLE(8), record)
    let offset = try int(try reader.uintLE(8), record)
    return (entries, size, offset)
  }

  /// A 64-bit size or offset from the file as an Int no larger than the file.
  private func int(_ value: UInt64, _ at: Int) throws(ZipError) -> Int {
    guard value <= UInt64(bytes.count) else {
      throw malformed(at, "size or offset \(value) is beyond the end of the file")
    }
    return Int(value)
  }

  private func readCentralEntry(_ reader: inout ZipReader) throws(ZipError) -> Member {
    let at = reader.offset
    guard UInt32(truncatingIfNeeded: try reader.uintLE(4)) == Self.centralSignature else {
      throw malformed(at, "central directory entry has a wrong signature")
    }
    try reader.skip(6)  // versions, flags
    let method = try reader.uintLE(2)
    try reader.skip(4)  // time, date
    let crc = UInt32(truncatingIfNeeded: try reader.uintLE(4))
    var compressed = try reader.uintLE(4)
    var uncompressed = try reader.uintLE(4)
    let nameLength = Int(try reader.uintLE(2))
    let extraLength = Int(try reader.uintLE(2))
    let commentLength = Int(try reader.uintLE(2))
    try reader.skip(8)  // disk, attributes
    var localOffset = try reader.uintLE(4)
    let path = String(decoding: try reader.take(nameLength), as: UTF8.self)
    var extra = ZipReader(
      bytes: bytes, file: file, offset: reader.offset, end: reader.offset + extraLength)
    try reader.skip(extraLength)
    try reader.skip(commentLength)
    // ZIP64 extended information: 8-byte values for the fields saturated at 0xFFFFFFFF.
    while extra.remaining >= 4 {
      let id = try extra.uintLE(2)
      let size = Int(try extra.uintLE(2))
      var field = ZipReader(
        bytes: bytes, file: file, offset: extra.offset, end: extra.offset + size)
      try extra.skip(size)
      guard id == 0x0001 else { continue }
      if uncompressed == 0xFFFF_FFFF { uncompressed = try field.uintLE(8) }
      if compressed == 0xFFFF_FFFF { compressed = try field.uintLE(8) }
      if localOffset == 0xFFFF_FFFF { localOffset = try field.uintLE(8) }
    }
    guard method == 0, compressed == uncompressed else {
      throw .compressed(file: file, member: path, method: Int(method))
    }
    let count = try int(uncompressed, at)
    let local = try int(localOffset, at)
    // The local header repeats the name and has its own extra field; data follows it.
    var header = ZipReader(bytes: bytes, file: file, offset: local)
    guard UInt32(truncatingIfNeeded: try header.uintLE(4)) == Self.localSignature else {
      throw malformed(local, "local header of \(path) has a wrong signature")
    }
    try header.skip(22)
    let localName = Int(try header.uintLE(2))
    let localExtra = Int(try header.uintLE(2))
    try header.skip(localName + localExtra)
    let start = header.offset
    guard count <= bytes.count - start else {
      throw .truncated(file: file, offset: start, needed: count, available: bytes.count - start)
    }
    return Member(path: path, start: start, count: count, crc32: crc)
  }
}
