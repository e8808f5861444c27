/// A minimal pickle virtual machine for PyTorch state dicts.
///
/// It implements the opcodes `torch.save` emits for a state dict (pickle protocol 2, plus the
/// few later ones that cost nothing) and *interprets* the handful of callables a state dict
/// names: `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` (and v1,
/// `_rebuild_parameter`) and the persistent ids of `torch.XStorage`. No Python code is ever
/// run: any other callable yields an opaque value. Every read is bounds-checked and every
/// structural surprise throws `TorchCheckpointError` with the file and byte offset.
final class PickleMachine {
  private(set) var lists: [[PickleValue]] = []
  private(set) var tuples: [[PickleValue]] = []
  private(set) var dicts: [PickleDict] = []
  var storages: [StorageRef] = []
  private(set) var tensors: [TensorRef] = []

  private var stack: [PickleValue] = []
  private var marks: [Int] = []
  private var memo: [Int: PickleValue] = [:]
  /// Offset of the opcode being executed, for error messages.
  private(set) var at = 0
  private(set) var file = ""

  /// Runs one pickle from the reader's position up to and including STOP; returns its value.
  func run(_ reader: inout ByteReader) throws -> PickleValue {
    file = reader.file
    stack.removeAll()
    marks.removeAll()
    memo.removeAll()
    while true {
      at = reader.offset
      let opcode = try reader.byte()
      if opcode == Op.stop {
        return try pop()
      }
      try execute(opcode, &reader)
    }
  }

  // MARK: - Opcodes

  private enum Op {
    static let mark = UInt8(ascii: "("), stop = UInt8(ascii: "."), pop = UInt8(ascii: "0")
    static let popMark = UInt8(ascii: "1"), dup = UInt8(ascii: "2")
    static let none = UInt8(ascii: "N"), newTrue: UInt8 = 0x88, newFalse: UInt8 = 0x89
    static let binInt = UInt8(ascii: "J"), binInt1 = UInt8(ascii: "K")
    static let binInt2 = UInt8(ascii: "M"), long1: UInt8 = 0x8A
    static let binFloat = UInt8(ascii: "G")
    static let binUnicode = UInt8(ascii: "X"), shortBinUnicode: UInt8 = 0x8C
    static let binUnicode8: UInt8 = 0x8D
    static let binString = UInt8(ascii: "T"), shortBinString = UInt8(ascii: "U")
    static let binBytes = UInt8(ascii: "B"), shortBinBytes = UInt8(ascii: "C")
    static let emptyList = UInt8(ascii: "]"), list = UInt8(ascii: "l")
    static let append = UInt8(ascii: "a"), appends = UInt8(ascii: "e")
    static let emptyTuple = UInt8(ascii: ")"), tuple = UInt8(ascii: "t")
    static let tuple1: UInt8 = 0x85, tuple2: UInt8 = 0x86, tuple3: UInt8 = 0x87
    static let emptyDict = UInt8(ascii: "}"), dict = UInt8(ascii: "d")
    static let setItem = UInt8(ascii: "s"), setItems = UInt8(ascii: "u")
    static let binPut = UInt8(ascii: "q"), longBinPut = UInt8(ascii: "r"), memoize: UInt8 = 0x94
    static let binGet = UInt8(ascii: "h"), longBinGet = UInt8(ascii: "j")
    static let global = UInt8(ascii: "c"), stackGlobal: UInt8 = 0x93
    static let binPersId = UInt8(ascii: "Q"), reduce = UInt8(ascii: "R")
    static let build = UInt8(ascii: "b"), newObj: UInt8 = 0x81
    static let proto: UInt8 = 0x80, frame: UInt8 = 0x95
  }

