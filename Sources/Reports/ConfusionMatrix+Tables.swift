import Foundation

extension ConfusionMatrix {
  /// The counts as CSV: a header `true\predicted,<classes…>`, then one row per true class.
  public var countsCSV: CSVTable {
    CSVTable(
      header: ["true\\predicted"] + classes,
      rows: classes.indices.map { [classes[$0]] + counts[$0].map(String.init) })
  }

  /// Per-class precision, recall, F1 and support, then macro averages and accuracy, as
  /// rows of `class, precision, recall, f1, support` with `fractionDigits` decimals.
  public func metricsRows(fractionDigits: Int = 3) -> (header: [String], rows: [[String]]) {
    let f = { (x: Double) in NiceScale.format(x, fractionDigits: fractionDigits) }
    var rows = classes.indices.map { c in
      [classes[c], f(precision(c)), f(recall(c)), f(f1(c)), String(support(c))]
    }
    rows.append(["macro avg", f(macroPrecision), f(macroRecall), f(macroF1), String(total)])
    rows.append(["accuracy", "", "", f(accuracy), String(total)])
    return (["class", "precision", "recall", "f1", "support"], rows)
  }

  /// `metricsRows` as CSV.
  public func metricsCSV(fractionDigits: Int = 3) -> CSVTable {
    let (header, rows) = metricsRows(fractionDigits: fractionDigits)
    return CSVTable(header: header, rows: rows)
  }

  /// `metricsRows` as a Markdown table, numbers right-aligned.
  public func metricsMarkdown(fractionDigits: Int = 3) -> MarkdownTable {
    let (header, rows) = metricsRows(fractionDigits: fractionDigits)
    return MarkdownTable(
      headers: header, rows: rows, alignments: [.left, .right, .right, .right, .right])
  }

  /// The counts as a Markdown table, rows true classes, columns predictions.
  public var countsMarkdown: MarkdownTable {
    MarkdownTable(
      headers: ["true \\ predicted"] + classes,
      rows: classes.indices.map { [classes[$0]] + counts[$0].map(String.init) },
      alignments: [.left] + classes.map { _ in .right })
  }
}
