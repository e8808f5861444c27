import Foundation
import TensorCore
import Testing

@testable import Features

/// Shards cut by `ShardSpec` and joined by `FeatureFile.merge` give back the whole file.
@Suite struct FeatureShardTests {
  /// 7 samples of 2 features each; sample i holds (i, -i) so misplaced rows show.
  func whole(_ n: Int = 7) throws -> FeatureFile {
    try FeatureFile(
      features: Tensor(shape: [n, 2], scalars: (0..<n).flatMap { [Float($0), -Float($0)] }),
      paths: (0..<n).map { "c\($0 % 2)/\($0).png" }, labels: (0..<n).map { $0 % 2 },
      classNames: ["a", "b"], attributes: ["key": "k1", "base": "vgg16"])
  }

  func cut(_ file: FeatureFile, _ spec: ShardSpec) throws -> FeatureFile {
    let keep = (0..<file.paths.count).filter(spec.contains)
    var s = try FeatureFile(
      features: Tensor(
        shape: [keep.count, 2], scalars: keep.flatMap { [Float($0), -Float($0)] }),
      paths: keep.map { file.paths[$0] }, labels: keep.map { file.labels[$0] },
      classNames: file.classNames, attributes: file.attributes)
    s.markShard(spec, totalImages: file.paths.count)
    return s
  }

  @Test func parsesAndSizesShards() throws {
    let s = try ShardSpec(parsing: "2/3")
    #expect(s.index == 2 && s.count == 3)
    #expect([0, 1, 2, 3, 4, 5, 6].filter(s.contains) == [1, 4])
    #expect((1...3).map { try! ShardSpec(index: $0, count: 3).size(of: 7) } == [3, 2, 2])
    #expect(try ShardSpec(index: 3, count: 4).size(of: 2) == 0)
    // Blocks of 2: positions 0 1 | 2 3 | 4 5 | 6 go to shards 1, 2, 3, 1.
    let b = try (1...3).map { try ShardSpec(index: $0, count: 3, block: 2) }
    #expect(b.map { s in (0..<7).filter(s.contains) } == [[0, 1, 6], [2, 3], [4, 5]])
    #expect(b.map { $0.size(of: 7) } == [3, 2, 2])
    #expect(b.map { $0.size(of: 5) } == [2, 2, 1])
    #expect(b[0].offset(of: 6) == 2)
    for bad in ["0/3", "4/3", "1", "a/b", "1/0", "/3"] {
      #expect(throws: ShardError.badSpec(bad)) { try ShardSpec(parsing: bad) }
    }
  }

  @Test func mergeInAnyOrderRestoresTheWhole() throws {
    let file = try whole()
    let shards = try (1...3).map { try cut(file, ShardSpec(index: $0, count: 3)) }
    let merged = try FeatureFile.merge([shards[2], shards[0], shards[1]], names: [])
    #expect(merged == file)
    // More shards than images: empty shards merge too.
    let tiny = try whole(2)
    let many = try (1...4).map { try cut(tiny, ShardSpec(index: $0, count: 4)) }
    #expect(try FeatureFile.merge(many, names: []) == tiny)
    // Whole blocks (the cache's batches): 7 images in blocks of 3 over 2 shards.
    let blocks = try (1...2).map { try cut(file, ShardSpec(index: $0, count: 2, block: 3)) }
    #expect(blocks.map(\.paths.count) == [4, 3])
    #expect(try FeatureFile.merge(blocks.reversed(), names: []) == file)
  }

  @Test func mergeRefusesIncompleteOrForeignShards() throws {
    let file = try whole()
    let s = try (1...3).map { try cut(file, ShardSpec(index: $0, count: 3)) }
    let names = ["s1.h5", "s2.h5", "s3.h5"]
    #expect(throws: ShardError.missingShards(expected: 3, got: ["s1.h5", "s2.h5"])) {
      try FeatureFile.merge([s[0], s[1]], names: names)
    }
    #expect(throws: ShardError.duplicate(shard: "2/3", paths: ["s2.h5", "s3.h5"])) {
      try FeatureFile.merge([s[0], s[1], s[1]], names: names)
    }
    #expect(throws: ShardError.notAShard(path: "s2.h5")) {
      try FeatureFile.merge([s[0], file, s[2]], names: names)
    }
    var other = s[2]
    other.attributes["key"] = "k2"
    let e = #expect(throws: ShardError.self) {
      try FeatureFile.merge([s[0], s[1], other], names: names)
    }
    #expect(e?.description.contains("s3.h5") == true)
    #expect(e?.description.contains("'key'") == true)
    // A shard that lost rows is caught by the recorded total.
    var short = s[0]
    short.paths.removeLast()
    short.labels.removeLast()
    short.features = try Tensor(shape: [2, 2], scalars: [0, 0, 3, -3])
    #expect(throws: FeatureError.self) { try FeatureFile.merge([short, s[1], s[2]], names: names) }
  }

  /// The same features written twice give the same bytes (no HDF5 timestamps), which is
  /// what lets a merged cache equal a single-process one file for file.
  @Test func writingIsDeterministic() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-shard-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = try whole()
    let a = dir.appendingPathComponent("a.h5")
    let b = dir.appendingPathComponent("b.h5")
    try file.write(to: a)
    Thread.sleep(forTimeInterval: 1.1)
    try file.write(to: b)
    #expect(try Data(contentsOf: a) == Data(contentsOf: b))
    #expect(try FeatureFile.read(from: a) == file)
  }
}
