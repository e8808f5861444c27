import Foundation
import TestSupport
import Testing

/// `ftune inspect`, run as a user runs it: the built binary, its output and exit status.
@Suite struct InspectCommandTests {
  static func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
    let r = try ProcessRun.run(FTuneProcess.binary(), args)
    return (r.status, r.out, r.err)
  }

  @Test func helpNamesEveryOptionAndTheZoo() throws {
    let r = try Self.run(["inspect", "--help"])
    #expect(r.status == 0)
    for text in [
      "USAGE: ftune inspect [<base>]", "--layers", "--weights", "--size", "--alpha", "--include-top",
      "--pooling", "--freeze", "--json", "xception, vgg16, vgg19, resnet50, resnet101",
      "the --freeze N that freezes up to each layer",
    ] {
      #expect(r.out.contains(text), "help lacks '\(text)'")
    }
  }

  /// The Markdown list README shows, from the codec registry.
  @Test func layersListsWhatFtuneReads() throws {
    let r = try Self.run(["inspect", "--layers"])
    #expect(r.status == 0, "\(r.err)")
    for item in [
      "- `Sequential`, `Functional`", "- `Conv2D` (also `Convolution2D`)",
      "- `BatchNormalization`", "- `MaxPooling2D` (also `MaxPool2D`)",
    ] {
      #expect(r.out.contains(item), "--layers lacks '\(item)'")
    }
    #expect(try Self.run(["inspect"]).status != 0)
    #expect(try Self.run(["inspect", "vgg16", "--layers"]).status != 0)
  }

  @Test func tableShowsKerasCountsAndFreezeColumn() throws {
    let r = try Self.run(["inspect", "vgg16", "--size", "32", "--freeze", "block4_pool"])
    #expect(r.status == 0, "\(r.err)")
    let lines = r.out.split(separator: "\n").map(String.init)
    // Keras's model.summary() for VGG16 without top: 14,714,688 parameters.
    #expect(lines.contains("Total params: 14,714,688"))
    #expect(lines.contains("Trainable params: 7,079,424"))
    let row = try #require(Self.row("block4_conv3", in: lines))
    #expect(row.split(separator: " ", omittingEmptySubsequences: true).prefix(8)
      == ["13", "block4_conv3", "Conv2D", "4x4x512", "2,359,808", "frozen", "10", "4x4x512"])
    // What --freeze through it trains: block 5 and a pooled head.
    #expect(row.hasSuffix("block5_conv1..block5_conv3 (3) + GAP head"))
    #expect(lines.contains("--freeze all: through block5_pool; the new head goes after it"))
    let next = try #require(Self.row("block5_conv1", in: lines))
    #expect(next.contains("trainable"))
  }

  @Test func jsonHasOneEntryPerLayer() throws {
    let r = try Self.run(["inspect", "mobilenet_v2", "--alpha", "0.35", "--size", "96", "--json"])
    #expect(r.status == 0, "\(r.err)")
    let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
    let layers = try #require(obj?["layers"] as? [[String: Any]])
    #expect(layers.count == 154)
    #expect(obj?["name"] as? String == "mobilenetv2_0.35_96")
    #expect(layers.last?["name"] as? String == "out_relu")
    #expect(obj?["weightLayers"] as? Int == 52)
  }

  @Test func userErrorsExitNonZeroWithAMessage() throws {
    let bad = try Self.run(["inspect", "vgg99"])
    #expect(bad.status != 0)
    #expect(bad.err.contains("unknown base 'vgg99'") && bad.err.contains("resnet50"))
    let freeze = try Self.run(["inspect", "vgg16", "--freeze", "14"])
    #expect(freeze.status != 0)
    #expect(freeze.err.contains("from 0 to 13"))
    let pooling = try Self.run(["inspect", "vgg16", "--pooling", "mean"])
    #expect(pooling.status != 0)
    #expect(pooling.err.contains("--pooling must be none, avg or max"))
  }

  /// The table row of layer `name` (its second column).
  static func row(_ name: String, in lines: [String]) -> String? {
    lines.first { $0.split(separator: " ").dropFirst().first.map(String.init) == name }
  }

  static let kerasFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("KerasIOTests/Fixtures")

  @Test func inspectsAKerasModelFile() throws {
    let path = Self.kerasFixtures.appendingPathComponent("k2_functional.h5").path
    let r = try Self.run(["inspect", path, "--freeze", "res_bn"])
    #expect(r.status == 0, "\(r.err)")
    let lines = r.out.split(separator: "\n").map(String.init)
    #expect(lines.contains("Total params: 383"))
    let row = try #require(Self.row("res_conv", in: lines))
    #expect(row.contains("frozen"))
    #expect(try #require(Self.row("head", in: lines)).contains("trainable"))
  }

  /// A full model saved by tf_keras with its top: each row says what a cut there caches and
  /// trains, and `--freeze all` keeps fc1/fc2 and replaces only the classifier.
  @Test func rowsSayWhatACutCachesAndTrains() throws {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/cut/mini_vgg_top.h5").path
    let r = try Self.run(["inspect", path, "--freeze", "all"])
    #expect(r.status == 0, "\(r.err)")
    let lines = r.out.split(separator: "\n").map(String.init)
    func row(_ name: String) throws -> [String] {
      try #require(Self.row(name, in: lines)).split(separator: " ").map(String.init)
    }
    #expect(try row("block2_pool").suffix(5) == ["8x8x4", "fc1..fc2", "(2)", "+", "head"])
    #expect(try row("flatten").suffix(5) == ["256", "fc1..fc2", "(2)", "+", "head"])
    #expect(try row("fc2").suffix(2) == ["12", "head"])
    #expect(try row("fc2").contains("frozen") && row("predictions").contains("trainable"))
    #expect(lines.contains("--freeze all: through fc2; the new head replaces predictions"))
  }

  @Test func weightsThatDoNotFitAreRefusedWithTheReport() throws {
    let path = Self.kerasFixtures.appendingPathComponent("k2_functional_weights.h5").path
    let r = try Self.run(["inspect", "vgg16", "--size", "32", "--weights", path])
    #expect(r.status != 0)
    #expect(r.err.contains("missing from the file: block1_conv1"))
  }
}
