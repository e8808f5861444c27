import Foundation
import Reports

extension CompareResult {
  /// compare.md: settings, table, verdict.
  public var markdown: String {
    let (h, r) = table()
    let t = MarkdownTable(headers: h, rows: r, alignments: Self.alignments)
    let scheme = crossValidated ? "\(folds)-fold stratified cross-validation" : "a fixed split"
    var total = ""
    if totalSeconds > 0 {
      total = " The whole comparison took \(NiceScale.format(totalSeconds, fractionDigits: 0)) s."
    }
    let notes: [String] = [
      "*fit s/fold* and *images/s* count fitting only: training images × epochs per second"
        + " (with cached features too: one feature row is one image).",
      "*features s* is the time spent getting the inputs ready over all folds: the first row"
        + " at a cut extracts features once per image, later rows and folds read the store.",
      "*inputs* says which rows trained on cached features. Strategies that fine-tune layers"
        + " before their cut cannot use the cache past it and train on images; a cached row"
        + " with an augmentation set trains on that many augmented variants per image.",
      "*peak MB* is the process's peak resident memory while the row ran.",
      "*epochs*: a head trained alone on cached features is cheap, so it gets at least"
        + " \(CompareWorkflow.headOnlyMinimumSteps) optimizer steps (more epochs than --epochs"
        + " when the training folds are small), on features standardized per channel with"
        + " the training fold's statistics; other rows train for --epochs.",
    ]
    let intro =
      "Validation accuracy and loss (mean ± std) over \(scheme), \(epochs) epoch(s) per fold;"
      + " every row uses the same folds.\(total)"
    var text = "# ftune compare\n\n" + Self.wrap(intro) + "\n\n"
    text += notes.map { Self.wrap("- " + $0, indent: "  ") + "\n" }.joined() + "\n"
    text += t.render() + "\n"
    text += summaryLines.map { $0 + "\n" }.joined()
    return text
  }

  /// `text` broken at spaces into lines of at most `width` characters (prose stays readable
  /// in a terminal); continuation lines start with `indent`.
  static func wrap(_ text: String, width: Int = 100, indent: String = "") -> String {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
      if !line.isEmpty && line.count + 1 + word.count > width {
        lines.append(line)
        line = indent + word
      } else {
        line += (line.isEmpty ? "" : " ") + word
      }
    }
    if !line.isEmpty { lines.append(line) }
    return lines.joined(separator: "\n")
  }

  private struct JSONStrategy: Encodable {
    var freeze: String
    var cut_layer: String
    var head: String
    var augment: String
    var trainable_params: Int
    var cached_features: Bool
    var inputs: String
    var accuracy_mean: Double
    var accuracy_std: Double
    var loss_mean: Double
    var loss_std: Double
    var seconds: Double
    var epochs: Int
    var images_per_second: Double
    var feature_seconds: Double
    var peak_rss_mb: Double
    var fold_accuracies: [Double]
  }

  private struct JSONReport: Encodable {
    var strategies: [JSONStrategy]
    var best: String?
    var best_head: String?
    var best_augment: String?
    var margin: Double?
    var within_noise: Bool?
    var folds: Int
    var cross_validated: Bool
    var epochs: Int
    var total_seconds: Double
  }

  /// compare.json: the documented keys per row (`freeze`, `trainable_params`,
  /// `accuracy_mean`, `accuracy_std`, `loss_mean`, `seconds`) plus `head`, `augment`,
  /// `images_per_second`, `peak_rss_mb` and more; `best` is the winning row's freeze.
  public func json() throws -> Data {
    let v = verdict
    let report = JSONReport(
      strategies: strategies.map {
        JSONStrategy(
          freeze: $0.freeze, cut_layer: $0.cutLayer, head: $0.head, augment: $0.augment,
          trainable_params: $0.trainableParams, cached_features: $0.cachedFeatures,
          inputs: $0.inputs.note, accuracy_mean: $0.accuracy.mean,
          accuracy_std: $0.accuracy.std, loss_mean: $0.loss.mean, loss_std: $0.loss.std,
          seconds: $0.seconds.mean, epochs: $0.epochs,
          images_per_second: $0.imagesPerSecond.mean,
          feature_seconds: $0.featureSeconds, peak_rss_mb: $0.peakRSSMB,
          fold_accuracies: $0.runs.map(\.accuracy))
      }, best: v?.best.freeze, best_head: v?.best.head, best_augment: v?.best.augment,
      margin: v?.margin, within_noise: v?.withinNoise, folds: folds,
      cross_validated: crossValidated, epochs: epochs, total_seconds: totalSeconds)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(report)
  }
}

extension CompareResult {
  /// report.html: the verdict with compare.png, the strategy table (winner highlighted),
  /// how to read it, and `settings`.
  func html(settings: [(String, String)]) -> HTMLReport {
    let (headers, rows) = table()
    let lines = summaryLines
    let verdict = lines.enumerated().map { i, line in
      HTML.paragraph(line, className: i == 0 ? "verdict" : line.hasPrefix("warning") ? "warning" : "note")
    }.joined()
    let scheme = crossValidated ? "\(folds)-fold stratified cross-validation" : "a fixed split"
    return HTMLReport(
      title: "ftune compare",
      subtitle: "Validation accuracy and loss (mean ± std) over \(scheme), \(epochs) epoch(s)"
        + " per fold · \(EvaluateWorkflow.timestamp())",
      sections: [
        .init(
          id: "winner", title: "Winner",
          body: verdict + HTML.figure(
            "compare.png", alt: "validation accuracy by strategy",
            caption: "Mean validation accuracy ± std per strategy (bars), fitting seconds per"
              + " fold (right axis).")),
        .init(
          id: "strategies", title: "Strategies",
          body: HTML.table(
            headers: headers, rows: rows, numeric: Set(4..<12),
            highlight: bestIndex.map { Set([$0]) } ?? [], className: "compact")
            + HTML.paragraph(
              "Files: compare.json, compare.md, folds.csv. The highlighted row is the winner.",
              className: "note")),
        .settings(settings),
      ])
  }
}
