/// The torch-specific part of the VM: storages named by persistent ids, and the few
/// callables a state dict is rebuilt with. Anything else becomes an opaque value.
extension PickleMachine {
  /// Tensors of higher rank do not occur in weight files; the cap keeps shapes small.
  static let maxRank = 16

  /// `('storage', torch.XStorage, key, location, numel[, (view_key, offset, view_numel)])`.
  func persistentLoad(_ pid: PickleValue) throws -> PickleValue {
    guard let fields = items(pid), fields.count >= 5, fields[0] == .string("storage") else {
      throw malformed("persistent id is not ('storage', type, key, location, numel)")
    }
    guard case .global(let module, let name) = fields[1], module == "torch" else {
      throw malformed("storage type is \(fields[1].kind), expected torch.<Type>Storage")
    }
    guard let dtype = TorchDType(storageClass: name) else {
      throw TorchCheckpointError.unsupportedStorage(file: file, offset: at, type: name)
    }
    let key: String
    switch fields[2] {
    case .string(let text): key = text
    case .int(let number): key = String(number)
    default: throw malformed("storage key is a \(fields[2].kind), expected str")
    }
    guard case .int(let count) = fields[4], count >= 0 else {
      throw malformed("storage element count is \(fields[4].kind), expected int >= 0")
    }
    var ref = StorageRef(key: key, dtype: dtype, count: count, root: key, rootOffset: 0)
    if fields.count > 5, fields[5] != .none {
      // Legacy format: a view of `count` elements... of the root storage `key`.
      guard let view = items(fields[5]), view.count == 3,
        case .int(let offset) = view[1], case .int(let viewCount) = view[2],
        offset >= 0, viewCount >= 0, offset <= count, viewCount <= count - offset
      else {
        throw malformed("storage view metadata is not (key, offset, numel) within the root")
      }
      ref.rootOffset = offset
      ref.count = viewCount
    }
    storages.append(ref)
    return .storage(storages.count - 1)
  }

  /// REDUCE: interprets the callables a state dict uses; others give an opaque value.
  func call(_ callable: PickleValue, _ args: PickleValue) throws -> PickleValue {
    guard case .global(let module, let name) = callable else {
      throw malformed("REDUCE on a \(callable.kind), expected a global callable")
    }
    guard let arguments = items(args) else {
      throw malformed("REDUCE arguments are a \(args.kind), expected a tuple")
    }
    switch (module, name) {
    case ("collections", "OrderedDict"):
      guard arguments.isEmpty else { throw malformed("OrderedDict with arguments") }
      return appendDict()
    case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
      return try rebuildTensor(arguments)
    case ("torch._utils", "_rebuild_parameter"),
      ("torch._utils", "_rebuild_parameter_with_state"):
      guard let data = arguments.first, case .tensor = data else {
        throw malformed("_rebuild_parameter without a tensor")
      }
      return data
    default:
      return .opaque("\(module).\(name)(...)")
    }
  }

  /// `(storage, storage_offset, size, stride, ...)`, checked for sane integers only; the
  /// bounds against the storage's bytes are checked once the storage has been read.
  private func rebuildTensor(_ arguments: [PickleValue]) throws -> PickleValue {
    guard arguments.count >= 4, case .storage(let storage) = arguments[0],
      case .int(let offset) = arguments[1], offset >= 0
    else {
      throw malformed("_rebuild_tensor arguments are not (storage, offset, size, stride, ...)")
    }
    let shape = try intTuple(arguments[2], what: "size")
    let strides = try intTuple(arguments[3], what: "stride")
    guard shape.count == strides.count else {
      throw malformed("tensor size \(shape) and stride \(strides) differ in rank")
    }
    return appendTensor(TensorRef(storage: storage, offset: offset, shape: shape, strides: strides))
  }

  private func intTuple(_ value: PickleValue, what: String) throws -> [Int] {
    guard let fields = items(value), fields.count <= Self.maxRank else {
      throw malformed("tensor \(what) is a \(value.kind), expected a tuple of at most "
        + "\(Self.maxRank) ints")
    }
    return try fields.map { field in
      guard case .int(let number) = field, number >= 0 else {
        throw malformed("tensor \(what) holds \(field.kind), expected ints >= 0")
      }
      return number
    }
  }
}
