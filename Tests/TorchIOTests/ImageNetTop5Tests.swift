import Foundation
import ImageIO
import Models
import TensorCore
import Testing

@testable import TorchIO

/// Opt-in, end to end on real data: torchvision's ImageNet MobileNetV2, imported from the
/// real .pth by TorchIO into the zoo's `mobilenet_v2_torch`, classifies real photos of
/// common objects (data/fetch-weights.sh and data/fetch-images.sh fetch both).
@Suite struct ImageNetTop5Tests {
  static let stamps = Fixtures.repository.appendingPathComponent("data/fetched/stamps")
  static var dataPresent: Bool {
    Fixtures.fetchedMobileNet != nil && FileManager.default.fileExists(atPath: stamps.path)
  }

  /// Photo and the ImageNet class index a person would call it. Chosen before running the
  /// model: every stamp whose subject has an ImageNet class of its own.
  static let cases: [(String, Int, String)] = [
    ("birds/ostrich.png", 9, "ostrich"), ("birds/pink_flamingo.png", 130, "flamingo"),
    ("birds/pelican.png", 144, "pelican"), ("birds/penguin.png", 145, "king penguin"),
    ("birds/peacock.png", 84, "peacock"), ("birds/tucan.png", 96, "toucan"),
    ("birds/rooster.png", 7, "cock"), ("birds/hen.png", 8, "hen"),
    ("birds/drake.png", 97, "drake"), ("birds/magpie.png", 18, "magpie"),
    ("fruit/banana.png", 954, "banana"), ("fruit/pineapple.png", 953, "pineapple"),
    ("fruit/lemon.png", 951, "lemon"), ("fruit/orange.png", 950, "orange"),
    ("fruit/strawberry.png", 949, "strawberry"), ("fruit/pomegranate.png", 957, "pomegranate"),
    ("fruit/apple_granny_smith.png", 948, "Granny Smith"),
    ("vegetables/broccoli.png", 937, "broccoli"), ("vegetables/mushroom.png", 947, "mushroom"),
    ("vegetables/pepper.png", 945, "bell pepper"),
  ]

  /// torchvision's eval transform: Resize(256) on the shorter side, CenterCrop(224),
  /// ImageNet mean/std.
  static func input(_ url: URL) throws -> Tensor {
    let image = try Image.decode(file: url.path).resized(shorterSide: 256)
      .centerCropped(width: 224, height: 224)
    var x = try image.tensor().reshaped([1, 224, 224, 3])
    try Preprocessing.torch.apply(to: &x)
    return x
  }

  @Test(.enabled(if: dataPresent, "run data/fetch-weights.sh and data/fetch-images.sh"))
  func importedClassifierPutsRealPhotosInTop5() throws {
    let checkpoint = try TorchCheckpoint(contentsOf: try #require(Fixtures.fetchedMobileNet))
    let graph = try ModelZoo.build("mobilenet_v2_torch", ZooOptions(includeTop: true))
    try graph.assign(try TorchVisionMobileNetV2.convert(checkpoint))
    var hits = 0
    for (file, expected, label) in Self.cases {
      let probabilities = try graph.forward(
        Self.input(Self.stamps.appendingPathComponent(file)), mode: .inference)
      let top5 = probabilities.scalars.indices
        .sorted { probabilities.scalars[$0] > probabilities.scalars[$1] }.prefix(5)
      let hit = top5.contains(expected)
      hits += hit ? 1 : 0
      let shown = top5.map { "\($0) (\(String(format: "%.2f", probabilities.scalars[$0])))" }
      print("top-5 \(file): \(shown.joined(separator: ", ")); \(label) = \(expected) "
        + (hit ? "in top-5" : "MISSED"))
    }
    print("ImageNet top-5: \(hits)/\(Self.cases.count) photos")
    // Stamps are small cut-outs on white, not ImageNet photos; most, not all, must land.
    #expect(hits >= Self.cases.count * 3 / 4)
  }
}
