import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension HDF5File {
  /// Opens a Keras weights/model file read-only after checking its global heap collections.
  ///
  /// Variable-length strings (tf_keras's `layer_names`, `weight_names`, `model_config`) live
  /// in global heap collections, and libhdf5 (Debian's 1.10.8) trusts their object sizes:
  /// the fuzzer found damaged files on which reading such an attribute loops forever (a
  /// free-space object of size 0) or copies far past the collection (SIGSEGV). Neither can
  /// be caught once libhdf5 is inside, so collections are walked here first, the way
  /// libhdf5 walks them, and an inconsistent one is reported as a damaged file.
  public static func openCheckingHeaps(_ path: String, trust: HDF5Trust = .fileOnly) throws
    -> HDF5File
  {
    silenceHDF5()
    guard FileManager.default.fileExists(atPath: path) else {
      throw HDF5Error.fileNotFound(file: path)
    }
    if let consistent = withMappedFile(path, globalHeapsAreConsistent), !consistent {
      throw HDF5Error.damaged(file: path)
    }
    return try open(path, trust: trust)
  }

  /// Runs `body` on the file's bytes mapped read-only (nil if it cannot be mapped; libhdf5
  /// then reports the file itself). Not `Data(contentsOf:options: .alwaysMapped)`: the
  /// fuzzer caught Foundation leaking a 4 KiB buffer per call on small files there.
  static func withMappedFile<R>(_ path: String, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
    let fd = Glibc.open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { Glibc.close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_size > 0 else { return nil }
    let size = Int(info.st_size)
    guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
      return nil
    }
    defer { munmap(map, size) }
    return body(UnsafeRawBufferPointer(start: map, count: size))
  }

  /// False when a global heap collection ("GCOL", version 1) holds an object that would
  /// stall or overrun libhdf5's parser (H5HG__cache_heap_deserialize, H5HG_read).
  static func globalHeapsAreConsistent(_ data: Data) -> Bool {
    data.withUnsafeBytes { globalHeapsAreConsistent($0) }
  }

  static func globalHeapsAreConsistent(_ raw: UnsafeRawBufferPointer) -> Bool {
    let bytes = raw.bindMemory(to: UInt8.self)
    let n = bytes.count
    guard let base = bytes.baseAddress else { return true }
    var start = 0
    while start + 16 <= n {
      // memchr for the "G" of "GCOL" keeps a scan of a 500 MB file well under a second.
      guard let hit = memchr(base + start, 0x47, n - start) else { return true }
      let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
      start = at + 1
      // A collection header: "GCOL", version 1, three reserved zero bytes, size.
      guard at + 16 <= n, bytes[at + 1] == 0x43, bytes[at + 2] == 0x4F, bytes[at + 3] == 0x4C,
        bytes[at + 4] == 1, bytes[at + 5] == 0, bytes[at + 6] == 0, bytes[at + 7] == 0
      else { continue }
      let size = littleEndian(bytes, at + 8)
      guard size >= 4096, size <= UInt64(n - at) else { return false }
      if HDF5Bytes(bytes: bytes).heapObjects(at: at) == nil { return false }
    }
    return true
  }

  private static func littleEndian(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt64 {
    (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
  }
}
