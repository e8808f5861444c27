import Foundation

/// One image whose given label the out-of-fold predictions contradict.
public struct LabelIssue: Sendable, Equatable, Codable {
  public var index: Int
  public var path: String
  public var given: String
  public var suggested: String
  /// `p(suggested) − p(given)` out of fold: 1 is a sure contradiction; issues are ranked by it.
  public var score: Double
  public var givenProbability: Double
  public var suggestedProbability: Double
}

/// Out-of-fold probabilities: every image's class probabilities from a head trained on the
/// folds that do not hold it.
enum OutOfFold {
  /// The mean over `partitions` k-fold partitions: `first` (compare's folds, whose
  /// probabilities the learning curve already computed) and stratified folds with seeds
  /// `seed + 1`, `seed + 2`, ... With ~100 images one partition's probabilities swing with
  /// the fold draw; averaging a few steadies the ranking (as cleanlab's repeated
  /// cross-validation does).
  static func probabilities(
    features: [[Float]], labels: [Int], k: Int, seed: UInt64, partitions: Int,
    first: [[Double]], head: DoctorHead
  ) throws -> [[Double]] {
    var sum = first
    for r in 1..<max(1, partitions) {
      let folds = try CompareFolds.stratified(labels: labels, k: k, seed: seed &+ UInt64(r))
      for fold in folds.folds {
        let p = try head.probabilities(
          train: fold.train.map { features[$0] }, labels: fold.train.map { labels[$0] },
          test: fold.validation.map { features[$0] })
        for (row, i) in zip(p, fold.validation) {
          for c in row.indices { sum[i][c] += row[c] }
        }
      }
    }
    let n = Double(max(1, partitions))
    return sum.map { $0.map { $0 / n } }
  }
}

/// Confident learning (Northcutt, Jiang & Chuang 2021; cleanlab's `confident_joint` and
/// `find_label_issues(filter_by="confident_learning")`) on out-of-fold probabilities.
public enum ConfidentLearning {
  /// Each class's threshold: the mean probability of class j over the images labelled j
  /// (its expected self-confidence).
  public static func thresholds(_ p: [[Double]], labels: [Int], classes: Int) -> [Double] {
    var sum = [Double](repeating: 0, count: classes)
    var n = [Int](repeating: 0, count: classes)
    for (row, label) in zip(p, labels) where label < classes {
      sum[label] += row[label]
      n[label] += 1
    }
    return (0..<classes).map { n[$0] > 0 ? sum[$0] / Double(n[$0]) : 1 }
  }

  /// The class each image confidently belongs to, as cleanlab counts the confident joint:
  /// the classes whose probability reaches their threshold; of several, the most probable
  /// class; nil when none does.
  public static func confidentClasses(_ p: [[Double]], thresholds t: [Double]) -> [Int?] {
    p.map { row in
      let above = row.indices.filter { row[$0] >= t[$0] - 1e-6 }
      switch above.count {
      case 0: return nil
      case 1: return above[0]
      default: return argmax(row)
      }
    }
  }

  /// The images whose confident class is not their label (the confident joint's
  /// off-diagonal), most contradicted first.
  public static func issues(_ p: [[Double]], labels: [Int], classes: [String], paths: [String])
    -> [LabelIssue]
  {
    let t = thresholds(p, labels: labels, classes: classes.count)
    let confident = confidentClasses(p, thresholds: t)
    var out: [LabelIssue] = []
    for i in p.indices {
      guard let c = confident[i], c != labels[i] else { continue }
      out.append(
        LabelIssue(
          index: i, path: paths[i], given: classes[labels[i]], suggested: classes[c],
          score: p[i][c] - p[i][labels[i]], givenProbability: p[i][labels[i]],
          suggestedProbability: p[i][c]))
    }
    return out.sorted { ($0.score, $1.index) > ($1.score, $0.index) }
  }
}
