/// The raw bytes of one storage: `count` elements of `dtype` from `bytes[start...]`.
/// `bytes` is shared copy-on-write with the file buffer, so no storage is copied.
struct StorageBlob {
  let bytes: [UInt8]
  let start: Int
  let count: Int
  let dtype: TorchDType
}

/// From the unpickled state dict and the storages' bytes to Float tensors.
extension TorchCheckpoint {
  /// Keys under which training scripts nest the state dict in a larger checkpoint.
  static let nestedStateDictKeys = ["state_dict", "model_state_dict", "model"]

  static func materialize(
    machine: PickleMachine, root: PickleValue, blobs: [String: StorageBlob], file: String,
    byteLimit: Int
  ) throws -> (tensors: [TorchTensor], skipped: [String]) {
    let dict = try stateDict(machine: machine, root: root, file: file)
    var tensors: [TorchTensor] = []
    var skipped: [String] = []
    // Output never exceeds one Float per byte of the file, whatever the strides claim.
    var budget = byteLimit
    for (key, value) in zip(dict.keys, dict.values) {
      guard case .string(let name) = key else {
        skipped.append("\(key.kind) key")
        continue
      }
      guard let ref = machine.tensor(value) else {
        skipped.append(name)
        continue
      }
      let storage = machine.storage(ref.storage)
      guard let blob = blobs[storage.root] else {
        throw TorchCheckpointError.missingStorage(
          file: file, key: storage.root, reason: "used by '\(name)' is not in the file")
      }
      guard storage.dtype == blob.dtype, storage.rootOffset + storage.count <= blob.count else {
        throw TorchCheckpointError.missingStorage(
          file: file, key: storage.root, reason: "holds \(blob.count) \(blob.dtype) elements, "
            + "'\(name)' needs \(storage.rootOffset + storage.count) \(storage.dtype)")
      }
      let values = try gather(ref, storage: storage, blob: blob, name: name, file: file)
      budget -= values.count
      guard budget >= 0 else {
        throw TorchCheckpointError.tooLarge(
          file: file, what: "the total element count of the tensors", limit: byteLimit)
      }
      tensors.append(
        TorchTensor(name: name, dtype: storage.dtype, shape: ref.shape, values: values))
    }
    return (tensors, skipped)
  }

  /// The dictionary of tensors: the root itself, or one nested under a usual key.
  private static func stateDict(
    machine: PickleMachine, root: PickleValue, file: String
  ) throws -> PickleDict {
    guard let dict = machine.dict(root) else {
      throw TorchCheckpointError.noTensors(
        file: file, reason: "the checkpoint holds a \(root.kind), not a dict of tensors")
    }
    let hasTensors: (PickleDict) -> Bool = { dict in
      dict.values.contains { machine.tensor($0) != nil }
    }
    if hasTensors(dict) { return dict }
    for key in nestedStateDictKeys {
      if let value = dict.value(for: key), let nested = machine.dict(value), hasTensors(nested) {
        return nested
      }
    }
    throw TorchCheckpointError.noTensors(
      file: file, reason: "no tensors at the top level or under "
        + nestedStateDictKeys.map { "'\($0)'" }.joined(separator: ", "))
  }

  /// Applies offset and strides: element `[i0, i1, ...]` is storage element
  /// `offset + i0*stride0 + i1*stride1 + ...`, all checked to lie inside the storage.
  static func gather(
    _ ref: TensorRef, storage: StorageRef, blob: StorageBlob, name: String, file: String
  ) throws -> [Float] {
    var count = 1
    var lastIndex = ref.offset
    for (size, stride) in zip(ref.shape, ref.strides) {
      let (product, overflow) = count.multipliedReportingOverflow(by: size)
      let (reach, overflow2) = (size > 0 ? size - 1 : 0).multipliedReportingOverflow(by: stride)
      let (sum, overflow3) = lastIndex.addingReportingOverflow(reach)
      guard !overflow, !overflow2, !overflow3 else {
        throw TorchCheckpointError.tensorOutOfBounds(
          file: file, tensor: name, reason: "has a size or stride that overflows")
      }
      count = product
      lastIndex = sum
    }
    guard count > 0 else { return [] }
    guard lastIndex < storage.count, count <= storage.count else {
      throw TorchCheckpointError.tensorOutOfBounds(
        file: file, tensor: name, reason: "with offset \(ref.offset), size \(ref.shape) and "
          + "stride \(ref.strides) reaches element \(lastIndex) of a \(storage.count)-element "
          + "storage")
    }
    let base = storage.rootOffset + ref.offset
    let dtype = storage.dtype
    return blob.bytes.withUnsafeBytes { raw in
      let bytes = UnsafeRawBufferPointer(rebasing: raw[blob.start..<(blob.start
        + blob.count * dtype.size)])
      var values = [Float](repeating: 0, count: count)
      if ref.strides == contiguousStrides(ref.shape) {
        for index in 0..<count {
          values[index] = dtype.load(bytes, base + index)
        }
        return values
      }
      // General strides: an odometer over the multi-index.
      var position = [Int](repeating: 0, count: ref.shape.count)
      var source = base
      for index in 0..<count {
        values[index] = dtype.load(bytes, source)
        var axis = ref.shape.count - 1
        while axis >= 0 {
          position[axis] += 1
          source += ref.strides[axis]
          if position[axis] < ref.shape[axis] { break }
          source -= ref.strides[axis] * ref.shape[axis]
          position[axis] = 0
          axis -= 1
        }
      }
      return values
    }
  }

  static func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var step = 1
    for axis in shape.indices.reversed() {
      strides[axis] = step
      step *= shape[axis]
    }
    return strides
  }
}
