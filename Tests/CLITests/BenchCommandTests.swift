import Foundation
import Testing

/// `ftune bench` as a user runs it. No timing is asserted (the machine is shared); the
/// FLOP count, the report's fields and the BLAS core override are.
@Suite struct BenchCommandTests {
  static func json(_ args: [String]) throws -> [String: Any] {
    let r = try InspectCommandTests.run(["bench"] + args + ["--json"])
    #expect(r.status == 0, "\(r.err)")
    let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8))
    return try #require(object as? [String: Any])
  }

  /// VGG16's convolutions at 32×32: 2 FLOPs per multiply-add, counted by hand.
  @Test func countsVGG16FLOPs() throws {
    let blocks: [(side: Int, convs: [(Int, Int)])] = [
      (32, [(3, 64), (64, 64)]), (16, [(64, 128), (128, 128)]),
      (8, [(128, 256), (256, 256), (256, 256)]), (4, [(256, 512), (512, 512), (512, 512)]),
      (2, [(512, 512), (512, 512), (512, 512)]),
    ]
    let expected = blocks.reduce(0) { sum, b in
      sum + b.convs.reduce(0) { $0 + 2 * b.side * b.side * 9 * $1.0 * $1.1 }
    }
    let r = try Self.json(["--base", "vgg16", "--size", "32", "--batch", "2", "--repeat", "1"])
    let perImage = try #require(r["forwardGFLOPsPerImage"] as? Double)
    #expect(abs(perImage * 1e9 - Double(expected)) < 1)
    #expect((r["forwardImagesPerSecond"] as? Double ?? 0) > 0)
    #expect((r["forwardPeakRSSMB"] as? Double ?? 0) > 10)
    #expect(r["trainImagesPerSecond"] == nil)
  }

  @Test func trainingReportsItsOwnRateAndTheCut() throws {
    let r = try Self.json([
      "--base", "mobilenet_v2", "--size", "32", "--batch", "2", "--repeat", "1", "--train",
      "--freeze", "3",
    ])
    #expect((r["trainImagesPerSecond"] as? Double ?? 0) > 0)
    #expect(r["freezeCut"] as? String == "expanded_conv_project_BN")
    let peak = try #require(r["peakRSSMB"] as? Double)
    #expect(peak >= (r["forwardPeakRSSMB"] as? Double ?? .infinity))
  }

  /// Sandybridge (AVX) kernels run on every x86-64 machine this project targets.
  @Test func blasCoreTypeOverrideReexecutes() throws {
    #if os(Linux) && arch(x86_64)
      let r = try Self.json([
        "--base", "vgg16", "--size", "32", "--batch", "1", "--repeat", "1",
        "--blas-coretype", "Sandybridge",
      ])
      #expect(r["blasCore"] as? String == "Sandybridge")
    #endif
  }

  @Test func rejectsABadBatch() throws {
    let r = try InspectCommandTests.run(["bench", "--base", "vgg16", "--batch", "0"])
    #expect(r.status != 0)
    #expect(r.err.contains("--batch must be at least 1"))
  }
}