  // One switch over all opcodes reads best as a table; splitting it would hide that.
  // swiftlint:disable:next cyclomatic_complexity function_body_length
  private func execute(_ opcode: UInt8, _ reader: inout ByteReader) throws {
    switch opcode {
    case Op.proto:
      let version = try reader.byte()
      guard version <= 5 else { throw malformed("pickle protocol \(version) is unknown") }
    case Op.frame:
      _ = try reader.uintLE(8)  // Framing is a hint for buffered readers; nothing to do.
    case Op.mark: marks.append(stack.count)
    case Op.pop: _ = try pop()
    case Op.popMark: _ = try popToMark()
    case Op.dup: stack.append(try top())
    case Op.none: stack.append(.none)
    case Op.newTrue: stack.append(.bool(true))
    case Op.newFalse: stack.append(.bool(false))
    case Op.binInt: stack.append(.int(try reader.int32LE()))
    case Op.binInt1: stack.append(.int(Int(try reader.byte())))
    case Op.binInt2: stack.append(.int(Int(try reader.uintLE(2))))
    case Op.long1: stack.append(try long(&reader, width: Int(try reader.byte())))
    case Op.binFloat: stack.append(.float(try reader.float64BE()))
    case Op.binUnicode, Op.binString:
      stack.append(.string(try text(&reader, count: try reader.int32LE())))
    case Op.shortBinUnicode, Op.shortBinString:
      stack.append(.string(try text(&reader, count: Int(try reader.byte()))))
    case Op.binUnicode8:
      let count = try reader.uintLE(8)
      guard count <= UInt64(reader.remaining) else { throw malformed("string longer than file") }
      stack.append(.string(try text(&reader, count: Int(count))))
    case Op.binBytes, Op.shortBinBytes:
      let count = opcode == Op.binBytes ? Int(try reader.uintLE(4)) : Int(try reader.byte())
      try reader.skip(count)
      stack.append(.bytes(count: count))
    case Op.emptyList: stack.append(newList([]))
    case Op.list: stack.append(newList(try popToMark()))
    case Op.append:
      let item = try pop()
      try appendToList(try top(), [item])
    case Op.appends:
      let items = try popToMark()
      try appendToList(try top(), items)
    case Op.emptyTuple: stack.append(newTuple([]))
    case Op.tuple: stack.append(newTuple(try popToMark()))
    case Op.tuple1, Op.tuple2, Op.tuple3:
      let count = Int(opcode - Op.tuple1) + 1
      guard stack.count - (marks.last ?? 0) >= count else { throw malformed("stack underflow") }
      let items = Array(stack.suffix(count))
      stack.removeLast(count)
      stack.append(newTuple(items))
    case Op.emptyDict: stack.append(newDict())
    case Op.dict:
      let items = try popToMark()
      let dict = newDict()
      try setItems(dict, items)
      stack.append(dict)
    case Op.setItem:
      let value = try pop()
      let key = try pop()
      try setItems(try top(), [key, value])
    case Op.setItems:
      let items = try popToMark()
      try setItems(try top(), items)
    case Op.binPut: memo[Int(try reader.byte())] = try top()
    case Op.longBinPut: memo[Int(try reader.uintLE(4))] = try top()
    case Op.memoize: memo[memo.count] = try top()
    case Op.binGet, Op.longBinGet:
      let key = opcode == Op.binGet ? Int(try reader.byte()) : Int(try reader.uintLE(4))
      guard let value = memo[key] else { throw malformed("memo key \(key) was never stored") }
      stack.append(value)
    case Op.global:
      let module = try reader.line()
      let name = try reader.line()
      stack.append(.global(module: module, name: name))
    case Op.stackGlobal:
      let name = try pop()
      let module = try pop()
      guard case .string(let nameText) = name, case .string(let moduleText) = module else {
        throw malformed("STACK_GLOBAL needs two strings, got \(module.kind), \(name.kind)")
      }
      stack.append(.global(module: moduleText, name: nameText))
    case Op.binPersId: stack.append(try persistentLoad(try pop()))
    case Op.reduce:
      let args = try pop()
      let callable = try pop()
      stack.append(try call(callable, args))
    case Op.newObj:
      let args = try pop()
      let cls = try pop()
      _ = args
      stack.append(.opaque("\(cls.kind) instance"))
    case Op.build:
      // BUILD sets an object's state; for OrderedDict that is `_metadata`, which a weight
      // import does not need.
      _ = try pop()
      _ = try top()
    default:
      throw TorchCheckpointError.unsupportedOpcode(file: file, offset: at, opcode: opcode)
    }
  }

