import Foundation

/// Files under Tests/TorchIOTests/Fixtures, written by tools/fixtures/torch_fixtures.sh.
enum Fixtures {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

  static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

  static func reference(_ name: String) throws -> Reference {
    try JSONDecoder().decode(Reference.self, from: data(name))
  }

  /// The real torchvision checkpoint, when data/fetch-weights.sh has fetched it.
  static var fetchedMobileNet: URL? {
    let url = repository.appendingPathComponent(
      "data/fetched/weights/mobilenet_v2-b0353104.pth")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }
}

/// What tools/fixtures/torch_pickle_reference.py states about a checkpoint.
struct Reference: Decodable {
  struct Entry: Decodable {
    let name: String
    let dtype: String
    let shape: [Int]
    let sum: Double
    let weighted_sum: Double
    let abs_sum: Double
    let first: [Double]
    let values: [Double]?
    let keras_conv: [Double]?
    let keras_depthwise: [Double]?
    let keras_dense: [Double]?
  }
  let file: String
  let format: String
  let tensors: [Entry]
}

/// tf_keras MobileNetV2's weight layout (tools/fixtures/torch_keras_mobilenet_layout.py).
struct KerasLayoutFixture: Decodable {
  struct Weight: Decodable {
    let name: String
    let shape: [Int]
  }
  struct Layer: Decodable {
    let layer: String
    let weights: [Weight]
  }
  let layers: [Layer]
}
