import Foundation
import TestSupport
import Testing

/// Fault injection (issue 20): `ftune cache` and training stopped at write points picked at
/// random over a whole run — SIGKILL (no handler runs), SIGINT and SIGTERM (ftune's own
/// handlers), or that write failing as a full disk does (ENOSPC) — leave only files that
/// open, and the rerun (`--resume` for training) ends exactly where an uninterrupted run
/// ends. The moments are write points counted in a reference run (`FTUNE_FAULT`, see
/// Runtime/FaultInjection.swift), not times: nothing depends on the machine's speed.
/// FTUNE_FAULT_CASES (default 2) sets the moments per kind of fault.
@Suite(.serialized) struct FaultInjectionTests {
  let root: URL
  let data: URL

  init() throws {
    root = TinyImages.temporaryDirectory()
    data = root.appendingPathComponent("images")
    try TinyImages.make(at: data, perClass: 8)
  }

  /// Runs ftune with `FTUNE_FAULT=fault` (nil: none).
  func ftune(_ args: [String], fault: String? = nil) throws -> ProcessResult {
    var env = FTuneProcess.environment(home: root)
    env["FTUNE_FAULT"] = fault
    return try ProcessRun.run(FTuneProcess.binary(), args, environment: env)
  }

  /// The write points of an uninterrupted run of `args`, and that run.
  func reference(_ args: [String]) throws -> (points: Int, run: ProcessResult) {
    let r = try ftune(args, fault: "count")
    #expect(r.status == 0, "\(r.err)")
    let points = r.err.split(separator: "\n").filter { $0.hasPrefix("fault point ") }.count
    #expect(points >= 10, "\(r.err)")
    return (points, r)
  }

  /// Each fault at seeded random points of 1...points.
  func faults(points: Int, seed: UInt64) -> [(fault: String, expected: Set<Int32>)] {
    let cases = Int(ProcessInfo.processInfo.environment["FTUNE_FAULT_CASES"] ?? "") ?? 2
    var rng = TestRNG(seed: seed)
    // An interrupt raised at one of the last writes may land after the last check for it,
    // when the run has nothing left to stop: it then finishes (0).
    let kinds: [(String, Set<Int32>)] = [
      ("kill", [SIGKILL]), ("int", [130, 0]), ("term", [143, 0]), ("enospc", [74]),
    ]
    return kinds.flatMap { kind, expected in
      (0..<cases).map { _ in
        ("\(kind)@\(1 + Int(rng.uniform() * Double(points)))", expected)
      }
    }
  }

  @Test func cacheStoppedAtRandomWritesLeavesValidFilesAndTheRerunEqualsAnUninterruptedOne()
    throws
  {
    defer { try? FileManager.default.removeItem(at: root) }
    func args(_ name: String) -> [String] {
      [
        "cache", "--base", "mobilenet_v2", "--weights", "random", "--size", "32", "--freeze",
        "40", "--data", data.path, "--batch", "2",
        "--cache-dir", root.appendingPathComponent("store-\(name)").path,
        "--out", root.appendingPathComponent("\(name).h5").path,
      ]
    }
    let (points, _) = try reference(args("reference"))
    let expected = try StoreCheck.entries(in: root.appendingPathComponent("store-reference"))
    #expect(expected.count == 24)
    let expectedInfo = try ftune(["cache", "--info", root.appendingPathComponent("reference.h5").path])
    var interrupted = 0
    for (i, (fault, statuses)) in faults(points: points, seed: 20).enumerated() {
      let name = "faulted-\(i)"
      let out = root.appendingPathComponent("\(name).h5")
      let r = try ftune(args(name), fault: fault)
      #expect(statuses.contains(r.status), "\(fault): exit \(r.status): \(r.err)")
      if r.status != 0 { interrupted += 1 }
      if fault.hasPrefix("enospc") {
        #expect(r.err.contains("No space left on device"), "\(fault): \(r.err)")
      }
      // Whatever is under a final name is whole; the feature file is absent or opens.
      let store = root.appendingPathComponent("store-\(name)")
      for (entry, bytes) in try StoreCheck.entries(in: store) {
        #expect(bytes == expected[entry], "\(fault): \(entry) is damaged or differs")
      }
      if FileManager.default.fileExists(atPath: out.path) {
        let info = try ftune(["cache", "--info", out.path])
        #expect(info.status == 0, "\(fault): \(info.err)")
      }
      let again = try ftune(args(name))
      #expect(again.status == 0, "\(fault): rerun: \(again.err)")
      #expect(try StoreCheck.entries(in: store) == expected, "\(fault)")
      let info = try ftune(["cache", "--info", out.path])
      #expect(
        info.out.replacingOccurrences(of: out.path, with: "F")
          == expectedInfo.out.replacingOccurrences(
            of: root.appendingPathComponent("reference.h5").path, with: "F"), "\(fault)")
    }
    #expect(interrupted >= 4, "too few faults stopped the run to check anything")
  }

  @Test func trainingStoppedAtRandomWritesResumesToTheSameResult() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    func args(_ run: URL) -> [String] {
      [
        "--base", "mobilenet_v2", "--weights", "random", "--size", "32", "--freeze", "40",
        "--cache", "false", "--dropout", "0.3", "--data", data.path, "--epochs", "3",
        "--batch", "4", "--lr", "0.01", "--out", run.path, "--quiet",
      ]
    }
    let referenceRun = root.appendingPathComponent("runs/reference")
    let (points, _) = try reference(args(referenceRun))
    let expected = try outcome(of: referenceRun)
    var interrupted = 0
    for (i, (fault, statuses)) in faults(points: points, seed: 21).enumerated() {
      let run = root.appendingPathComponent("runs/faulted-\(i)")
      let r = try ftune(args(run), fault: fault)
      #expect(statuses.contains(r.status), "\(fault): exit \(r.status): \(r.err)")
      if r.status != 0 { interrupted += 1 }
      if fault.hasPrefix("enospc") {
        #expect(r.err.contains("No space left on device"), "\(fault): \(r.err)")
      }
      #expect(RunFileCheck.problems(in: run) == [], "\(fault)")
      // A run that finished (the interrupt came after its last check) is not resumed.
      if r.status != 0 {
        let resumed = try ftune(args(run) + ["--resume"])
        #expect(resumed.status == 0, "\(fault): resume: \(resumed.err)")
        #expect(RunFileCheck.problems(in: run) == [], "\(fault)")
      }
      let got = try outcome(of: run)
      #expect(got.metrics == expected.metrics, "\(fault)")
      #expect(got.tensors == expected.tensors, "\(fault): checkpoint tensors differ")
      #expect(got.predictions == expected.predictions, "\(fault)")
    }
    #expect(interrupted >= 4, "too few faults stopped the run to check anything")
  }

  /// The metrics (not the timings), the final checkpoint's tensors and optimizer state, and
  /// the saved model's predictions.
  func outcome(of run: URL) throws -> (metrics: [String], tensors: Data, predictions: String) {
    let csv = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
    let metrics = csv.split(separator: "\n").map { $0.split(separator: ",").prefix(5) }
      .map { $0.joined(separator: ",") }
    let checkpoint = try RunFileCheck.checkpoint(run.appendingPathComponent("checkpoint.ftck"))
    let p = try ftune(["predict", run.path, data.path, "--json"])
    #expect(p.status == 0, "\(p.err)")
    return (metrics, checkpoint.tensors, p.out)
  }
}
