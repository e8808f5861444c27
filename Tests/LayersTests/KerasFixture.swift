import Foundation
import TensorCore

/// Reference tensors computed by Keras 3 (`tools/fixtures/layers_fixtures.py`), one case
/// per layer configuration, loaded from `Tests/Fixtures/layers/keras_layers.json`.
struct KerasFixture {
  private struct File: Decodable {
    let keras: String
    let cases: [String: [String: Entry]]
  }
  private struct Entry: Decodable {
    let shape: [Int]
    let data: [Float]
  }

  let cases: [String: [String: Tensor]]

  init(_ file: String) throws {
    let url = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/layers/\(file)")
    let decoded = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    cases = try decoded.cases.mapValues { entries in
      try entries.mapValues { try Tensor(shape: $0.shape, scalars: $0.data) }
    }
  }

  /// The named tensor of a case; throws when the fixture lacks it.
  func tensor(_ name: String, _ key: String) throws -> Tensor {
    guard let t = cases[name]?[key] else { throw FixtureError.missing("\(name).\(key)") }
    return t
  }
}

enum FixtureError: Error { case missing(String) }

/// Largest |a − b| / (1 + |b|) over matching shapes (∞ when the shapes differ).
func maxRelativeError(_ a: Tensor, _ b: Tensor) -> Float {
  guard a.shape == b.shape else { return .infinity }
  var m: Float = 0
  for i in 0..<a.count { m = max(m, abs(a.scalars[i] - b.scalars[i]) / (1 + abs(b.scalars[i]))) }
  return m
}
