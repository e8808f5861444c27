import Foundation
import TestSupport
import Testing

/// `ftune bench-loader` as a user runs it. No timing is asserted (the machine is shared):
/// the report's fields, their consistency and the error paths are.
@Suite struct BenchLoaderCommandTests {
  @Test func reportsLoaderForwardAndFedRates() throws {
    let root = TinyImages.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try TinyImages.make(at: root, perClass: 3)
    let r = try InspectCommandTests.run([
      "bench-loader", "--data", root.path, "--base", "vgg16", "--size", "32", "--batch", "4",
      "--augment", "flip,crop", "--threads", "2", "--epochs", "2", "--forward-batches", "1",
      "--json",
    ])
    #expect(r.status == 0, "\(r.err)")
    let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8))
    let report = try #require(object as? [String: Any])
    #expect(report["images"] as? Int == 9)
    #expect(report["augment"] as? String == "flip,crop")
    #expect(report["threads"] as? Int == 2)
    let loader = try #require(report["loaderImagesPerSecond"] as? Double)
    let forward = try #require(report["forwardImagesPerSecond"] as? Double)
    #expect(loader > 0 && forward > 0 && (report["fedImagesPerSecond"] as? Double ?? 0) > 0)
    let headroom = try #require(report["headroom"] as? Double)
    #expect(abs(headroom - loader / forward) <= 1e-9 * headroom)
  }

  @Test func badDataOrOptionsGiveOneMessageAndANonZeroExit() throws {
    let missing = try InspectCommandTests.run([
      "bench-loader", "--data", "/nonexistent/photos", "--size", "32",
    ])
    #expect(missing.status != 0)
    #expect(missing.err.contains("/nonexistent/photos"))
    #expect(!missing.err.contains("Fatal error"))
    let root = TinyImages.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try TinyImages.make(at: root, perClass: 1)
    let badOp = try InspectCommandTests.run([
      "bench-loader", "--data", root.path, "--size", "32", "--augment", "flip,blur",
    ])
    #expect(badOp.status != 0 && badOp.err.contains("unknown augmentation 'blur'"))
    let threads = try InspectCommandTests.run(["bench-loader", "--data", "/tmp", "--threads", "0"])
    #expect(threads.status != 0 && threads.err.contains("--threads must be at least 1"))
  }
}
