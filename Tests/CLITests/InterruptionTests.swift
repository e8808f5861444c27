import Foundation
import ImageIO
import TestSupport
import Testing

/// Interrupted, nothing lost (issue #8): `ftune` training and `ftune cache` killed with
/// SIGKILL at seeded random moments leave only valid files, and the rerun (`--resume` for
/// training, a plain rerun for caching) ends bit-for-bit where an uninterrupted run ends.
/// SIGINT/SIGTERM stop cleanly with 130/143 and print the command that resumes.
///
/// Small on purpose: 36 generated 40x36 PNGs, MobileNetV2 with random weights at 32x32.
@Suite(.serialized) struct InterruptionTests {
  let root: URL
  let data: URL

  init() throws {
    root = TinyImages.temporaryDirectory()
    data = root.appendingPathComponent("images")
    try TinyImages.make(at: data, perClass: 12)
  }

  func trainArgs(out: URL) -> [String] {
    [
      "--base", "mobilenet_v2", "--weights", "random", "--size", "32", "--freeze", "40",
      "--cache", "false", "--dropout", "0.3", "--data", data.path, "--epochs", "3",
      "--batch", "4", "--lr", "0.01", "--out", out.path,
    ]
  }

  func cacheArgs(store: URL, out: URL) -> [String] {
    [
      "cache", "--base", "mobilenet_v2", "--weights", "random", "--size", "32", "--freeze",
      "40", "--data", data.path, "--batch", "2", "--cache-dir", store.path, "--out", out.path,
    ]
  }

  /// What must match an uninterrupted run bit for bit: the metrics (not the timings), the
  /// final checkpoint's tensors and optimizer state, and the saved model's predictions.
  func outcome(of run: URL) throws -> (metrics: [String], tensors: Data, predictions: String) {
    let csv = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
    let metrics = csv.split(separator: "\n").map { $0.split(separator: ",").prefix(5) }
      .map { $0.joined(separator: ",") }
    let checkpoint = try RunFileCheck.checkpoint(run.appendingPathComponent("checkpoint.ftck"))
    let p = try FTuneProcess.run(["predict", run.path, data.path, "--json"], home: root)
    #expect(p.status == 0, "\(p.err)")
    return (metrics, checkpoint.tensors, p.out)
  }

  @Test func trainingKilledAtRandomMomentsResumesToTheSameResult() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let reference = root.appendingPathComponent("runs/reference")
    let started = Date()
    let r = try FTuneProcess.run(trainArgs(out: reference) + ["--quiet"], home: root)
    let duration = Date().timeIntervalSince(started)
    #expect(r.status == 0, "\(r.err)")
    let expected = try outcome(of: reference)
    #expect(expected.metrics.count == 4)

    var rng = TestRNG(seed: 8)
    for seed in 1...3 {
      let run = root.appendingPathComponent("runs/killed-\(seed)")
      let child = try ChildProcess(
        trainArgs(out: run), home: root, logs: root, name: "train-kill-\(seed)")
      // Anywhere in the run: loading, mid-epoch, checkpoint writes, the final files.
      usleep(UInt32(rng.uniform() * duration * 1_000_000))
      child.send(SIGKILL)
      child.wait()
      #expect(RunFileCheck.problems(in: run) == [], "seed \(seed)")

      let resumed = try FTuneProcess.run(
        trainArgs(out: run) + ["--resume", "--quiet"], home: root)
      #expect(resumed.status == 0, "seed \(seed): \(resumed.err)")
      #expect(RunFileCheck.problems(in: run) == [], "seed \(seed)")
      let got = try outcome(of: run)
      #expect(got.metrics == expected.metrics, "seed \(seed)")
      #expect(got.tensors == expected.tensors, "seed \(seed): checkpoint tensors differ")
      #expect(got.predictions == expected.predictions, "seed \(seed)")
    }

