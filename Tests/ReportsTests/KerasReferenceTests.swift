import Foundation
import Testing

@testable import Reports

/// Numbers computed by TensorFlow/Keras and NumPy (tools/fixtures/reports_fixtures.py).
struct ReportsFixture: Decodable {
  struct Stats: Decodable {
    let mean: Double
    let std: Double
  }
  let classes: [String]
  let labels: [Int]
  let predictions: [Int]
  let counts: [[Int]]
  let precision: [Double]
  let recall: [Double]
  let f1: [Double]
  let accuracy: Double
  let seeds: [String: [Double]]
  let mean_std: [String: Stats]

  static func load() throws -> ReportsFixture {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/reports.json")
    return try JSONDecoder().decode(ReportsFixture.self, from: Data(contentsOf: url))
  }
}

@Suite struct KerasReferenceTests {
  // Keras computes the metrics in float32: agree to 1e-6.
  let tolerance = 1e-6

  @Test func confusionMatrixMatchesTensorFlowAndKerasMetrics() throws {
    let f = try ReportsFixture.load()
    let m = try ConfusionMatrix(labels: f.labels, predictions: f.predictions, classes: f.classes)
    #expect(m.counts == f.counts)
    for c in f.classes.indices {
      #expect(abs(m.precision(c) - f.precision[c]) < tolerance, "precision of \(f.classes[c])")
      #expect(abs(m.recall(c) - f.recall[c]) < tolerance, "recall of \(f.classes[c])")
      #expect(abs(m.f1(c) - f.f1[c]) < tolerance, "f1 of \(f.classes[c])")
    }
    #expect(abs(m.accuracy - f.accuracy) < tolerance)
    // The fixture's last class is never predicted: its precision has a zero denominator.
    #expect(m.predicted(f.classes.count - 1) == 0)
  }

  @Test func meanAndSampleStdMatchNumPy() throws {
    let f = try ReportsFixture.load()
    for (name, values) in f.seeds {
      let s = MeanStd(values)
      let expected = try #require(f.mean_std[name])
      #expect(abs(s.mean - expected.mean) < 1e-12, "\(name)")
      #expect(abs(s.std - expected.std) < 1e-12, "\(name)")
    }
  }
}
