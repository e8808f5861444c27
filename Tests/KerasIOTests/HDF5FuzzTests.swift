import Foundation
import Layers
import Models
import Testing

@testable import HDF5
@testable import KerasIO

/// Damaged Keras files the HDF5 fuzzer wrote (tools/fuzz/run.sh hdf5, mutations of the
/// Keras 2 fixtures). On the first two libhdf5 only leaks on its error path (its bug,
/// suppressed there); on the global-heap ones libhdf5 1.10.8 itself loops forever or
/// segfaults while reading `layer_names`; on the next two a string's heap reference
/// points at no object (SIGSEGV in H5HG_read) or claims 4 GB; on the last a group's B-tree
/// child is the undefined address (SIGSEGV in H5Gget_info): ftune must refuse them before
/// libhdf5 reads them. Each must give a typed error naming the file, both when opening as a full model
/// and when loading weights into a model.
@Suite struct HDF5FuzzTests {
  static let files = [
    "vlen-attribute-damaged.h5", "object-header-damaged.h5", "global-heap-overrun.h5",
    "global-heap-stall.h5", "global-heap-dangling-reference.h5", "vlen-string-length-4gb.h5",
    "symbol-table-child-undefined.h5",
  ]

  func path(_ name: String) -> String {
    Fixtures.directory.appendingPathComponent("fuzz/\(name)").path
  }

  func isTypedError(_ error: any Error, naming file: String) -> Bool {
    (error is HDF5Error || error is KerasIOError) && "\(error)".contains(file)
  }

  @Test(arguments: files) func fullModelLoadThrowsATypedError(_ name: String) {
    let file = path(name)
    #expect {
      _ = try KerasModel.load(path: file)
    } throws: { isTypedError($0, naming: file) }
  }

  @Test(arguments: files) func weightsLoadThrowsATypedErrorAndLeavesTheModel(_ name: String)
    throws
  {
    let file = path(name)
    let graph = try Fixtures.functionalGraph()
    let before = Fixtures.values(graph)
    #expect {
      try KerasWeights.load(into: graph, from: file)
    } throws: { isTypedError($0, naming: file) }
    #expect(Fixtures.values(graph) == before)
  }
}

extension HDF5FuzzTests {
  func bytes(_ name: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path(name)))
  }

  @Test func globalHeapCheckRefusesTheFilesLibhdf5CannotSurvive() throws {
    // Object 1 claims 1.2e19 bytes: H5HG_read's memcpy runs off the heap (SIGSEGV).
    #expect(!HDF5File.globalHeapsAreConsistent(try bytes("global-heap-overrun.h5")))
    // A free-space object of size 0: H5HG's collection parser never advances.
    #expect(!HDF5File.globalHeapsAreConsistent(try bytes("global-heap-stall.h5")))
    let file = path("global-heap-stall.h5")
    #expect(throws: HDF5Error.damaged(file: file)) {
      try KerasWeights.load(into: try Fixtures.functionalGraph(), from: file)
    }
  }

  @Test func globalHeapCheckAcceptsEveryKerasFixture() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path)
      .filter { $0.hasSuffix(".h5") }
    #expect(names.count >= 10)
    for name in names {
      let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent(name))
      #expect(HDF5File.globalHeapsAreConsistent(data), "\(name)")
    }
  }

  /// A minimal collection: "GCOL", version 1, size 4096, then `objects` (index, size).
  func collection(_ objects: [(UInt16, UInt64)]) -> Data {
    var bytes: [UInt8] = Array("GCOL".utf8) + [1, 0, 0, 0]
    bytes += withUnsafeBytes(of: UInt64(4096).littleEndian, Array.init)
    for (index, size) in objects {
      bytes += withUnsafeBytes(of: index.littleEndian, Array.init) + [1, 0, 0, 0, 0, 0]
      bytes += withUnsafeBytes(of: size.littleEndian, Array.init)
      // Data only for objects that fit (the damaged cases lie about their size).
      if index > 0, size < 4096 { bytes += [UInt8](repeating: 7, count: Int((size + 7) / 8 * 8)) }
    }
    bytes += [UInt8](repeating: 0, count: max(0, 4096 - bytes.count))
    return Data(bytes)
  }

  @Test func globalHeapWalkFollowsLibhdf5() {
    // 16 header + (16 + 8) + (16 + 16) = 72; the free space covers the other 4024 bytes.
    #expect(HDF5File.globalHeapsAreConsistent(collection([(1, 5), (2, 16), (0, 4024)])))
    // No free-space object: the tail after the objects is zero-filled, index 0, size 0.
    #expect(!HDF5File.globalHeapsAreConsistent(collection([(1, 5), (2, 16)])))
    #expect(!HDF5File.globalHeapsAreConsistent(collection([(1, 5000), (0, 4024)])))
    #expect(!HDF5File.globalHeapsAreConsistent(collection([(1, 5), (0, 9000)])))
    #expect(!HDF5File.globalHeapsAreConsistent(collection([(1, UInt64.max)])))
    // "GCOL" inside raw data that is not a version-1 header is not a collection.
    #expect(HDF5File.globalHeapsAreConsistent(Data(Array("xxGCOL\u{2}abcdefghijklmn".utf8))))
  }
}

