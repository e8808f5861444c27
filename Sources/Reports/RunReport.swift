import Foundation

/// Everything Reports writes into a run directory, in one call.
///
/// `write(to:)` creates (atomically, each file):
/// - `curves.png`: loss and accuracy per epoch, train vs val;
/// - `confusion_matrix.png` and `confusion_matrix.csv`: counts on the validation set;
/// - `per_class_metrics.csv`: precision, recall, F1, support, macro averages, accuracy;
/// - `report.md`: the same numbers as Markdown tables, linking the images.
/// The per-epoch `metrics.csv` and `metrics.json` belong to the training loop, not here.
public struct RunReport: Sendable {
  /// Shown as the Markdown heading and in the plot titles (e.g. the run name).
  public var title: String
  /// Loss and accuracy histories.
  public var curves: TrainingCurves
  /// Validation (or test) confusion matrix; `nil` skips its files and section.
  public var confusion: ConfusionMatrix?

  /// A report of `curves` and, if given, `confusion`.
  public init(title: String, curves: TrainingCurves, confusion: ConfusionMatrix? = nil) {
    self.title = title
    self.curves = curves
    self.confusion = confusion
  }

  /// File names written by `write(to:)`.
  public enum FileName {
    public static let curves = "curves.png"
    public static let confusionPlot = "confusion_matrix.png"
    public static let confusionCSV = "confusion_matrix.csv"
    public static let perClassCSV = "per_class_metrics.csv"
    public static let markdown = "report.md"
  }

  /// The Markdown summary.
  public func markdown() -> String {
    var text = "# \(title.isEmpty ? "Run report" : title)\n\n"
    let last = { (xs: [Double]) in xs.last.map { NiceScale.format($0, fractionDigits: 4) } }
    var rows: [[String]] = []
    rows.append(["train", last(curves.trainLoss) ?? "", last(curves.trainAccuracy) ?? ""])
    if !curves.valLoss.isEmpty || !curves.valAccuracy.isEmpty {
      rows.append(["val", last(curves.valLoss) ?? "", last(curves.valAccuracy) ?? ""])
    }
    text += "## Final epoch\n\n"
    text += MarkdownTable(
      headers: ["split", "loss", "accuracy"], rows: rows, alignments: [.left, .right, .right]
    ).render()
    text += "\n![training curves](\(FileName.curves))\n"
    if let confusion {
      text += "\n## Per class\n\n" + confusion.metricsMarkdown().render()
      text += "\n## Confusion matrix (rows: true, columns: predicted)\n\n"
      text += confusion.countsMarkdown.render()
      text += "\n![confusion matrix](\(FileName.confusionPlot))\n"
    }
    return text
  }

  /// Writes the report files into `directory` (which must exist) and returns their URLs.
  @discardableResult
  public func write(to directory: URL) throws -> [URL] {
    var written: [URL] = []
    func put(_ name: String, _ data: Data) throws {
      let url = directory.appendingPathComponent(name)
      try writeAtomically(data, to: url)
      written.append(url)
    }
    var titled = curves
    titled.title = title
    try put(FileName.curves, titled.render().pngData())
    if let confusion {
      let plot = ConfusionMatrixPlot(
        matrix: confusion, title: title.isEmpty ? "Confusion matrix" : "\(title): confusion")
      try put(FileName.confusionPlot, plot.render().pngData())
      try put(FileName.confusionCSV, Data(confusion.countsCSV.render().utf8))
      try put(FileName.perClassCSV, Data(confusion.metricsCSV().render().utf8))
    }
    try put(FileName.markdown, Data(markdown().utf8))
    return written
  }
}
