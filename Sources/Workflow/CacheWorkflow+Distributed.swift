import Features
import Foundation
import Training

extension CacheWorkflow {
  /// `mpirun -n P ftune cache ... --out F`: rank r computes shard r+1/P into its own shard
  /// file next to F, rank 0 gathers the shard files over MPI (no shared file system needed)
  /// and writes F, identical to a single-process run; then every rank removes its shard
  /// file. With one process it is `run`. Rank 0 gets the merged file and the statistics
  /// summed over the ranks; the others get nil.
  public func runDistributed(log: @escaping (String) -> Void = { _ in }) throws -> (
    FeatureFile, FeatureExtractor.Stats
  )? {
    let p = communicator.size
    guard p > 1 else { return try run(log: log) }
    if let shard {
      throw WorkflowError.badValue(
        option: "shard", value: "\(shard)",
        hint: "under mpirun the ranks shard the images themselves: drop --shard")
    }
    var part = self
    part.shard = try ShardSpec(index: communicator.rank + 1, count: p)
    part.out = Self.shardPath(out, index: communicator.rank + 1, count: p)
    var (_, stats) = try part.run(log: log)
    var counts = [Float(stats.reused), Float(stats.computed)]
    try communicator.allreduceSum(&counts)
    stats.reused = Int(counts[0])
    stats.computed = Int(counts[1])
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: part.out)))
    let gathered = try communicator.gather(bytes, root: 0)
    var merged: FeatureFile?
    if let gathered {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ftune-merge-\(getpid())")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: dir) }
      let shards = try gathered.enumerated().map { i, data in
        let url = dir.appendingPathComponent("\(i + 1).h5")
        try Data(data).write(to: url)
        return try FeatureFile.read(from: url)
      }
      let names = (1...p).map { Self.shardPath(out, index: $0, count: p) }
      let file = try FeatureFile.merge(shards, names: names)
      try file.write(to: URL(fileURLWithPath: out))
      merged = file
    }
    // The merge is written before any shard file goes away.
    try communicator.barrier()
    try? FileManager.default.removeItem(atPath: part.out)
    return merged.map { ($0, stats) }
  }

  /// `cache.h5` → `cache.shard-2-of-4.h5`.
  static func shardPath(_ out: String, index: Int, count: Int) -> String {
    let url = URL(fileURLWithPath: out)
    let ext = url.pathExtension.isEmpty ? "h5" : url.pathExtension
    return url.deletingPathExtension().path + ".shard-\(index)-of-\(count).\(ext)"
  }
}