extension HDF5FuzzTests {
  func damagedGroup(_ data: Data) -> String? {
    data.withUnsafeBytes { HDF5Bytes(bytes: $0.bindMemory(to: UInt8.self)).damagedSymbolTable() }
  }

  /// Every .h5 fixture outside fuzz/ (Keras 2 and 3, applications, hostile, exported).
  func soundFixtures() throws -> [URL] {
    let all = FileManager.default.enumerator(at: Fixtures.directory, includingPropertiesForKeys: nil)
    return (all?.compactMap { $0 as? URL } ?? [])
      .filter { $0.pathExtension == "h5" && !$0.path.contains("/fuzz/") }
  }

  @Test func symbolTableWalkAcceptsEveryFixture() throws {
    let files = try soundFixtures()
    #expect(files.count >= 15)
    for file in files {
      #expect(damagedGroup(try Data(contentsOf: file)) == nil, "\(file.lastPathComponent)")
    }
  }

  /// 3,000 members need a B-tree of two levels (each node holds 32 symbol-table nodes of 8),
  /// nested groups a walk into each: all sound, all listed by libhdf5 afterwards.
  @Test func symbolTableWalkAcceptsLargeAndNestedGroups() throws {
    let dir = try Fixtures.tempDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("many.h5").path
    try HDF5File.write(to: path) { root in
      for i in 0..<3000 { try root.createGroup("g\(i)") }
      try root.createGroup("a/b/c/d")
    }
    #expect(damagedGroup(try Data(contentsOf: URL(fileURLWithPath: path))) == nil)
    #expect(try HDF5File.open(path).root.children().count == 3001)
  }

  @Test func symbolTableWalkNamesTheDamagedGroup() throws {
    // The fuzzer's file: the group's B-tree child and its heap's signature are overwritten.
    #expect(damagedGroup(try bytes("symbol-table-child-undefined.h5"))
      == "/layers/global_average_pooling2d")
    let file = path("symbol-table-child-undefined.h5")
    #expect(
      throws: HDF5Error.damagedObject(
        file: file, object: "/layers/global_average_pooling2d",
        reason: "the index of its members points outside the file or at the wrong structure")
    ) { try HDF5File.open(file) }

    // Each structure damaged in turn in a sound file: the root group's local heap (the first
    // "HEAP"), a symbol-table node's signature, one of its counts above the node's capacity.
    let sound = try Data(contentsOf: Fixtures.directory.appendingPathComponent("k2_sequential.h5"))
    #expect(damagedGroup(sound) == nil)
    func damaged(_ tag: String, at offset: Int, to value: UInt8) throws -> Data {
      var data = sound
      let at = try #require(data.range(of: Data(tag.utf8))).lowerBound + offset
      data[at] = value
      return data
    }
    #expect(damagedGroup(try damaged("HEAP", at: 0, to: 0)) == "/")
    #expect(damagedGroup(try damaged("SNOD", at: 0, to: 0)) != nil)
    #expect(damagedGroup(try damaged("SNOD", at: 6, to: 200)) != nil)
    #expect(damagedGroup(try damaged("TREE", at: 6, to: 200)) != nil)
  }
}