  // MARK: - Stack helpers

  func malformed(_ reason: String) -> TorchCheckpointError {
    .malformed(file: file, offset: at, reason: reason)
  }

  private func pop() throws -> PickleValue {
    guard stack.count > (marks.last ?? 0), let value = stack.popLast() else {
      throw malformed("stack underflow")
    }
    return value
  }

  private func top() throws -> PickleValue {
    guard stack.count > (marks.last ?? 0), let value = stack.last else {
      throw malformed("stack underflow")
    }
    return value
  }

  private func popToMark() throws -> [PickleValue] {
    guard let mark = marks.popLast() else { throw malformed("no MARK on the stack") }
    let items = Array(stack[mark...])
    stack.removeSubrange(mark...)
    return items
  }

  private func text(_ reader: inout ByteReader, count: Int) throws -> String {
    guard count >= 0 else { throw malformed("negative string length \(count)") }
    return String(decoding: try reader.take(count), as: UTF8.self)
  }

  private func long(_ reader: inout ByteReader, width: Int) throws -> PickleValue {
    let bytes = Array(try reader.take(width))
    guard width <= 8 else { return .bigInt(bytes) }
    guard width > 0 else { return .int(0) }
    var value: UInt64 = 0
    for (shift, byte) in bytes.enumerated() {
      value |= UInt64(byte) << UInt64(8 * shift)
    }
    if width < 8, bytes[width - 1] & 0x80 != 0 {
      value |= ~0 << UInt64(8 * width)  // sign-extend
    }
    return .int(Int(Int64(bitPattern: value)))
  }

  // MARK: - Containers

  private func newList(_ items: [PickleValue]) -> PickleValue {
    lists.append(items)
    return .list(lists.count - 1)
  }

  private func newTuple(_ items: [PickleValue]) -> PickleValue {
    tuples.append(items)
    return .tuple(tuples.count - 1)
  }

  private func newDict() -> PickleValue {
    dicts.append(PickleDict())
    return .dict(dicts.count - 1)
  }

  private func appendToList(_ target: PickleValue, _ items: [PickleValue]) throws {
    guard case .list(let id) = target else {
      throw malformed("APPEND to a \(target.kind), expected a list")
    }
    lists[id].append(contentsOf: items)
  }

  private func setItems(_ target: PickleValue, _ items: [PickleValue]) throws {
    guard case .dict(let id) = target else {
      throw malformed("SETITEM on a \(target.kind), expected a dict")
    }
    guard items.count % 2 == 0 else { throw malformed("odd number of items for a dict") }
    for pair in stride(from: 0, to: items.count, by: 2) {
      dicts[id].set(items[pair], items[pair + 1])
    }
  }

  /// The items of a tuple or list value.
  func items(_ value: PickleValue) -> [PickleValue]? {
    switch value {
    case .tuple(let id): return tuples[id]
    case .list(let id): return lists[id]
    default: return nil
    }
  }

  func dict(_ value: PickleValue) -> PickleDict? {
    if case .dict(let id) = value { return dicts[id] }
    return nil
  }

  func tensor(_ value: PickleValue) -> TensorRef? {
    if case .tensor(let id) = value { return tensors[id] }
    return nil
  }

  func storage(_ id: Int) -> StorageRef { storages[id] }

  func appendDict() -> PickleValue { newDict() }

  func appendTensor(_ ref: TensorRef) -> PickleValue {
    tensors.append(ref)
    return .tensor(tensors.count - 1)
  }
}