    // Ctrl-C: stops after the current batch, writes the checkpoint, prints how to resume,
    // exits 130; the printed command finishes the run exactly. A run that finished before
    // the signal proves nothing: it is tried again with half the delay, and the test fails
    // when no attempt was interrupted.
    for (seed, delay) in [(1, 0.0), (2, 0.4), (3, 0.9)] {
      let (child, run) = try Self.interrupted(attempts: 4, delay: delay) { attempt in
        let run = root.appendingPathComponent("runs/sigint-\(seed)-\(attempt)")
        let child = try ChildProcess(
          trainArgs(out: run), home: root, logs: root, name: "train-int-\(seed)-\(attempt)")
        #expect(child.waitFor("epoch 1/3"), "\(child.err)")
        return (child, run)
      }
      #expect(child.err.contains("checkpoint written to"), "\(child.err)")
      #expect(RunFileCheck.problems(in: run) == [])
      let command = try #require(
        child.err.split(separator: "\n").first { $0.hasPrefix("resume with: ") })
      let words = command.dropFirst("resume with: ".count).split(separator: " ").map(String.init)
      #expect(words.contains("--resume") && words.contains(run.path))
      let resumed = try FTuneProcess.run(Array(words.dropFirst()) + ["--quiet"], home: root)
      #expect(resumed.status == 0, "\(resumed.err)")
      let got = try outcome(of: run)
      #expect(got.metrics == expected.metrics)
      #expect(got.tensors == expected.tensors, "delay \(delay): checkpoint tensors differ")
      #expect(got.predictions == expected.predictions)
    }
  }

  /// Starts a child (`start(attempt)` returns it once it reached the point to interrupt
  /// at), waits `delay` seconds, sends `signal`, and returns the first child that the
  /// signal stopped with `128 + signal`; one that finished first is retried with half the
  /// delay. Fails after `attempts` finished runs: then nothing was interrupted.
  static func interrupted<Extra>(
    attempts: Int, delay: Double, signal: Int32 = SIGINT,
    _ start: (Int) throws -> (ChildProcess, Extra)
  ) throws -> (ChildProcess, Extra) {
    var wait = delay
    for attempt in 1...attempts {
      let (child, extra) = try start(attempt)
      usleep(UInt32(wait * 1_000_000))
      child.send(signal)
      let status = child.wait()
      if status == 0 {  // finished before the signal landed: nothing was interrupted
        wait /= 2
        continue
      }
      #expect(status == 128 + signal, "\(child.err)")
      return (child, extra)
    }
    Issue.record("\(attempts) runs finished before signal \(signal): none was interrupted")
    throw CancellationError()
  }

  @Test func cacheKilledAtRandomMomentsReusesWhatItFinished() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let referenceStore = root.appendingPathComponent("store-reference")
    let referenceOut = root.appendingPathComponent("reference.h5")
    let started = Date()
    let r = try FTuneProcess.run(cacheArgs(store: referenceStore, out: referenceOut), home: root)
    let duration = Date().timeIntervalSince(started)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("(0 reused, 36 computed)"), "\(r.out)")
    let expected = try StoreCheck.entries(in: referenceStore)
    #expect(expected.count == 36)
    let expectedInfo = try FTuneProcess.run(["cache", "--info", referenceOut.path], home: root)

    var rng = TestRNG(seed: 88)
    for seed in 1...4 {
      let store = root.appendingPathComponent("store-\(seed)")
      let out = root.appendingPathComponent("features-\(seed).h5")
      let args = cacheArgs(store: store, out: out)
      let child = try ChildProcess(args, home: root, logs: root, name: "cache-kill-\(seed)")
      usleep(UInt32(rng.uniform() * duration * 1_000_000))
      child.send(SIGKILL)
      child.wait()
      // Every entry under its final name is whole; the feature file is absent or whole.
      let survivors = try StoreCheck.entries(in: store)
      for (name, bytes) in survivors {
        #expect(StoreCheck.isValidEntry(bytes), "seed \(seed): \(name) is damaged")
        #expect(bytes == expected[name], "seed \(seed): \(name) differs")
      }
      if FileManager.default.fileExists(atPath: out.path) {
        let info = try FTuneProcess.run(["cache", "--info", out.path], home: root)
        #expect(info.status == 0, "seed \(seed): \(info.err)")
      }
      let again = try FTuneProcess.run(args, home: root)
      #expect(again.status == 0, "seed \(seed): \(again.err)")
      let reused = survivors.count
      #expect(
        again.out.contains("(\(reused) reused, \(36 - reused) computed)"),
        "seed \(seed): \(again.out)")
      #expect(try StoreCheck.entries(in: store) == expected, "seed \(seed)")
      let info = try FTuneProcess.run(["cache", "--info", out.path], home: root)
      #expect(
        info.out.replacingOccurrences(of: out.path, with: "F")
          == expectedInfo.out.replacingOccurrences(of: referenceOut.path, with: "F"))
    }

    // SIGTERM (and SIGINT) stop after the batch in flight with 143 (130); the rerun reuses.
    for signal in [SIGTERM, SIGINT] {
      let (child, (store, out, args)) = try Self.interrupted(attempts: 4, delay: 0, signal: signal) {
        attempt in
        let store = root.appendingPathComponent("store-signal-\(signal)-\(attempt)")
        let out = root.appendingPathComponent("features-signal-\(signal)-\(attempt).h5")
        let args = cacheArgs(store: store, out: out)
        let child = try ChildProcess(
          args, home: root, logs: root, name: "cache-signal-\(signal)-\(attempt)")
        #expect(child.waitFor("features: 2/36"), "\(child.err)")
        return (child, (store, out, args))
      }
      #expect(child.err.contains("interrupted: stopped caching features after"), "\(child.err)")
      #expect(child.err.contains("resume with: "), "\(child.err)")
      #expect(!child.err.contains("--resume"))
      #expect(!FileManager.default.fileExists(atPath: out.path))
      let done = try StoreCheck.entries(in: store).count
      #expect(done >= 2 && done < 36)
      let again = try FTuneProcess.run(args, home: root)
      #expect(again.out.contains("(\(done) reused, \(36 - done) computed)"), "\(again.out)")
      #expect(try StoreCheck.entries(in: store) == expected)
    }
  }
}

