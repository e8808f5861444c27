import Foundation
import ImageIO
import Reports

/// What `ftune compare` measured, with its tables, plot and JSON.
public struct CompareResult: Sendable {
  /// One strategy trained and evaluated on one fold.
  public struct FoldRun: Sendable, Equatable {
    public var accuracy: Double
    public var loss: Double
    /// Wall time of fitting (feature extraction from the cache excluded).
    public var seconds: Double
    public var imagesPerSecond: Double
  }

  /// One strategy over all folds.
  public struct Strategy: Sendable {
    public var freeze: String
    public var cutLayer: String
    public var trainableParams: Int
    /// Trained on cached features at its cut.
    public var cachedFeatures: Bool
    public var runs: [FoldRun]

    public var accuracy: MeanStd { MeanStd(runs.map(\.accuracy)) }
    public var loss: MeanStd { MeanStd(runs.map(\.loss)) }
    public var seconds: MeanStd { MeanStd(runs.map(\.seconds)) }
    public var imagesPerSecond: MeanStd { MeanStd(runs.map(\.imagesPerSecond)) }
  }

  public var strategies: [Strategy]
  public var folds: Int
  public var crossValidated: Bool
  public var epochs: Int

  /// Index of the strategy with the highest mean accuracy (lowest loss breaks ties).
  public var bestIndex: Int? {
    strategies.indices.max { a, b in
      let (x, y) = (strategies[a], strategies[b])
      return x.accuracy.mean != y.accuracy.mean
        ? x.accuracy.mean < y.accuracy.mean : x.loss.mean > y.loss.mean
    }
  }

  /// The winner, its margin over the runner-up, and whether that margin is within the noise
  /// (the mean ± std intervals overlap).
  public var verdict: (best: String, margin: Double, withinNoise: Bool)? {
    guard let b = bestIndex else { return nil }
    let best = strategies[b]
    let others = strategies.indices.filter { $0 != b }.map { strategies[$0] }
    guard let second = others.max(by: { $0.accuracy.mean < $1.accuracy.mean }) else {
      return (best.freeze, 0, false)
    }
    let margin = best.accuracy.mean - second.accuracy.mean
    let overlap = best.accuracy.mean - best.accuracy.std <= second.accuracy.mean
      + second.accuracy.std
    return (best.freeze, margin, overlap)
  }

  /// The console/Markdown table rows.
  public func table() -> (headers: [String], rows: [[String]]) {
    let headers = [
      "freeze", "cut", "trainable params", "val accuracy", "val loss", "seconds", "images/s",
      "features",
    ]
    let rows = strategies.map { s -> [String] in
      [
        s.freeze, s.cutLayer.isEmpty ? "-" : s.cutLayer, "\(s.trainableParams)",
        s.accuracy.formatted(), s.loss.formatted(), s.seconds.formatted(fractionDigits: 1),
        s.imagesPerSecond.formatted(fractionDigits: 1),
        s.cachedFeatures
          ? "cached at cut" : s.cutLayer.isEmpty ? "images (nothing frozen)" : "images",
      ]
    }
    return (headers, rows)
  }

  /// The table for a terminal.
  public var console: ConsoleTable {
    let (h, r) = table()
    return ConsoleTable(
      headers: h, rows: r, alignments: [.left, .left] + Array(repeating: .right, count: 5) + [
        .left
      ])
  }

  /// The winner line and, when the margin is within the noise, a warning.
  public var summaryLines: [String] {
    guard let v = verdict else { return ["no strategies"] }
    var lines = [
      "best: --freeze \(v.best), by \(NiceScale.format(v.margin, fractionDigits: 3))"
        + " accuracy over the runner-up"
    ]
    if v.withinNoise {
      lines.append(
        "warning: the difference is within the noise (mean ± std intervals overlap over"
          + " \(folds) fold(s)); more folds or data are needed to tell them apart")
    }
    return lines
  }

  /// compare.md: settings line, table, verdict.
  public var markdown: String {
    let (h, r) = table()
    let t = MarkdownTable(
      headers: h, rows: r,
      alignments: [.left, .left] + Array(repeating: .right, count: 5) + [.left])
    let scheme = crossValidated ? "\(folds)-fold stratified cross-validation" : "a fixed split"
    return "# ftune compare\n\nValidation accuracy and loss (mean ± std) over \(scheme),"
      + " \(epochs) epoch(s) per fold. Strategies that fine-tune layers before their cut"
      + " cannot train on cached features. Seconds and images/s count fitting only: feature"
      + " extraction is done once per image and cut, shared by folds and strategies.\n\n"
      + t.render() + "\n"
      + summaryLines.map { $0 + "\n" }.joined()
  }

  /// compare.png: accuracy ± std per strategy with training seconds on the right axis.
  public var comparison: Comparison {
    Comparison(
      entries: strategies.map {
        Comparison.Entry(
          name: $0.freeze, accuracies: $0.runs.map(\.accuracy), seconds: $0.runs.map(\.seconds))
      }, parameter: "freeze", secondsLabel: "seconds per fold")
  }

  private struct JSONStrategy: Encodable {
    var freeze: String
    var cut_layer: String
    var trainable_params: Int
    var cached_features: Bool
    var accuracy_mean: Double
    var accuracy_std: Double
    var loss_mean: Double
    var loss_std: Double
    var seconds: Double
    var images_per_second: Double
    var fold_accuracies: [Double]
  }

  private struct JSONReport: Encodable {
    var strategies: [JSONStrategy]
    var best: String?
    var margin: Double?
    var within_noise: Bool?
    var folds: Int
    var cross_validated: Bool
    var epochs: Int
  }

  /// compare.json.
  public func json() throws -> Data {
    let v = verdict
    let report = JSONReport(
      strategies: strategies.map {
        JSONStrategy(
          freeze: $0.freeze, cut_layer: $0.cutLayer, trainable_params: $0.trainableParams,
          cached_features: $0.cachedFeatures, accuracy_mean: $0.accuracy.mean,
          accuracy_std: $0.accuracy.std, loss_mean: $0.loss.mean, loss_std: $0.loss.std,
          seconds: $0.seconds.mean, images_per_second: $0.imagesPerSecond.mean,
          fold_accuracies: $0.runs.map(\.accuracy))
      }, best: v?.best, margin: v?.margin, within_noise: v?.withinNoise, folds: folds,
      cross_validated: crossValidated, epochs: epochs)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(report)
  }

  /// Writes compare.json, compare.md and compare.png into `directory` (each atomically).
  public func write(to directory: URL) throws {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw WorkflowError.runDirectory(path: directory.path, reason: "\(error)")
    }
    try AtomicFile.write(try json(), to: directory.appendingPathComponent("compare.json").path)
    try AtomicFile.write(
      Data(markdown.utf8), to: directory.appendingPathComponent("compare.md").path)
    try comparison.plot().render().write(to: directory.appendingPathComponent("compare.png"))
  }
}
