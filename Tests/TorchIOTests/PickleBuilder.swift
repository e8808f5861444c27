import Foundation

/// Writes pickle opcodes by hand, to build checkpoints a normal torch.save never writes.
struct PickleBuilder {
  var bytes: [UInt8] = [0x80, 0x02]  // PROTO 2

  mutating func op(_ code: UInt8) { bytes.append(code) }
  mutating func op(_ code: Character) { bytes.append(code.asciiValue ?? 0) }

  mutating func string(_ text: String) {
    let utf8 = Array(text.utf8)
    op("X")
    bytes += withUnsafeBytes(of: UInt32(utf8.count).littleEndian, Array.init)
    bytes += utf8
  }

  mutating func int(_ value: Int) {
    if (0..<256).contains(value) {
      op("K")
      bytes.append(UInt8(value))
    } else {
      op("J")
      bytes += withUnsafeBytes(of: Int32(value).littleEndian, Array.init)
    }
  }

  mutating func global(_ module: String, _ name: String) {
    op("c")
    bytes += Array("\(module)\n\(name)\n".utf8)
  }

  mutating func intTuple(_ values: [Int]) {
    op("(")
    values.forEach { int($0) }
    op("t")
  }

  /// `_rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())`.
  mutating func tensor(
    storageKey: String, type: String = "FloatStorage", count: Int, offset: Int = 0,
    size: [Int], stride: [Int]
  ) {
    global("torch._utils", "_rebuild_tensor_v2")
    op("(")
    op("(")
    string("storage")
    global("torch", type)
    string(storageKey)
    string("cpu")
    int(count)
    op("N")
    op("t")
    op("Q")  // BINPERSID
    int(offset)
    intTuple(size)
    intTuple(stride)
    op(0x89)  // NEWFALSE
    global("collections", "OrderedDict")
    op(")")
    op("R")
    op("t")
    op("R")
  }

  mutating func stop() { op(".") }
}

/// A legacy-format file around a hand-written state-dict pickle.
enum LegacyFile {
  static func header() -> [UInt8] {
    let magic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A,
      0xA8, 0x50, 0x19, 0x2E]
    let proto: [UInt8] = [0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E]
    let sysInfo: [UInt8] = [0x80, 0x02, 0x7D, 0x2E]  // {}
    return magic + proto + sysInfo
  }

  /// `state` pickle, then the key list, then each storage as int64 count + float32 data.
  static func make(state: [UInt8], storages: [(key: String, count: Int64, floats: [Float])])
    -> Data
  {
    var keys = PickleBuilder()
    keys.op("]")
    keys.op("(")
    storages.forEach { keys.string($0.key) }
    keys.op("e")
    keys.stop()
    var bytes = header() + state + keys.bytes
    for storage in storages {
      bytes += withUnsafeBytes(of: storage.count.littleEndian, Array.init)
      for value in storage.floats {
        bytes += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init)
      }
    }
    return Data(bytes)
  }

  /// A state dict `{name: tensor}` with one tensor per entry.
  static func state(_ entries: [(String, (inout PickleBuilder) -> Void)]) -> [UInt8] {
    var pickle = PickleBuilder()
    pickle.global("collections", "OrderedDict")
    pickle.op(")")
    pickle.op("R")
    pickle.op("(")
    for (name, value) in entries {
      pickle.string(name)
      value(&pickle)
    }
    pickle.op("u")
    pickle.stop()
    return pickle.bytes
  }
}
