import Foundation
import TestSupport
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

  @Test func gridOfHeadsAndAugmentSetsWritesOneRowEachAndTheFolds() throws {
    let root = TinyImages.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("images")
    try TinyImages.make(at: data, perClass: 4)
    let out = root.appendingPathComponent("grid")
    let r = try FTuneProcess.run(
      [
        "compare", "--base", "vgg16", "--weights", "random", "--size", "32", "--data",
        data.path, "--freeze", "all", "--heads", "linear,mlp", "--hidden", "8",
        "--augment-sets", "none,flip", "--cache-variants", "2", "--cv", "2", "--epochs", "2",
        "--batch", "4", "--quiet", "--out", out.path,
      ], home: root)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("best: --freeze all --head"))
    let json = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: out.appendingPathComponent("compare.json"))) as? [String: Any])
    let rows = try #require(json["strategies"] as? [[String: Any]])
    #expect(rows.map { "\($0["head"] ?? "")/\($0["augment"] ?? "")" } == [
      "linear/none", "linear/flip", "mlp/none", "mlp/flip",
    ])
    #expect(rows.map { $0["inputs"] as? String } == [
      "cached at cut", "cached, 2 augmented variants", "cached at cut",
      "cached, 2 augmented variants",
    ])
    #expect(rows.map { $0["trainable_params"] as? Int } == [
      512 * 3 + 3, 512 * 3 + 3, 512 * 8 + 8 + 8 * 3 + 3, 512 * 8 + 8 + 8 * 3 + 3,
    ])
    // A head alone on cached features: 6 training images in batches of 4 are 2 steps per
    // epoch, so the 500-step minimum gives 250 epochs (not --epochs 2).
    #expect(rows.map { $0["epochs"] as? Int } == [250, 250, 250, 250])
    #expect(rows.allSatisfy { ($0["peak_rss_mb"] as? Double ?? 0) > 0 })
    #expect(rows.allSatisfy { ($0["images_per_second"] as? Double ?? 0) > 0 })
    let csv = try String(contentsOf: out.appendingPathComponent("folds.csv"), encoding: .utf8)
    let lines = csv.split(separator: "\n")
    #expect(lines.first == "path,class,label,fold")
    #expect(lines.count == 1 + 12)
    #expect(lines.dropFirst().allSatisfy { $0.hasSuffix(",0") || $0.hasSuffix(",1") })
  }

  @Test func anUnknownHeadIsOneClearErrorAndANonZeroExit() throws {
    let root = TinyImages.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let r = try FTuneProcess.run(
      ["compare", "--base", "vgg16", "--weights", "random", "--heads", "linear,cnn"],
      home: root)
    #expect(r.status != 0)
    #expect(r.err.contains("--heads") && r.err.contains("cnn"))
  }
}
