import Foundation

/// The metrics of predicted class probabilities against true labels, computed as
/// scikit-learn computes them (checked against it in ClassificationMetricsTests): accuracy,
/// top-k accuracy, per-class precision/recall/F1/support (through `confusion`) with macro and
/// support-weighted averages, log loss, and the top-1 reliability curve and expected
/// calibration error.
public struct ClassificationMetrics: Sendable {
  /// Class names, in index order.
  public let classes: [String]
  /// True class index per example.
  public let labels: [Int]
  /// `probabilities[i][c]`: the predicted probability that example `i` is class `c`.
  public let probabilities: [[Double]]
  /// The top-1 prediction per example (the first maximum, as NumPy's argmax).
  public let predictions: [Int]
  /// Counts of (true, predicted) pairs; per-class precision, recall and F1 live there.
  public let confusion: ConfusionMatrix

  /// Probabilities are clipped to `[eps, 1 - eps]` before taking logs, as scikit-learn's
  /// `log_loss` does for float64 input: a true class given probability 0 costs -log(eps).
  public static let epsilon = Double.ulpOfOne

  /// Checks that every row has one finite, non-negative probability per class.
  public init(probabilities: [[Double]], labels: [Int], classes: [String]) throws {
    guard probabilities.count == labels.count else {
      throw ReportError.lengthMismatch(labels: labels.count, predictions: probabilities.count)
    }
    for (i, row) in probabilities.enumerated()
    where row.count != classes.count || row.contains(where: { !$0.isFinite || $0 < 0 }) {
      throw ReportError.invalidProbabilities(position: i, classCount: classes.count)
    }
    let predictions = probabilities.map { row in
      row.indices.reduce(0) { row[$1] > row[$0] ? $1 : $0 }
    }
    self.confusion = try ConfusionMatrix(
      labels: labels, predictions: predictions, classes: classes)
    self.classes = classes
    self.labels = labels
    self.probabilities = probabilities
    self.predictions = predictions
  }

  /// Number of examples.
  public var count: Int { labels.count }
  /// Fraction of examples whose top-1 prediction is right.
  public var accuracy: Double { confusion.accuracy }

  /// Fraction of examples whose true class is among the `k` most probable.
  public func topKAccuracy(_ k: Int) -> Double {
    guard count > 0 else { return 0 }
    let hits = zip(labels, probabilities).filter { label, row in
      // The true class is in the top k when fewer than k classes score strictly higher.
      row.filter { $0 > row[label] }.count < k
    }.count
    return Double(hits) / Double(count)
  }

  /// Support-weighted means of precision, recall and F1 (scikit-learn's `average="weighted"`).
  public var weightedPrecision: Double { weighted(confusion.precision) }
  /// Support-weighted mean of the per-class recalls (equals accuracy).
  public var weightedRecall: Double { weighted(confusion.recall) }
  /// Support-weighted mean of the per-class F1 scores.
  public var weightedF1: Double { weighted(confusion.f1) }

  private func weighted(_ metric: (Int) -> Double) -> Double {
    let total = confusion.total
    guard total > 0 else { return 0 }
    return classes.indices.reduce(0) { $0 + metric($1) * Double(confusion.support($1)) }
      / Double(total)
  }

  /// Example `i`'s cross-entropy: -log p(true class), clipped by `epsilon`.
  public func loss(_ i: Int) -> Double {
    -Foundation.log(min(max(probabilities[i][labels[i]], Self.epsilon), 1 - Self.epsilon))
  }

  /// Mean cross-entropy over examples (scikit-learn's `log_loss`).
  public var logLoss: Double {
    count == 0 ? 0 : labels.indices.reduce(0) { $0 + loss($1) } / Double(count)
  }

  /// The probability of example `i`'s top-1 prediction.
  public func confidence(_ i: Int) -> Double { probabilities[i][predictions[i]] }

  /// Indices of the `n` examples with the highest loss, highest first (ties: lower index).
  public func topLosses(_ n: Int) -> [Int] {
    let losses = labels.indices.map(loss)
    return labels.indices.sorted { losses[$0] != losses[$1] ? losses[$0] > losses[$1] : $0 < $1 }
      .prefix(max(0, n)).map { $0 }
  }

  /// One off-diagonal confusion-matrix cell.
  public struct Confusion: Sendable, Equatable {
    public var trueClass: Int
    public var predicted: Int
    public var count: Int

    public init(trueClass: Int, predicted: Int, count: Int) {
      self.trueClass = trueClass
      self.predicted = predicted
      self.count = count
    }
  }

  /// Off-diagonal cells with at least `minimum` examples, most frequent first (ties: by true
  /// then predicted class), as fastai's `most_confused`.
  public func mostConfused(minimum: Int = 1) -> [Confusion] {
    var cells: [Confusion] = []
    for t in classes.indices {
      for p in classes.indices where p != t && confusion.counts[t][p] >= max(1, minimum) {
        cells.append(Confusion(trueClass: t, predicted: p, count: confusion.counts[t][p]))
      }
    }
    return cells.enumerated().sorted {
      $0.element.count != $1.element.count ? $0.element.count > $1.element.count
        : $0.offset < $1.offset
    }.map(\.element)
  }

  /// One bin of the reliability diagram: examples whose top-1 confidence falls in it.
  public struct ReliabilityBin: Sendable, Equatable {
    /// The bin's confidence interval `(lower, upper]` (the first also holds 0).
    public var lower: Double
    public var upper: Double
    public var count: Int
    /// Mean top-1 confidence of the bin's examples.
    public var confidence: Double
    /// Fraction of the bin's examples predicted right.
    public var accuracy: Double
  }

  /// The non-empty bins of `bins` equal-width confidence intervals, binned as
  /// scikit-learn's `calibration_curve(strategy="uniform")` bins (edge values go down).
  public func reliability(bins: Int = 15) -> [ReliabilityBin] {
    let bins = max(1, bins)
    var sums = [Double](repeating: 0, count: bins)
    var right = [Int](repeating: 0, count: bins)
    var counts = [Int](repeating: 0, count: bins)
    for i in labels.indices {
      let c = confidence(i)
      // The number of inner edges k/bins strictly below c (NumPy's searchsorted, left).
      let b = (1..<bins).filter { Double($0) / Double(bins) < c }.count
      sums[b] += c
      counts[b] += 1
      if predictions[i] == labels[i] { right[b] += 1 }
    }
    return (0..<bins).filter { counts[$0] > 0 }.map { b in
      ReliabilityBin(
        lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: counts[b],
        confidence: sums[b] / Double(counts[b]),
        accuracy: Double(right[b]) / Double(counts[b]))
    }
  }

  /// Expected calibration error: the count-weighted mean gap between accuracy and confidence
  /// over the reliability bins (Guo et al., 2017).
  public func expectedCalibrationError(bins: Int = 15) -> Double {
    guard count > 0 else { return 0 }
    return reliability(bins: bins).reduce(0) {
      $0 + abs($1.accuracy - $1.confidence) * Double($1.count)
    } / Double(count)
  }
}
