/// Old-style groups, walked before libhdf5 lists them (HDF5 File Format Specification 3.0,
/// III.A.1 "Version 1 B-trees", III.B "Group Symbol Table Nodes", III.D "Local Heaps").
///
/// h5py (and so Keras) writes every group as a symbol table: a version-1 B-tree ("TREE")
/// whose leaves are symbol-table nodes ("SNOD"), whose entries name their members by offsets
/// into a local heap ("HEAP"). libhdf5 1.10.8 follows those addresses and offsets unchecked:
/// the fuzzer found a B-tree child left undefined on which `H5Gget_info` copies from a NULL
/// buffer (SIGSEGV, `H5G__node_sumup`). So ftune walks every such group first, as libhdf5
/// would, and names the first one whose index is inconsistent.
extension HDF5Bytes {
  /// What the walk needs from the superblock: the base address, the root group's object
  /// header (absolute), and the K values that size B-tree and symbol-table nodes.
  struct Superblock {
    let base: Int, rootHeader: Int, leafK: Int, internalK: Int
    /// Where the file's data ends (absolute): past the mapping, the file is truncated.
    let end: Int
  }

  static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

  /// The superblock, when it uses 8-byte offsets and lengths (as libhdf5 and h5py always do).
  func superblock() -> Superblock? {
    for at in [0, 512, 1024, 2048, 4096] where matches(at, Self.signature) {
      guard let version = u8(at + 8) else { return nil }
      let sizes = version < 2 ? (at + 13, at + 14) : (at + 9, at + 10)
      guard u8(sizes.0) == 8, u8(sizes.1) == 8 else { return nil }
      if version < 2 {
        // The root group's symbol-table entry follows base, free-space, EOF and driver addresses.
        let baseAt = at + (version == 0 ? 24 : 28)
        guard let base = uint(baseAt, 8), let leafK = uint(at + 16, 2),
          let internalK = uint(at + 18, 2), let root = absolute(uint(baseAt + 40, 8), base, 1),
          let end = uint(baseAt + 16, 8)
        else { return nil }
        return Superblock(
          base: base, rootHeader: root, leafK: leafK, internalK: internalK, end: base &+ end)
      }
      // Versions 2 and 3: base, extension, EOF, root header; K values in the extension's
      // B-tree 'K' message (0x13), else libhdf5's defaults (4 and 16).
      guard let base = uint(at + 12, 8), let root = absolute(uint(at + 36, 8), base, 1),
        let end = uint(at + 28, 8)
      else { return nil }
      var (leafK, internalK) = (4, 16)
      if let extensionAt = absolute(uint(at + 20, 8), base, 1),
        let message = headerMessages(at: extensionAt, base: base)?.first(where: { $0.type == 0x13 })
      {
        guard let inner = uint(message.at + 3, 2), let leaf = uint(message.at + 5, 2) else {
          return nil
        }
        (leafK, internalK) = (leaf, inner)
      }
      return Superblock(
        base: base, rootHeader: root, leafK: leafK, internalK: internalK, end: base &+ end)
    }
    return nil
  }

  /// The absolute offset of `address` (relative to `base`) when `size` bytes from there lie
  /// inside the file; nil for the undefined address, overflow or anything past the end.
  func absolute(_ address: Int?, _ base: Int, _ size: Int) -> Int? {
    guard let address, case let (start, overflow) = base.addingReportingOverflow(address),
      !overflow, start >= 0, size >= 0, start <= bytes.count - size
    else { return nil }
    return start
  }

  /// The path of the first group whose symbol table libhdf5 could not read safely (an
  /// address outside the file or at the wrong structure, a count above its node's capacity,
  /// a name offset outside its heap, a B-tree that loops), or nil when every group reachable
  /// from the root is sound. Objects ftune cannot parse, and truncated files, are left for
  /// libhdf5 to judge (it refuses those cleanly).
  func damagedSymbolTable() -> String? {
    // A truncated file is libhdf5's to refuse (it checks the end address before any read).
    guard let superblock = superblock(), superblock.end <= bytes.count else { return nil }
    var pending = [(header: superblock.rootHeader, path: "/")]
    var visited: Set<Int> = []
    while let group = pending.popLast() {
      guard visited.insert(group.header).inserted, visited.count <= 1 << 20 else { continue }
      guard let messages = headerMessages(at: group.header, base: superblock.base) else { continue }
      for message in messages {
        let children: [(header: Int, name: String)]?
        switch message.type {
        case 0x11 where message.size >= 16:  // symbol table: B-tree and local heap addresses
          children = symbolTableMembers(
            btree: uint(message.at, 8), heap: uint(message.at + 8, 8), superblock)
          guard children != nil else { return group.path }
        case 0x06:  // a link message of a new-style group: follow its hard link, if it is one
          children = hardLink(message.at, end: message.at + message.size, superblock.base)
            .map { [$0] } ?? []
        default:
          children = []
        }
        for child in children ?? [] {
          let path = group.path == "/" ? "/" + child.name : group.path + "/" + child.name
          pending.append((child.header, path))
        }
      }
    }
    return nil
  }

