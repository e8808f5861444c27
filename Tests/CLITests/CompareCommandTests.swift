import Foundation
import Testing

/// `ftune compare` end to end on tiny generated images with random VGG16 weights at 32x32.
@Suite(.serialized) struct CompareCommandTests {
  @Test func comparesStrategiesOnFoldsAndWritesAllThreeFiles() throws {
    let root = TinyImages.temporaryDirectory()
    let data = root.appendingPathComponent("images")
    try TinyImages.make(at: data)
    let out = root.appendingPathComponent("cmp")
    let r = try FTuneProcess.run(
      [
        "compare", "--base", "vgg16", "--weights", "random", "--size", "32", "--data",
        data.path, "--freeze", "0,all", "--cv", "2", "--epochs", "1", "--batch", "4",
        "--lr", "0.01", "--quiet", "--out", out.path,
      ], home: root)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("best: --freeze"))
    for name in ["compare.json", "compare.md", "compare.png"] {
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path))
    }
    let json = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: out.appendingPathComponent("compare.json"))) as? [String: Any])
    let strategies = try #require(json["strategies"] as? [[String: Any]])
    #expect(strategies.map { $0["freeze"] as? String } == ["0", "all"])
    #expect(strategies.map { $0["cached_features"] as? Bool } == [false, true])
    for s in strategies {
      let folds = try #require(s["fold_accuracies"] as? [Double])
      #expect(folds.count == 2)
      #expect(folds.allSatisfy { (0...1).contains($0) })
      #expect((s["trainable_params"] as? Int ?? 0) > 0)
      #expect((s["seconds"] as? Double ?? -1) >= 0)
    }
    // Freezing nothing trains the whole VGG16 trunk; freezing all only the head.
    let params = strategies.compactMap { $0["trainable_params"] as? Int }
    #expect(params[0] > params[1])
    #expect(params[1] == 512 * 3 + 3)
    #expect(["0", "all"].contains(json["best"] as? String ?? ""))
    let md = try String(contentsOf: out.appendingPathComponent("compare.md"), encoding: .utf8)
    #expect(md.contains("| freeze"))
    let png = try Data(contentsOf: out.appendingPathComponent("compare.png"))
    #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
  }
}
