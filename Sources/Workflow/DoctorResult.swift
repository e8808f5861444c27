import Foundation

/// Everything `ftune doctor` found, as doctor.json holds it (snake_case keys).
public struct DoctorResult: Sendable, Equatable, Codable {
  public var data: String
  /// How training and validation were told apart: "train/ and val/ folders" or the seeded
  /// `--val-split` split that `ftune` training would make.
  public var splitSource: String
  public var base: String
  public var cutLayer: String
  public var folds: Int
  public var seed: UInt64
  public var classes: [String]
  public var counts: [Int]
  /// Largest class over smallest.
  public var imbalanceRatio: Double
  public var quality: Quality
  /// Accuracy of the out-of-fold predictions the label checks use.
  public var outOfFoldAccuracy: Double
  public var labelIssues: [LabelIssue]
  public var nearThreshold: Double
  public var duplicates: [DuplicatePair]
  public var learningCurve: LearningCurve?
  public var featuresReused: Int
  public var featuresComputed: Int
  /// Seconds reading images and features, and for the analyses on them.
  public var featureSeconds: Double
  public var analysisSeconds: Double

  public struct Quality: Sendable, Equatable, Codable {
    /// Shorter side under `tinySide` pixels: enlarged more than 2x to the network's input.
    public var tinySide: Int
    public var tiny: [Flagged]
    /// Longer side over 3x the shorter: the centre crop or squash loses most of it.
    public var extremeAspect: [Flagged]
    /// Grey images in a mostly colour set (listed only then).
    public var grayscale: [Flagged]
    public var undecodable: [Flagged]
  }

  public struct Flagged: Sendable, Equatable, Codable {
    public var path: String
    public var note: String
  }

  public var acrossSplit: [DuplicatePair] { duplicates.filter(\.acrossSplit) }
  public var acrossClasses: [DuplicatePair] { duplicates.filter(\.acrossClasses) }

  public func json() throws -> Data {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(self)
  }

  /// The terminal summary: one paragraph per check, the findings named.
  public var summaryLines: [String] {
    var out: [String] = []
    let name = { (p: String) in Self.short(p, root: data) }
    out.append(
      "\(counts.reduce(0, +)) images in \(classes.count) classes: "
        + zip(classes, counts).map { "\($0) \($1)" }.joined(separator: ", ")
        + " (imbalance \(NiceFormat.fixed(imbalanceRatio, 1))x)")
    for (label, list) in [
      ("undecodable", quality.undecodable), ("tiny", quality.tiny),
      ("extreme aspect", quality.extremeAspect), ("grayscale", quality.grayscale),
    ] where !list.isEmpty {
      out.append("\(label): \(list.count): " + list.prefix(5).map { name($0.path) }.joined(separator: ", ")
        + (list.count > 5 ? ", ..." : ""))
    }
    out.append(
      "suspected label errors: \(labelIssues.count) (out-of-fold accuracy "
        + "\(NiceFormat.fixed(outOfFoldAccuracy, 3)), \(folds) folds)")
    for issue in labelIssues.prefix(20) {
      out.append(
        "  \(name(issue.path)): labelled \(issue.given), looks like \(issue.suggested)"
          + " (score \(NiceFormat.fixed(issue.score, 2)))")
    }
    if labelIssues.count > 20 { out.append("  ... (all in label_issues.csv)") }
    out.append(
      "duplicates: \(duplicates.count) pair(s), \(acrossSplit.count) across train/validation,"
        + " \(acrossClasses.count) across classes (near: cosine ≥ \(NiceFormat.fixed(nearThreshold, 2)))")
    for pair in duplicates.filter({ $0.acrossSplit || $0.acrossClasses }).prefix(20) {
      let across = [pair.acrossSplit ? "LEAK \(pair.splitA)/\(pair.splitB)" : nil,
                    pair.acrossClasses ? "classes \(pair.classA)/\(pair.classB)" : nil]
        .compactMap { $0 }.joined(separator: ", ")
      out.append(
        "  \(pair.kind.rawValue) \(NiceFormat.fixed(pair.similarity, 3)): \(name(pair.pathA))"
          + " = \(name(pair.pathB)) (\(across))")
    }
    if let curve = learningCurve {
      out.append(
        "learning curve (accuracy ± sd at " + curve.fractions.map { "\(Int(($0 * 100).rounded()))%" }
          .joined(separator: "/") + " of the training images): "
          + curve.accuracy.indices.map {
            NiceFormat.fixed(curve.accuracy[$0], 3) + "±" + NiceFormat.fixed(curve.spread[$0], 3)
          }.joined(separator: ", "))
      if let d = curve.doubled, let now = curve.accuracy.last {
        out.append(
          "  2x the images (\(Int(d.trainImages.rounded())) training): predicted accuracy "
            + "\(NiceFormat.fixed(d.accuracy, 3)) (\(Int((d.level * 100).rounded()))% interval "
            + "\(NiceFormat.fixed(d.low, 3))-\(NiceFormat.fixed(d.high, 3))), now "
            + NiceFormat.fixed(now, 3))
      }
      let needy = curve.classesNeedingData
      if !needy.isEmpty {
        out.append(
          "  classes still gaining from more photos: "
            + needy.map { "\($0.name) (+\(NiceFormat.fixed($0.gain, 2)) from 50% to 100%)" }
            .joined(separator: ", "))
      }
    }
    out.append(
      "features: \(featuresReused) reused, \(featuresComputed) computed, "
        + "\(NiceFormat.fixed(featureSeconds, 1)) s; analyses \(NiceFormat.fixed(analysisSeconds, 1)) s")
    return out
  }

  /// A path relative to the data folder when it lies inside it.
  static func short(_ path: String, root: String) -> String {
    let prefix = root.hasSuffix("/") ? root : root + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
  }
}
