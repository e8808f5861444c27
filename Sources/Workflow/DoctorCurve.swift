import Foundation
import TensorCore

/// Cross-validated accuracy of the linear head on frozen features against the number of
/// training images, with its spread, a fitted power law and what twice the data would give.
public struct LearningCurve: Sendable, Equatable, Codable {
  /// Share of each class's training images used, ascending (the last is 1).
  public var fractions: [Double]
  /// Mean training images (all classes) at each fraction.
  public var trainImages: [Double]
  /// Mean accuracy on the validation folds at each fraction.
  public var accuracy: [Double]
  /// Standard deviation of the accuracy over folds and repeats.
  public var spread: [Double]
  /// Accuracy of every fold (outer) at each fraction (inner), averaged over its repeats.
  public var folds: [[Double]]
  public var classes: [String]
  /// Recall of each class (outer) at each fraction (inner), pooled over folds and repeats.
  public var perClass: [[Double]]
  /// `accuracy(trainImages)`; nil when it cannot be fitted.
  public var fit: PowerLaw?
  public var doubled: Extrapolation?

  /// What the fitted law predicts at twice the training images, with a bootstrap interval.
  public struct Extrapolation: Sendable, Equatable, Codable {
    public var trainImages: Double
    public var accuracy: Double
    /// Bootstrap interval over folds (`level`, e.g. 0.9: 5th to 95th percentile).
    public var low: Double
    public var high: Double
    public var level: Double
  }

  /// The classes whose recall rose most from half to all of their training images: the ones
  /// more photos would help first. Rises within the curve's own spread are left out.
  public var classesNeedingData: [(name: String, gain: Double)] {
    guard let half = fractions.firstIndex(where: { $0 >= 0.5 }), fractions.count >= 2 else {
      return []
    }
    let last = fractions.count - 1
    let noise = spread.last ?? 0
    return classes.indices.map { (classes[$0], perClass[$0][last] - perClass[$0][half]) }
      .filter { $0.1 > max(0.02, noise) }.sorted { $0.1 > $1.1 }
  }

  /// Fits the law to the mean curve and bootstraps it over folds: each of `resamples` draws
  /// as many folds as there are, with replacement, and refits their mean curve.
  mutating func extrapolate(resamples: Int = 1000, level: Double = 0.9, seed: UInt64) {
    fit = PowerLaw.fit(n: trainImages, accuracy: accuracy)
    guard let fit, let n = trainImages.last else { return }
    let target = 2 * n
    var rng = SeededRNG(seed: seed).derived(0xC0FE)
    var predictions: [Double] = []
    for _ in 0..<resamples where folds.count >= 2 {
      let draw = (0..<folds.count).map { _ in folds[Int(rng.next() % UInt64(folds.count))] }
      let mean = fractions.indices.map { j in draw.reduce(0) { $0 + $1[j] } / Double(draw.count) }
      if let law = PowerLaw.fit(n: trainImages, accuracy: mean) {
        predictions.append(min(1, max(0, law(target))))
      }
    }
    predictions.sort()
    let point = min(1, max(0, fit(target)))
    let tail = (1 - level) / 2
    func quantile(_ q: Double) -> Double {
      predictions.isEmpty
        ? point : predictions[min(predictions.count - 1, Int(q * Double(predictions.count)))]
    }
    doubled = Extrapolation(
      trainImages: target, accuracy: point, low: min(point, quantile(tail)),
      high: max(point, quantile(1 - tail)), level: level)
  }
}

extension LearningCurve {
  /// The brief's fractions of each class's training images.
  public static let standardFractions = [0.1, 0.25, 0.5, 0.75, 1.0]

  /// Trains the head on every fold at every fraction (`repeats` random subsets each below 1;
  /// nested, so a larger subset holds the smaller ones) and scores it on the fold's whole
  /// validation part. Also returns the out-of-fold probabilities of the full-data fits.
  static func measure(
    features: [[Float]], labels: [Int], classes: [String], folds: CompareFolds,
    fractions: [Double] = standardFractions, repeats: Int, seed: UInt64, head: DoctorHead,
    log: (String) -> Void = { _ in }
  ) throws -> (curve: LearningCurve, outOfFold: [[Double]]) {
    let k = classes.count
    var oof = [[Double]](repeating: [Double](repeating: 0, count: k), count: features.count)
    var foldAccuracy = [[Double]](
      repeating: [Double](repeating: 0, count: fractions.count), count: folds.folds.count)
    var allRuns = [[Double]](repeating: [], count: fractions.count)
    var images = [Double](repeating: 0, count: fractions.count)
    var right = [[Int]](repeating: [Int](repeating: 0, count: fractions.count), count: k)
    var seen = [[Int]](repeating: [Int](repeating: 0, count: fractions.count), count: k)
    let base = SeededRNG(seed: seed).derived(0x1EA2)
    for (f, fold) in folds.folds.enumerated() {
      let test = fold.validation.map { features[$0] }
      for (j, fraction) in fractions.enumerated() {
        let draws = fraction >= 1 ? 1 : max(1, repeats)
        for r in 0..<draws {
          let subset = Self.subset(
            fold.train, labels: labels, fraction: fraction,
            rng: base.derived(UInt64(f)).derived(UInt64(r)))
          let p = try head.probabilities(
            train: subset.map { features[$0] }, labels: subset.map { labels[$0] }, test: test)
          var correct = 0
          for (row, i) in zip(p, fold.validation) {
            let hit = argmax(row) == labels[i]
            if hit { correct += 1 }
            seen[labels[i]][j] += 1
            if hit { right[labels[i]][j] += 1 }
            if fraction >= 1 { oof[i] = row }
          }
          let accuracy = Double(correct) / Double(max(1, test.count))
          foldAccuracy[f][j] += accuracy / Double(draws)
          allRuns[j].append(accuracy)
          images[j] += Double(subset.count) / Double(draws * folds.folds.count)
        }
      }
      log(
        "fold \(f + 1)/\(folds.folds.count): accuracy "
          + fractions.indices.map { NiceFormat.fixed(foldAccuracy[f][$0], 3) }
          .joined(separator: " / ")
          + " at " + fractions.map { "\(Int(($0 * 100).rounded()))%" }.joined(separator: " / "))
    }
    let mean = allRuns.map { $0.reduce(0, +) / Double(max(1, $0.count)) }
    let spread = zip(allRuns, mean).map { runs, m in
      (runs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, runs.count - 1))).squareRoot()
    }
    var curve = LearningCurve(
      fractions: fractions, trainImages: images, accuracy: mean, spread: spread,
      folds: foldAccuracy, classes: classes,
      perClass: (0..<k).map { c in
        (0..<fractions.count).map { Double(right[c][$0]) / Double(max(1, seen[c][$0])) }
      }, fit: nil, doubled: nil)
    curve.extrapolate(seed: seed)
    return (curve, oof)
  }

  /// `fraction` of each class's members of `train` (rounded up, at least one), drawn in one
  /// seeded order per class so larger fractions extend smaller ones; sorted.
  static func subset(_ train: [Int], labels: [Int], fraction: Double, rng: SeededRNG) -> [Int] {
    guard fraction < 1 else { return train }
    var out: [Int] = []
    for label in Set(train.map { labels[$0] }).sorted() {
      var members = train.filter { labels[$0] == label }
      var g = rng.derived(UInt64(label))
      members.shuffle(using: &g)
      let take = min(members.count, max(1, Int((fraction * Double(members.count)).rounded(.up))))
      out += members.prefix(take)
    }
    return out.sorted()
  }
}
