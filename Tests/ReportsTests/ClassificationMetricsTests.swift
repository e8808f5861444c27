import Foundation
import Testing

@testable import Reports

/// scikit-learn's numbers on the same probabilities (tools/fixtures/metrics_fixtures.py).
struct MetricsFixture: Decodable, CustomTestStringConvertible {
  let name: String
  var testDescription: String { name }
  let classes: [String]
  let labels: [Int]
  let probabilities: [[Double]]
  let accuracy: Double
  let top_k: [String: Double]
  let precision: [Double]
  let recall: [Double]
  let f1: [Double]
  let support: [Int]
  let macro: [Double]
  let weighted: [Double]
  let confusion: [[Int]]
  let log_loss: Double
  let bins: Int
  let reliability_accuracy: [Double]
  let reliability_confidence: [Double]
  let reliability_counts: [Int]
  let ece: Double

  static func load() throws -> [MetricsFixture] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/metrics.json")
    return try JSONDecoder().decode([MetricsFixture].self, from: Data(contentsOf: url))
  }
}

@Suite struct ClassificationMetricsTests {
  // Both sides compute in float64 from the same probabilities; only summation order differs.
  let tolerance = 1e-12

  @Test(arguments: try MetricsFixture.load())
  func everyMetricMatchesScikitLearn(_ f: MetricsFixture) throws {
    let m = try ClassificationMetrics(
      probabilities: f.probabilities, labels: f.labels, classes: f.classes)
    func close(_ a: Double, _ b: Double, _ what: String) {
      #expect(abs(a - b) <= tolerance, "\(f.name): \(what) \(a) vs scikit-learn \(b)")
    }
    #expect(m.confusion.counts == f.confusion, "\(f.name)")
    close(m.accuracy, f.accuracy, "accuracy")
    for (k, value) in f.top_k { close(m.topKAccuracy(Int(k)!), value, "top-\(k) accuracy") }
    for c in f.classes.indices {
      close(m.confusion.precision(c), f.precision[c], "precision of \(f.classes[c])")
      close(m.confusion.recall(c), f.recall[c], "recall of \(f.classes[c])")
      close(m.confusion.f1(c), f.f1[c], "F1 of \(f.classes[c])")
      #expect(m.confusion.support(c) == f.support[c])
    }
    close(m.confusion.macroPrecision, f.macro[0], "macro precision")
    close(m.confusion.macroRecall, f.macro[1], "macro recall")
    close(m.confusion.macroF1, f.macro[2], "macro F1")
    close(m.weightedPrecision, f.weighted[0], "weighted precision")
    close(m.weightedRecall, f.weighted[1], "weighted recall")
    close(m.weightedF1, f.weighted[2], "weighted F1")
    close(m.logLoss, f.log_loss, "log loss")
    let bins = m.reliability(bins: f.bins)
    #expect(bins.map(\.count) == f.reliability_counts, "\(f.name)")
    for (b, (acc, conf)) in zip(bins, zip(f.reliability_accuracy, f.reliability_confidence)) {
      close(b.accuracy, acc, "reliability accuracy")
      close(b.confidence, conf, "reliability confidence")
    }
    close(m.expectedCalibrationError(bins: f.bins), f.ece, "ECE")
  }

  @Test func topLossesAndMostConfusedOnKnownAnswers() throws {
    // Example 2 (true b, 0.9 on a) is the worst, then 0 (true a, 0.7 on c), then 3.
    let m = try ClassificationMetrics(
      probabilities: [[0.2, 0.1, 0.7], [0.1, 0.8, 0.1], [0.9, 0.05, 0.05], [0.3, 0.6, 0.1],
                      [0.6, 0.3, 0.1]],
      labels: [0, 1, 1, 0, 0], classes: ["a", "b", "c"])
    #expect(m.predictions == [2, 1, 0, 1, 0])
    #expect(m.topLosses(3) == [2, 0, 3])
    #expect(m.topLosses(10).count == 5)
    #expect(
      m.mostConfused() == [
        .init(trueClass: 0, predicted: 1, count: 1), .init(trueClass: 0, predicted: 2, count: 1),
        .init(trueClass: 1, predicted: 0, count: 1),
      ])
    #expect(abs(m.loss(2) - -log(0.05)) < 1e-12)
  }

  @Test func badProbabilitiesAreNamed() {
    #expect(throws: ReportError.invalidProbabilities(position: 1, classCount: 2)) {
      try ClassificationMetrics(
        probabilities: [[0.5, 0.5], [.nan, 1]], labels: [0, 1], classes: ["a", "b"])
    }
  }
}
