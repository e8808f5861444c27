/// Counts of (true class, predicted class) pairs with the usual per-class metrics.
///
/// `counts[t][p]` is the number of examples of true class `t` predicted as `p`. Metrics
/// whose denominator is zero (a class never predicted, or absent from the labels) are 0,
/// as scikit-learn reports them with `zero_division=0`.
public struct ConfusionMatrix: Sendable, Equatable {
  /// Class names, in index order.
  public let classes: [String]
  /// `counts[trueClass][predictedClass]`.
  public private(set) var counts: [[Int]]

  /// An empty matrix over `classes`.
  public init(classes: [String]) throws {
    guard !classes.isEmpty, Set(classes).count == classes.count else {
      throw ReportError.invalidClasses(classes)
    }
    self.classes = classes
    counts = Array(repeating: Array(repeating: 0, count: classes.count), count: classes.count)
  }

  /// Counts from class indices (`labels[i]` true, `predictions[i]` predicted).
  public init(labels: [Int], predictions: [Int], classes: [String]) throws {
    try self.init(classes: classes)
    guard labels.count == predictions.count else {
      throw ReportError.lengthMismatch(labels: labels.count, predictions: predictions.count)
    }
    for (i, (t, p)) in zip(labels, predictions).enumerated() {
      try check(t, "label", i)
      try check(p, "prediction", i)
      counts[t][p] += 1
    }
  }

  /// Counts from class names.
  public init(labels: [String], predictions: [String], classes: [String]) throws {
    try self.init(classes: classes)
    guard labels.count == predictions.count else {
      throw ReportError.lengthMismatch(labels: labels.count, predictions: predictions.count)
    }
    let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    for (i, (t, p)) in zip(labels, predictions).enumerated() {
      guard let ti = index[t] else {
        throw ReportError.unknownClass(what: "label", position: i, name: t, classes: classes)
      }
      guard let pi = index[p] else {
        throw ReportError.unknownClass(what: "prediction", position: i, name: p, classes: classes)
      }
      counts[ti][pi] += 1
    }
  }

  private func check(_ value: Int, _ what: String, _ position: Int) throws {
    guard value >= 0, value < classes.count else {
      throw ReportError.classIndexOutOfRange(
        what: what, position: position, value: value, classCount: classes.count)
    }
  }

  /// Adds one example.
  public mutating func add(label: Int, prediction: Int) throws {
    try check(label, "label", total)
    try check(prediction, "prediction", total)
    counts[label][prediction] += 1
  }

  /// Number of examples.
  public var total: Int { counts.joined().reduce(0, +) }
  /// Examples on the diagonal.
  public var correct: Int { classes.indices.reduce(0) { $0 + counts[$1][$1] } }
  /// `correct / total`, 0 when empty.
  public var accuracy: Double { ratio(correct, total) }

  /// Examples whose true class is `c`.
  public func support(_ c: Int) -> Int { counts[c].reduce(0, +) }
  /// Examples predicted as `c`.
  public func predicted(_ c: Int) -> Int { counts.reduce(0) { $0 + $1[c] } }
  /// Of the examples predicted as `c`, the fraction that are `c`.
  public func precision(_ c: Int) -> Double { ratio(counts[c][c], predicted(c)) }
  /// Of the examples of class `c`, the fraction predicted as `c`.
  public func recall(_ c: Int) -> Double { ratio(counts[c][c], support(c)) }
  /// Harmonic mean of precision and recall.
  public func f1(_ c: Int) -> Double {
    let p = precision(c)
    let r = recall(c)
    return p + r > 0 ? 2 * p * r / (p + r) : 0
  }

  /// Unweighted means over classes of precision, recall and F1.
  public var macroPrecision: Double { mean(classes.indices.map(precision)) }
  /// Unweighted mean of the per-class recalls.
  public var macroRecall: Double { mean(classes.indices.map(recall)) }
  /// Unweighted mean of the per-class F1 scores.
  public var macroF1: Double { mean(classes.indices.map(f1)) }

  /// Each row divided by its sum (rows of absent classes stay 0): the fraction of class
  /// `t` predicted as `p`.
  public var rowNormalized: [[Double]] {
    counts.map { row in
      let sum = row.reduce(0, +)
      return row.map { ratio($0, sum) }
    }
  }

  private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
  private func mean(_ xs: [Double]) -> Double {
    xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count)
  }
}