/// A tiny seeded generator for kill times (the test target does not link TensorCore).
struct TestRNG {
  var state: UInt64
  init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
  /// Uniform in [0, 1).
  mutating func uniform() -> Double {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Double(state >> 11) / Double(1 << 53)
  }
}

/// Checks that every file a run directory holds under its final name is whole.
enum RunFileCheck {
  /// One line per damaged file; empty when all are valid. Hidden temporary files are
  /// ignored (nothing reads them; the next run removes them).
  static func problems(in run: URL) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: run.path)) ?? []
    var found: [String] = []
    for name in names where !name.hasPrefix(".") {
      let url = run.appendingPathComponent(name)
      do {
        try check(url)
      } catch {
        found.append("\(name): \(error)")
      }
    }
    return found
  }

  struct Damaged: Error, CustomStringConvertible {
    var description: String
  }

  static func check(_ url: URL) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      // The report's validation/ files and thumbnails, each written atomically too.
      let inner = problems(in: url)
      guard inner.isEmpty else { throw Damaged(description: inner.joined(separator: "; ")) }
      return
    }
    let data = try Data(contentsOf: url)
    switch url.pathExtension {
    case "html":
      let text = String(decoding: data, as: UTF8.self)
      guard text.hasPrefix("<!DOCTYPE html>"), text.hasSuffix("</html>\n") else {
        throw Damaged(description: "html")
      }
    case "ftck":
      _ = try checkpoint(url)
    case "png":
      _ = try Image.decode(file: url.path)
    case "json":
      _ = try JSONSerialization.jsonObject(with: data)
    case "csv":
      let text = String(decoding: data, as: UTF8.self)
      let widths = Set(text.split(separator: "\n").map { $0.split(separator: ",").count })
      guard text.hasSuffix("\n"), widths.count == 1 else { throw Damaged(description: "csv") }
    case "yaml":
      let text = String(decoding: data, as: UTF8.self)
      guard text.hasSuffix("\n"), text.contains("base: ") else {
        throw Damaged(description: "yaml")
      }
    case "h5":
      let r = try FTuneProcess.run(["inspect", url.path], home: url.deletingLastPathComponent())
      guard r.status == 0 else { throw Damaged(description: r.err) }
    default:
      throw Damaged(description: "unexpected file")
    }
  }

  /// Parses `checkpoint.ftck` (magic, header length, JSON header, tensors) and returns its
  /// tensor bytes; throws when any part is missing or the size does not add up.
  static func checkpoint(_ url: URL) throws -> (header: [String: Any], tensors: Data) {
    let data = try Data(contentsOf: url)
    let magic = Data("FTCKPT1\n".utf8)
    guard data.count >= 16, data.prefix(8) == magic else {
      throw Damaged(description: "checkpoint magic")
    }
    let length = data[8..<16].reversed().reduce(0) { $0 << 8 | Int($1) }
    guard 16 + length <= data.count else { throw Damaged(description: "checkpoint header") }
    let header = try JSONSerialization.jsonObject(with: data[16..<(16 + length)])
    guard let header = header as? [String: Any],
      let entries = header["entries"] as? [[String: Any]],
      let counts = header["optimizerStateCounts"] as? [Int]
    else { throw Damaged(description: "checkpoint header fields") }
    let floats =
      entries.map { (($0["shape"] as? [Int]) ?? []).reduce(1, *) }.reduce(0, +)
      + counts.reduce(0, +)
    guard data.count == 16 + length + 4 * floats else {
      throw Damaged(description: "checkpoint size \(data.count), expected \(16 + length + 4 * floats)")
    }
    return (header, data[(16 + length)...])
  }
}

/// The feature store's entries (`<key>/<2 hex>/<sha>-v<k>.f32`) by relative path.
enum StoreCheck {
  static func entries(in store: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let root = store.appendingPathComponent("features")
    guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [:] }
    for case let path as String in walker where path.hasSuffix(".f32") {
      let name = (path as NSString).lastPathComponent
      if name.hasPrefix(".") { continue }  // a temporary file a kill left behind
      out[path] = try Data(contentsOf: root.appendingPathComponent(path))
    }
    return out
  }

  /// Magic `FTFE1\n`, rank, shape, then exactly the Float32s the shape holds.
  static func isValidEntry(_ data: Data) -> Bool {
    let bytes = [UInt8](data)
    guard bytes.count >= 10, Array(bytes.prefix(6)) == Array("FTFE1\n".utf8) else { return false }
    func u32(_ at: Int) -> Int {
      Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16
        | Int(bytes[at + 3]) << 24
    }
    let rank = u32(6)
    guard rank <= 8, bytes.count >= 10 + 4 * rank else { return false }
    let count = (0..<rank).map { u32(10 + 4 * $0) }.reduce(1, *)
    return bytes.count == 10 + 4 * rank + 4 * count
  }
}
