import Augment
import Training

/// A head of the `ftune compare` grid (`--heads linear,mlp`).
public enum CompareHead: String, Sendable, Equatable, CaseIterable {
  /// Pooling, optional dropout, a softmax classifier.
  case linear
  /// Pooling, a hidden ReLU layer (`--hidden`, else 256 units), dropout, the classifier.
  case mlp

  /// Hidden units of `mlp` when `--hidden` is 0.
  public static let defaultHidden = 256

  /// The head for `classes` with the run's `--dropout` and `--hidden`.
  public func spec(classes: Int, settings s: TrainSettings) -> HeadSpec {
    HeadSpec(
      classes: classes, dropout: s.dropout > 0 ? s.dropout : nil,
      hidden: self == .mlp ? (s.hidden > 0 ? s.hidden : Self.defaultHidden) : nil,
      seed: s.training.seed)
  }
}

/// One augmentation set of the grid (`--augment-sets none,flip+crop,flip+crop+pca`).
public struct AugmentSet: Sendable, Equatable {
  /// Op names (`AugmentSpec.known`), in order; empty for `none`.
  public var ops: [String]

  public init(ops: [String]) { self.ops = ops }

  /// `none` or the ops joined with `+`, as the user writes it.
  public var name: String { ops.isEmpty ? "none" : ops.joined(separator: "+") }

  /// Parses `flip+crop+pca` (also `flip,crop` from `--augment`); `none` or empty is no
  /// augmentation. Unknown ops name the option they came from.
  public static func parse(_ text: String, option: String) throws -> AugmentSet {
    let ops = text.split(whereSeparator: { $0 == "+" || $0 == "," }).map {
      $0.trimmingCharacters(in: .whitespaces).lowercased()
    }.filter { !$0.isEmpty && $0 != "none" }
    for op in ops where !AugmentSpec.known.contains(op) {
      throw WorkflowError.badValue(
        option: option, value: text,
        hint: "'\(op)' is not an augmentation; use none or ops joined with '+' from"
          + " \(AugmentSpec.known.joined(separator: ", ")), e.g. flip+crop")
    }
    return AugmentSet(ops: ops)
  }
}

/// The heads and augmentation sets every freeze strategy is crossed with.
public struct CompareGrid: Sendable, Equatable {
  public var heads: [CompareHead]
  public var augmentSets: [AugmentSet]

  public init(heads: [CompareHead], augmentSets: [AugmentSet]) {
    self.heads = heads
    self.augmentSets = augmentSets
  }

  /// `--heads` and `--augment-sets` as given (nil or empty: the run's own `--hidden` head
  /// and `--augment` set only). Duplicates are dropped, first wins.
  public static func parse(heads: String?, augmentSets: String?, settings s: TrainSettings)
    throws -> CompareGrid
  {
    func items(_ text: String?, separator: Character) -> [String] {
      (text ?? "").split(separator: separator).map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty }
    }
    var hs: [CompareHead] = []
    for name in items(heads, separator: ",") {
      guard let h = CompareHead(rawValue: name.lowercased()) else {
        throw WorkflowError.badValue(
          option: "heads", value: heads ?? "", hint: "'\(name)' is not a head; use linear, mlp")
      }
      if !hs.contains(h) { hs.append(h) }
    }
    if hs.isEmpty { hs = [s.hidden > 0 ? .mlp : .linear] }
    var sets: [AugmentSet] = []
    for text in items(augmentSets, separator: ",") {
      let set = try AugmentSet.parse(text, option: "augment-sets")
      if !sets.contains(set) { sets.append(set) }
    }
    if sets.isEmpty { sets = [AugmentSet(ops: s.augment)] }
    return CompareGrid(heads: hs, augmentSets: sets)
  }

  /// True when the grid varies more than the freeze strategy.
  public var isGrid: Bool { heads.count > 1 || augmentSets.count > 1 }
}
