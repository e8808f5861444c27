import Foundation
import Models
import TestSupport
import Testing

/// `mpirun -n 2` runs of the MPI build (`make test` sets FTUNE_MPI_BINARY when mpirun
/// exists; see the Makefile's mpi-test) against one process of the same binary:
/// data-parallel training gives the weights of one process with the combined batch, and a
/// distributed cache is byte-identical to a single-process one.
@Suite(
  .serialized,
  .enabled(if: ProcessInfo.processInfo.environment["FTUNE_MPI_BINARY"] != nil,
    "set FTUNE_MPI_BINARY to an ftune built with --traits MPI (make mpi-test)"))
struct MPITrainingTests {
  let root: URL
  let data: URL
  let binary = ProcessInfo.processInfo.environment["FTUNE_MPI_BINARY"] ?? ""

  init() throws {
    root = TinyImages.temporaryDirectory()
    data = root.appendingPathComponent("images")
    // 24 images; batches of 5 (5 5 5 5 4) split 3+2 / 2+2 over two ranks, so the
    // per-rank weighting of uneven slices is exercised.
    try TinyImages.make(at: data, perClass: 8)
  }

  /// Runs `ftune args` directly or under `mpirun -n ranks` (loopback, as root, 2 cores).
  /// `--bind-to none`: each rank sees both cores, as the single process does, so OpenBLAS
  /// runs the same threads and the cache can be compared bit for bit (see docs/mpi.md).
  func ftune(_ args: [String], ranks: Int = 1) throws -> (status: Int32, out: String, err: String) {
    let env = ProcessInfo.processInfo.environment.merging([
      "HOME": root.path, "FTUNE_CACHE_DIR": root.appendingPathComponent("cache").path,
    ]) { $1 }
    guard ranks > 1 else {
      let r = try ProcessRun.run(URL(fileURLWithPath: binary), args, environment: env)
      return (r.status, r.out, r.err)
    }
    let mpirun = [
      "mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "--mca",
      "btl", "self,vader", "-n", "\(ranks)", "-x", "HOME", "-x", "FTUNE_CACHE_DIR", binary,
    ]
    let r = try ProcessRun.run(
      URL(fileURLWithPath: "/usr/bin/env"), mpirun + args, environment: env)
    return (r.status, r.out, r.err)
  }

  func train(_ name: String, _ extra: [String], ranks: Int) throws -> Graph {
    let out = root.appendingPathComponent("runs/\(name)")
    let r = try ftune(
      [
        "--base", "vgg16", "--weights", "random", "--size", "32", "--data", data.path,
        "--val-split", "0", "--epochs", "1", "--quiet", "--out", out.path,
      ] + extra, ranks: ranks)
    #expect(r.status == 0, "\(r.err)")
    // Rank 0 alone reports.
    #expect(r.out.components(separatedBy: "run directory:").count == 2, "\(r.out)")
    return try KerasModelReader.load(out.appendingPathComponent("model.h5").path)
  }

  /// The trainable weights of `layers`, flattened in order.
  func weights(_ g: Graph, _ layers: [String]) throws -> [Float] {
    try layers.flatMap { name in
      try #require(g.nodes.first { $0.layer.name == name }?.layer).weights
        .flatMap(\.value.scalars)
    }
  }

  /// ‖a − b‖₂ / ‖b‖₂ and max |a − b| over the weights of `layers`.
  func difference(_ a: Graph, _ b: Graph, layers: [String]) throws -> (l2: Float, max: Float) {
    let (x, y) = (try weights(a, layers), try weights(b, layers))
    #expect(x.count == y.count && !x.isEmpty)
    var (d2, y2, m): (Double, Double, Float) = (0, 0, 0)
    for (u, v) in zip(x, y) {
      d2 += Double(u - v) * Double(u - v)
      y2 += Double(v) * Double(v)
      m = max(m, abs(u - v))
    }
    return (Float((d2 / max(y2, 1e-30)).squareRoot()), m)
  }

  /// Tolerance: ‖Δw‖/‖w‖ ≤ 1e-5 and max |Δw| ≤ 5e-4 (measured 2.5e-8 / 1.5e-8 for the cached
  /// head, 6.2e-6 / 1.05e-4 for the block5 fine-tune): float32 sums of the gradient in
  /// another order (two slices, then the all-reduce), and frozen-prefix features whose last
  /// bits depend on how the batch is split into Winograd tile chunks, through 5 optimizer
  /// steps; Adam's m/√v amplifies it for near-zero gradients. The control, one
  /// process with batch 4 instead of 5, differs by ~5e-2, so the comparison can fail.
  func expectEquivalent(_ name: String, _ flags: [String], layers: [String]) throws {
    let one = try train("\(name)-1", flags + ["--batch", "5"], ranks: 1)
    let two = try train("\(name)-2", flags + ["--batch", "5"], ranks: 2)
    let control = try train("\(name)-c", flags + ["--batch", "4"], ranks: 1)
    let d = try difference(two, one, layers: layers)
    let c = try difference(control, one, layers: layers)
    #expect(d.l2 <= 1e-5 && d.max <= 5e-4, "2 ranks vs 1 process: \(d)")
    #expect(c.l2 > 1e-3, "control: \(c)")
  }

  /// A new softmax head on cached block5_pool features, SGD with momentum.
  @Test func cachedHeadOnTwoRanksEqualsOneProcess() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    try expectEquivalent(
      "head", ["--freeze", "13", "--optimizer", "sgd", "--lr", "0.05"],
      layers: ["head_predictions"])
  }

  /// Fine-tuning block5's three convolutions and the head (features cached at block4_pool),
  /// Adam.
  @Test func fineTuneOnTwoRanksEqualsOneProcess() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    try expectEquivalent(
      "tune", ["--freeze", "10", "--optimizer", "adam", "--lr", "0.001"],
      layers: ["block5_conv1", "block5_conv2", "block5_conv3", "head_predictions"])
  }

  /// `mpirun -n 2 ftune cache`: rank 0 merges the ranks' shards into the file one process
  /// writes, byte for byte, and the shard files are gone.
  @Test func distributedCacheEqualsOneProcess() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    func cache(_ out: String, ranks: Int) throws -> Data {
      let path = root.appendingPathComponent(out).path
      let r = try ftune(
        [
          "cache", "--base", "vgg16", "--weights", "random", "--size", "32", "--freeze",
          "block4_pool", "--batch", "4", "--data", data.path, "--out", path,
          "--cache-dir", root.appendingPathComponent("store-\(ranks)").path,
        ], ranks: ranks)
      #expect(r.status == 0, "\(r.err)")
      return try Data(contentsOf: URL(fileURLWithPath: path))
    }
    let one = try cache("one.h5", ranks: 1)
    let two = try cache("two.h5", ranks: 2)
    #expect(one.elementsEqual(two), "distributed cache differs from the single-process one")
    let left = try FileManager.default.contentsOfDirectory(atPath: root.path)
      .filter { $0.contains(".shard-") }
    #expect(left.isEmpty, "\(left)")
  }
}
