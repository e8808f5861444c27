import Foundation
import Reports
import TensorCore

/// The train/validation index sets every strategy of `ftune compare` is trained and
/// evaluated on: the same folds for every strategy, so their scores differ only by strategy.
public struct CompareFolds: Sendable, Equatable {
  /// One split: sample indices for training and for validation (disjoint, sorted).
  public struct Fold: Sendable, Equatable {
    public var train: [Int]
    public var validation: [Int]
  }

  /// The folds, in order.
  public var folds: [Fold]

  /// Stratified K-fold: within each class the samples are shuffled with a generator derived
  /// from `seed` and the class, then dealt round-robin over the folds (each class continuing
  /// where the previous one stopped, so fold sizes differ by at most one). Every sample is
  /// in exactly one validation fold.
  public static func stratified(labels: [Int], k: Int, seed: UInt64) throws -> CompareFolds {
    guard k >= 2, k <= labels.count else {
      throw WorkflowError.badValue(
        option: "cv", value: "\(k)",
        hint: "use a fold count from 2 to the number of images (\(labels.count))")
    }
    var assignment = [Int](repeating: 0, count: labels.count)
    let base = SeededRNG(seed: seed)
    var next = 0
    for label in Set(labels).sorted() {
      var members = labels.indices.filter { labels[$0] == label }
      var rng = base.derived(UInt64(label))
      members.shuffle(using: &rng)
      for i in members {
        assignment[i] = next % k
        next += 1
      }
    }
    let folds = (0..<k).map { f in
      Fold(
        train: labels.indices.filter { assignment[$0] != f },
        validation: labels.indices.filter { assignment[$0] == f })
    }
    return CompareFolds(folds: folds)
  }

  /// A single fixed split: `validation` are the held-out indices, the rest train.
  public static func fixed(count: Int, validation: Set<Int>) -> CompareFolds {
    CompareFolds(folds: [
      Fold(
        train: (0..<count).filter { !validation.contains($0) },
        validation: (0..<count).filter { validation.contains($0) })
    ])
  }
}

extension CompareFolds {
  /// `folds.csv`: one line per image, `path,class,label,fold`, where `fold` is the (0-based)
  /// fold whose validation set holds the image (-1: training only, in a fixed split). With
  /// it another tool (benchmarks/compare_baseline.py) can score on exactly these folds.
  public func csv(paths: [String], labels: [Int], classes: [String]) -> CSVTable {
    var fold = [Int](repeating: -1, count: paths.count)
    for (f, split) in folds.enumerated() {
      for i in split.validation where i < fold.count { fold[i] = f }
    }
    let rows = paths.indices.map { i -> [String] in
      let label = labels[i]
      let path = URL(fileURLWithPath: paths[i]).standardizedFileURL.path
      return [path, label < classes.count ? classes[label] : "", "\(label)", "\(fold[i])"]
    }
    return CSVTable(header: ["path", "class", "label", "fold"], rows: rows)
  }
}
