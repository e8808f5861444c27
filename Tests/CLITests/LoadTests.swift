import Foundation
import ImageIO
import TestSupport
import Testing

/// Load (issue #8): `ftune cache` over a generated folder of N small PNGs keeps its memory
/// flat in N (peak RSS, VmHWM) and a bounded number of open files. The 1,000-image run is in
/// the suite (against 200 images); `FTUNE_LOAD_TEST=1` adds the 10,000-image run.
@Suite(.serialized) struct LoadTests {
  /// Peak RSS may grow from the smaller to the larger folder by 8 MB (allocator noise) plus
  /// 1 KB per extra image: what the output file needs in memory (the pooled features, C
  /// floats, and the path and content hash of each image). Decoded images, batches and
  /// store entries must not accumulate.
  static func marginMB(extraImages: Int) -> Double { 8 + Double(extraImages) / 1024 }
  static let maxOpenFiles = 64

  struct Measured {
    var seconds: Double
    var peakRSSMB: Double
    var maxOpenFiles: Int
    var output: String
  }

  /// `count` distinct 32x32 PNGs in two class folders (each differs in its pixels, so the
  /// store cannot deduplicate them).
  static func makeImages(_ count: Int, at root: URL) throws {
    var state: UInt64 = 7
    for i in 0..<count {
      let dir = root.appendingPathComponent(i % 2 == 0 ? "even" : "odd")
      if i < 2 {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      }
      var bytes = [UInt8](repeating: 0, count: 32 * 32 * 3)
      for k in 0..<bytes.count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        bytes[k] = UInt8(truncatingIfNeeded: state >> 56)
      }
      let image = try Image(width: 32, height: 32, channels: 3, pixels: .rgb8(bytes))
      try Data(try image.pngData()).write(
        to: dir.appendingPathComponent(String(format: "%05d.png", i)))
    }
  }

  /// Runs `ftune cache` over `count` images, sampling /proc/PID every 20 ms.
  static func measure(_ count: Int, root: URL) throws -> Measured {
    let data = root.appendingPathComponent("images-\(count)")
    try makeImages(count, at: data)
    let started = Date()
    let child = try ChildProcess(
      [
        "cache", "--base", "mobilenet_v2", "--weights", "random", "--size", "32", "--freeze",
        "10", "--pool", "avg", "--batch", "32", "--data", data.path,
        "--cache-dir", root.appendingPathComponent("store-\(count)").path,
        "--out", root.appendingPathComponent("features-\(count).h5").path,
      ], home: root, logs: root, name: "load-\(count)")
    var peakKB = 0
    var files = 0
    let proc = "/proc/\(child.pid)"
    while child.process.isRunning {
      if let status = try? String(contentsOfFile: proc + "/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
      {
        peakKB = max(peakKB, kb)
      }
      let fds = (try? FileManager.default.contentsOfDirectory(atPath: proc + "/fd"))?.count ?? 0
      files = max(files, fds)
      usleep(20_000)
    }
    let status = child.wait()
    #expect(status == 0, "\(child.err)")
    return Measured(
      seconds: Date().timeIntervalSince(started), peakRSSMB: Double(peakKB) / 1024,
      maxOpenFiles: files, output: child.out)
  }

  static func report(_ m: Measured, _ count: Int) {
    print(String(
      format: "load: %d images in %.1f s, peak RSS %.1f MB, at most %d open files", count,
      m.seconds, m.peakRSSMB, m.maxOpenFiles))
  }

  func compare(small: Int, large: Int) throws {
    let root = TinyImages.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let a = try Self.measure(small, root: root)
    let b = try Self.measure(large, root: root)
    Self.report(a, small)
    Self.report(b, large)
    #expect(b.output.contains("\(large) images"), "\(b.output)")
    #expect(a.peakRSSMB > 0 && b.peakRSSMB > 0, "no /proc samples")
    #expect(
      b.peakRSSMB <= a.peakRSSMB + Self.marginMB(extraImages: large - small),
      "peak RSS grew from \(a.peakRSSMB) MB (\(small) images) to \(b.peakRSSMB) MB (\(large))")
    #expect(b.maxOpenFiles <= Self.maxOpenFiles, "\(b.maxOpenFiles) files open at once")
  }

  @Test func cacheMemoryIsFlatFrom200To1000Images() throws {
    try compare(small: 200, large: 1000)
  }

  @Test(.enabled(if: ProcessInfo.processInfo.environment["FTUNE_LOAD_TEST"] == "1"))
  func cacheMemoryIsFlatFrom1000To10000Images() throws {
    try compare(small: 1000, large: 10000)
  }
}