  /// The members (object header, name) a symbol table lists, or nil when its B-tree, nodes
  /// or heap are not what libhdf5 expects to find there.
  func symbolTableMembers(btree: Int?, heap: Int?, _ superblock: Superblock)
    -> [(header: Int, name: String)]?
  {
    let base = superblock.base
    // Local heap: "HEAP", version 0, 3 reserved, data size, free-list offset, data address.
    guard let heapAt = absolute(heap, base, 32), matches(heapAt, Array("HEAP".utf8)),
      u8(heapAt + 4) == 0, let dataSize = uint(heapAt + 8, 8),
      let data = absolute(uint(heapAt + 24, 8), base, dataSize)
    else { return nil }
    func name(_ offset: Int?) -> String? {
      guard let offset, offset < dataSize else { return nil }
      let slice = bytes[(data + offset)..<(data + dataSize)]
      guard let end = slice.firstIndex(of: 0) else { return nil }
      return String(decoding: bytes[(data + offset)..<end], as: UTF8.self)
    }
    let twoK = 2 * superblock.internalK, twoLeafK = 2 * superblock.leafK
    // A node: "TREE", type 0 (group), level, entries used, two siblings, then keys (heap
    // offsets) and children interleaved, 2K + 1 keys and 2K children whatever is used.
    let nodeSize = 24 + (4 * superblock.internalK + 1) * 8
    let leafSize = 8 + twoLeafK * 40
    var members: [(header: Int, name: String)] = []
    var nodes = [(address: btree, level: Int?.none)]
    var visited: Set<Int> = []
    while let node = nodes.popLast() {
      guard let at = absolute(node.address, base, nodeSize), visited.insert(at).inserted,
        matches(at, Array("TREE".utf8)), u8(at + 4) == 0, let level = u8(at + 5),
        node.level.map({ $0 == level }) ?? true, let used = uint(at + 6, 2), used <= twoK
      else { return nil }
      for i in 0...used where name(uint(at + 24 + 16 * i, 8)) == nil { return nil }
      for i in 0..<used {
        let child = uint(at + 32 + 16 * i, 8)
        if level > 0 {
          nodes.append((child, level - 1))
          continue
        }
        // A symbol-table node: "SNOD", version 1, reserved, symbols, then 40-byte entries
        // (name offset, object header address, cache type, reserved, scratch pad).
        guard let leaf = absolute(child, base, leafSize), matches(leaf, Array("SNOD".utf8)),
          u8(leaf + 4) == 1, let symbols = uint(leaf + 6, 2), symbols <= twoLeafK
        else { return nil }
        for j in 0..<symbols {
          let entry = leaf + 8 + 40 * j
          guard let member = name(uint(entry, 8)) else { return nil }
          // Cache type 2: a soft link, no header; its target path is in the heap too.
          if uint(entry + 16, 4) == 2 {
            guard name(uint(entry + 24, 4)) != nil else { return nil }
            continue
          }
          guard let header = absolute(uint(entry + 8, 8), base, 1) else { return nil }
          members.append((header, member))
        }
      }
    }
    return members
  }

  /// The target and name of the hard link in the link message at `at` (nil for another kind
  /// of link or one ftune cannot parse; libhdf5 checks those itself).
  func hardLink(_ at: Int, end: Int, _ base: Int) -> (header: Int, name: String)? {
    guard u8(at) == 1, let flags = u8(at + 1) else { return nil }
    var cursor = at + 2
    if flags & 0x08 != 0 {
      guard u8(cursor) == 0 else { return nil }  // link type 0: hard
      cursor += 1
    }
    cursor += (flags & 0x04 != 0 ? 8 : 0) + (flags & 0x10 != 0 ? 1 : 0)
    let width = 1 << (flags & 3)
    guard let length = uint(cursor, width), case let nameAt = cursor + width,
      nameAt + length + 8 <= end, let header = absolute(uint(nameAt + length, 8), base, 1)
    else { return nil }
    return (header, String(decoding: bytes[nameAt..<(nameAt + length)], as: UTF8.self))
  }
}

extension HDF5File {
  /// Refuses a file with an old-style group libhdf5 would follow out of the file
  /// (`HDF5Bytes.damagedSymbolTable`), naming the group; every open goes through it.
  static func checkSymbolTables(_ path: String) throws {
    let damaged = withMappedFile(path) { raw in
      HDF5Bytes(bytes: raw.bindMemory(to: UInt8.self)).damagedSymbolTable()
    }
    if let group = damaged ?? nil {
      throw HDF5Error.damagedObject(
        file: path, object: group,
        reason: "the index of its members points outside the file or at the wrong structure")
    }
  }
}
