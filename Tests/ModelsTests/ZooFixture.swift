import Foundation
import Models
import TensorCore

/// A fixture written by `tools/fixtures/zoo_fixtures.py`: a Keras network's layers and its
/// outputs at cut layers under the weight pattern.
struct ZooFixture: Decodable {
  struct Weight: Decodable, Equatable {
    let name: String
    let shape: [Int]
  }
  struct LayerInfo: Decodable {
    let name: String
    let `class`: String
    let output_shape: [Int]
    let weights: [Weight]
  }
  struct Kwargs: Decodable {
    let include_top: Bool
    let pooling: String?
    let input_shape: [Int]?
    let alpha: Double?
    let classes: Int?
    let depth_multiplier: Int?
    let minimalistic: Bool?
  }
  struct Cut: Decodable {
    let layer: String
    let shape: [Int]
    let count: Int
    let sum: Double
    let abs_sum: Double
    let max_abs: Double
    /// 0: `values` holds the whole tensor; else `values[j]` is element `j * count / subsample`.
    let subsample: Int
    let values: [Double]
  }

  let id: String
  let keras_constructor: String
  let kwargs: Kwargs
  let model_name: String?
  let seed: UInt64
  let batch: Int
  let layers: [LayerInfo]
  let cuts: [Cut]

  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static func load(_ id: String) throws -> ZooFixture {
    try load(url: directory.appendingPathComponent("zoo_\(id).json"))
  }

  static func load(url: URL) throws -> ZooFixture {
    try JSONDecoder().decode(ZooFixture.self, from: Data(contentsOf: url))
  }

  /// Every committed network fixture.
  static var allIDs: [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names
      .filter { $0.hasPrefix("zoo_") && $0.hasSuffix(".json") && $0 != "zoo_pattern.json" }
      .map { String($0.dropFirst(4).dropLast(5)) }.sorted()
  }

  /// The zoo name: Keras's constructor name is one (`ResNet50V2`, `MobileNetV2Torch`).
  var base: String { keras_constructor }

  /// The zoo options equivalent to the Keras arguments.
  var options: ZooOptions {
    var o = ZooOptions(
      includeTop: kwargs.include_top, pooling: Pooling(rawValue: kwargs.pooling ?? "none") ?? .none,
      height: kwargs.input_shape?[0], width: kwargs.input_shape?[1],
      classes: kwargs.classes ?? 1000, alpha: kwargs.alpha ?? 1.0)
    o.depthMultiplier = kwargs.depth_multiplier ?? 1
    o.minimalistic = kwargs.minimalistic ?? false
    return o
  }

  func build() throws -> Graph { try ModelZoo.build(base, options) }
}

/// Runs every node once in inference mode and keeps every output (test-only: memory is no
/// concern at fixture sizes), so all cuts come from one pass.
func forwardAll(_ g: Graph, _ x: Tensor) throws -> [Tensor] {
  var values: [Tensor] = []
  for (i, node) in g.nodes.enumerated() {
    let inputs = i == 0 ? [x] : node.inputs.map { values[$0] }
    values.append(try node.layer.forward(inputs, mode: .inference))
  }
  return values
}
