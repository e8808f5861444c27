import CHDF5

extension HDF5Bytes {
  /// The element count and data offset of the variable-length attribute `name` in the
  /// object header at `address` (nil if it is not there as a plain, unshared message).
  func variableLengthAttribute(_ name: String, header address: Int, base: Int)
    -> (count: Int, data: Int, end: Int)?
  {
    guard let messages = headerMessages(at: address, base: base) else { return nil }
    let wanted = Array(name.utf8) + [0]
    for message in messages where message.type == 0x0C {
      let at = message.at, end = message.at + message.size
      guard let version = u8(at), (1...3).contains(version), let nameSize = uint(at + 2, 2),
        let typeSize = uint(at + 4, 2), let spaceSize = uint(at + 6, 2)
      else { continue }
      // Version 2 and 3 flags: a shared datatype or dataspace is stored elsewhere.
      if version > 1, let flags = u8(at + 1), flags & 0x03 != 0 { continue }
      let pad = { (n: Int) in version == 1 ? (n + 7) / 8 * 8 : n }
      let nameAt = at + 8 + (version == 3 ? 1 : 0)
      guard nameSize == wanted.count, matches(nameAt, wanted) else { continue }
      let typeAt = nameAt + pad(nameSize), spaceAt = typeAt + pad(typeSize)
      let dataAt = spaceAt + pad(spaceSize)
      guard let typeClass = u8(typeAt), typeClass & 0x0F == 9,
        let count = elementCount(dataspace: spaceAt), dataAt <= end
      else { return nil }
      return (count, dataAt, end)
    }
    return nil
  }

  /// The number of elements of a dataspace message (nil when damaged).
  func elementCount(dataspace at: Int) -> Int? {
    guard let version = u8(at), let rank = u8(at + 1), rank <= 32 else { return nil }
    if version == 2, u8(at + 3) == 2 { return 0 }  // a null dataspace
    let dims = at + (version == 1 ? 8 : 4)
    var count = 1
    for i in 0..<rank {
      guard let dim = uint(dims + 8 * i, 8) else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: dim)
      guard !overflow else { return nil }
      count = product
    }
    return count
  }

  /// True when each of `count` variable-length references at `data` (sequence length,
  /// collection address, object index) is empty, or names an object of a consistent global
  /// heap collection holding exactly that many bytes — what libhdf5's H5HG_read copies
  /// without checking into a buffer of the sequence's length.
  func referencesAreSound(count: Int, data: Int, end: Int, base: Int) -> Bool {
    guard count <= (end - data) / 16 else { return false }
    var collections: [Int: [Int: Int]] = [:]
    for i in 0..<count {
      let at = data + 16 * i
      guard let length = uint(at, 4), let address = uint(at + 4, 8), let index = uint(at + 12, 4)
      else { return false }
      if length == 0 { continue }
      let start = base + address
      if collections[start] == nil { collections[start] = heapObjects(at: start) }
      guard let sizes = collections[start], index > 0, sizes[index] == length else { return false }
    }
    return true
  }

  /// The object sizes by index of the global heap collection at `at` (nil if it is damaged),
  /// walked as libhdf5's H5HG__cache_heap_deserialize walks it: 16-byte object headers
  /// (index, references, reserved, size), data padded to 8 bytes, index 0 the free space
  /// (header included). A size-0 free space never advances libhdf5's loop; an object past
  /// the end makes H5HG_read overrun.
  func heapObjects(at: Int) -> [Int: Int]? {
    guard matches(at, Array("GCOL".utf8)), u8(at + 4) == 1, let size = uint(at + 8, 8),
      size >= 4096, size <= bytes.count - at
    else { return nil }
    var objects: [Int: Int] = [:]
    var offset = 16
    while offset + 16 <= size {
      guard let index = uint(at + offset, 2), let objectSize = uint(at + offset + 8, 8),
        objectSize <= size
      else { return nil }
      let need = index > 0 ? 16 + (objectSize + 7) / 8 * 8 : objectSize
      guard need > 0, offset + need <= size else { return nil }
      if index > 0 {
        guard objects[index] == nil else { return nil }
        objects[index] = objectSize
      }
      offset += need
    }
    return objects
  }
}

extension HDF5Object {
  /// Refuses the variable-length strings of attribute `name` unless each is a sound global
  /// heap reference (`HDF5Bytes.referencesAreSound`): libhdf5 1.10 follows them unchecked,
  /// and fuzzed files made it segfault or allocate 4 GB there (HDF5FuzzTests).
  func checkHeapReferences(ofAttribute name: String) throws {
    var header: haddr_t = 0
    guard ftune_h5_object_address(id, &header) >= 0 else {
      throw failed("read attribute", "\(path)' attribute '\(name)")
    }
    try checkHeapReferences("\(path)' attribute '\(name)") { bytes, base in
      guard header < UInt64(Int.max - base),
        let data = bytes.variableLengthAttribute(name, header: base + Int(header), base: base)
      else { return nil }
      return (data.count, data.data, data.end)
    }
  }

  /// Maps the file, finds `count` references at `locate`'s offset (nil: not where ftune can
  /// check them) and checks them against their heaps.
  func checkHeapReferences(
    _ object: String, locate: (HDF5Bytes, Int) -> (count: Int, data: Int, end: Int)?
  ) throws {
    // The file holding the object: another one when a trusted external link led there.
    let length = H5Fget_name(id, nil, 0)
    var name = [CChar](repeating: 0, count: max(Int(length), 0) + 1)
    guard length > 0, H5Fget_name(id, &name, name.count) == length else {
      throw failed("locate", object)
    }
    let sound = HDF5File.withMappedFile(cString(name)) { raw -> Bool in
      let bytes = HDF5Bytes(bytes: raw.bindMemory(to: UInt8.self))
      guard let base = bytes.superblock()?.base, let found = locate(bytes, base) else { return false }
      return bytes.referencesAreSound(count: found.count, data: found.data, end: found.end, base: base)
    }
    guard sound == true else {
      throw HDF5Error.damagedObject(
        file: file.path, object: object,
        reason: "its strings do not match the heap that holds them")
    }
  }
}

extension HDF5Dataset {
  /// As for attributes: the references of a contiguous variable-length string dataset
  /// (what ftune writes) are checked before libhdf5 follows them; other layouts are refused.
  func checkHeapReferences() throws {
    let count = try shape().reduce(1, *)
    let dcpl = H5Dget_create_plist(id)
    let layout = H5Pget_layout(dcpl)
    H5Pclose(dcpl)
    let offset = H5Dget_offset(id)
    // No storage allocated yet: every element is the empty fill value.
    if layout == H5D_CONTIGUOUS && offset == ftune_HADDR_UNDEF() { return }
    try checkHeapReferences(path) { _, base in
      guard layout == H5D_CONTIGUOUS, offset < UInt64(Int.max / 2), count < Int.max / 32
      else { return nil }
      let data = base + Int(offset)
      return (count, data, data + 16 * count)
    }
  }
}
