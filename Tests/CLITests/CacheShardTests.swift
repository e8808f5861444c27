import Foundation
import TestSupport
import Testing

/// `ftune cache --shard i/n` on three "machines" (separate feature stores) and
/// `ftune cache --merge` give the file a single process writes, byte for byte.
@Suite(.serialized) struct CacheShardTests {
  let root: URL
  let data: URL

  init() throws {
    root = TinyImages.temporaryDirectory()
    data = root.appendingPathComponent("images")
    try TinyImages.make(at: data)
  }

  func cache(_ out: String, _ extra: [String], home: String) throws
    -> (status: Int32, out: String, err: String)
  {
    try FTuneProcess.run(
      [
        "cache", "--base", "vgg16", "--weights", "random", "--size", "32", "--freeze",
        "block4_pool", "--batch", "4", "--data", data.path, "--out",
        root.appendingPathComponent(out).path,
      ] + extra, home: root.appendingPathComponent(home))
  }

  @Test func threeShardsMergeIntoTheSingleProcessFile() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let single = try cache("single.h5", [], home: "h0")
    #expect(single.status == 0, "\(single.err)")
    for i in 1...3 {
      let r = try cache("s\(i).h5", ["--shard", "\(i)/3"], home: "h\(i)")
      #expect(r.status == 0, "\(r.err)")
      // 18 images in batches of 4 (4 4 4 4 2) dealt to 3 shards: 8, 6, 4, each computed in
      // its own store.
      let n = [8, 6, 4][i - 1]
      #expect(r.out.contains("(shard \(i)/3): \(n) images"), "\(r.out)")
      #expect(r.out.contains("(0 reused, \(n) computed)"), "\(r.out)")
    }
    let shards = [3, 1, 2].map { root.appendingPathComponent("s\($0).h5").path }
    let merged = root.appendingPathComponent("merged.h5")
    let m = try FTuneProcess.run(
      ["cache", "--merge"] + shards + ["--out", merged.path], home: root)
    #expect(m.status == 0, "\(m.err)")
    #expect(m.out.contains("18 images from 3 shards"))
    let a = try Data(contentsOf: root.appendingPathComponent("single.h5"))
    let b = try Data(contentsOf: merged)
    #expect(a.count > 18 * 2 * 2 * 512 * 4)
    #expect(a.elementsEqual(b), "merged cache differs from the single-process one")

    // Incomplete: one clear message, non-zero exit, nothing written.
    let partial = root.appendingPathComponent("partial.h5")
    let bad = try FTuneProcess.run(
      ["cache", "--merge", shards[0], shards[1], "--out", partial.path], home: root)
    #expect(bad.status != 0)
    #expect(bad.err.contains("all 3 shards"), "\(bad.err)")
    #expect(!FileManager.default.fileExists(atPath: partial.path))
    let noOut = try FTuneProcess.run(["cache", "--merge", shards[0]], home: root)
    #expect(noOut.status != 0 && noOut.err.contains("--out"))
    let badSpec = try cache("x.h5", ["--shard", "4/3"], home: "h0")
    #expect(badSpec.status != 0 && badSpec.err.contains("--shard 4/3"), "\(badSpec.err)")
  }
}
