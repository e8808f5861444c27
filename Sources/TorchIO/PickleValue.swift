/// A value on the pickle VM's stack. Containers live in the machine's arenas and are
/// referred to by index, so a hostile file can nest them arbitrarily deep (or build cycles
/// through the memo) without recursive deallocation or traversal ever overflowing the stack.
enum PickleValue: Equatable {
  case none
  case bool(Bool)
  case int(Int)
  /// A LONG1 integer wider than 64 bits, as little-endian two's-complement bytes.
  case bigInt([UInt8])
  case float(Double)
  case string(String)
  /// Bytes are never needed by state dicts; only their length is kept.
  case bytes(count: Int)
  case global(module: String, name: String)
  case list(Int)
  case tuple(Int)
  case dict(Int)
  case storage(Int)
  case tensor(Int)
  /// The result of calling something that is not a state-dict building block; kept opaque.
  case opaque(String)

  /// A short name of the kind of value, for error messages.
  var kind: String {
    switch self {
    case .none: return "None"
    case .bool: return "bool"
    case .int, .bigInt: return "int"
    case .float: return "float"
    case .string: return "str"
    case .bytes: return "bytes"
    case .global(let module, let name): return "\(module).\(name)"
    case .list: return "list"
    case .tuple: return "tuple"
    case .dict: return "dict"
    case .storage: return "storage"
    case .tensor: return "tensor"
    case .opaque(let what): return what
    }
  }
}

/// A dictionary in insertion order (OrderedDict semantics); keys are kept as values.
struct PickleDict {
  private(set) var keys: [PickleValue] = []
  private(set) var values: [PickleValue] = []
  private var index: [String: Int] = [:]

  /// Sets `key` to `value`, replacing an earlier string key in place as Python does.
  mutating func set(_ key: PickleValue, _ value: PickleValue) {
    if case .string(let name) = key {
      if let at = index[name] {
        values[at] = value
        return
      }
      index[name] = keys.count
    }
    keys.append(key)
    values.append(value)
  }

  func value(for name: String) -> PickleValue? {
    index[name].map { values[$0] }
  }

  var count: Int { keys.count }
}

/// A storage named by a BINPERSID persistent id: `('storage', torch.XStorage, key,
/// location, numel[, view_metadata])`.
struct StorageRef: Equatable {
  var key: String
  var dtype: TorchDType
  var count: Int
  /// Legacy views: the storage is `count` elements of `root` starting at `rootOffset`.
  var root: String
  var rootOffset: Int
}

/// What `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)` describes.
struct TensorRef: Equatable {
  var storage: Int
  var offset: Int
  var shape: [Int]
  var strides: [Int]
}
