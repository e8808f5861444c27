import Foundation

/// Mean and sample standard deviation (n - 1 in the denominator, 0 for a single value).
public struct MeanStd: Sendable, Equatable {
  /// Arithmetic mean.
  public let mean: Double
  /// Sample standard deviation (divides by n - 1).
  public let std: Double
  /// Number of finite values used.
  public let count: Int

  /// Statistics of the finite values of `values` (NaN when there are none).
  public init(_ values: [Double]) {
    let xs = values.filter(\.isFinite)
    count = xs.count
    guard !xs.isEmpty else {
      mean = .nan
      std = .nan
      return
    }
    let m = xs.reduce(0, +) / Double(xs.count)
    mean = m
    std =
      xs.count > 1
      ? (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot() : 0
  }

  /// "0.912 ± 0.015" with `fractionDigits` decimals; just the mean for a single value.
  public func formatted(fractionDigits: Int = 3) -> String {
    let m = NiceScale.format(mean, fractionDigits: fractionDigits)
    return count > 1 ? m + " ± " + NiceScale.format(std, fractionDigits: fractionDigits) : m
  }
}

/// Results of `ftune compare`: one entry per strategy (e.g. freeze depth), each run with
/// several seeds, summarised as tables and a bar chart with ± std error bars.
public struct Comparison: Sendable {
  /// One strategy's results over seeds.
  public struct Entry: Sendable {
    /// Category label, e.g. "13" or "block4_pool".
    public var name: String
    /// Final validation accuracy of each seed.
    public var accuracies: [Double]
    /// Training seconds (e.g. per epoch or in total) of each seed; may be empty.
    public var seconds: [Double]

    /// One strategy's per-seed results.
    public init(name: String, accuracies: [Double], seconds: [Double] = []) {
      self.name = name
      self.accuracies = accuracies
      self.seconds = seconds
    }
  }

  /// Strategies in display order.
  public var entries: [Entry]
  /// Name of what the entries vary, used as the first column and the x-axis label.
  public var parameter: String
  /// What `seconds` measures, used in headers and the right axis.
  public var secondsLabel: String

  /// A comparison of `entries`; see the properties for the labels.
  public init(
    entries: [Entry], parameter: String = "freeze", secondsLabel: String = "seconds per epoch"
  ) {
    self.entries = entries
    self.parameter = parameter
    self.secondsLabel = secondsLabel
  }

  private var hasSeconds: Bool { entries.contains { !$0.seconds.isEmpty } }

  /// Header and rows shared by the table formats.
  public func rows(fractionDigits: Int = 3) -> (header: [String], rows: [[String]]) {
    var header = [parameter, "val accuracy", "seeds"]
    if hasSeconds { header.append(secondsLabel) }
    let rows = entries.map { e -> [String] in
      let acc = MeanStd(e.accuracies)
      var row = [e.name, acc.formatted(fractionDigits: fractionDigits), String(acc.count)]
      if hasSeconds {
        let s = MeanStd(e.seconds)
        row.append(s.count == 0 ? "" : s.formatted(fractionDigits: 1))
      }
      return row
    }
    return (header, rows)
  }

  /// A Markdown table: strategy, accuracy mean ± std, seed count, time.
  public func markdown(fractionDigits: Int = 3) -> MarkdownTable {
    let (header, rows) = rows(fractionDigits: fractionDigits)
    return MarkdownTable(
      headers: header, rows: rows,
      alignments: [.left] + Array(repeating: .right, count: header.count - 1))
  }

  /// The same for a terminal.
  public func console(fractionDigits: Int = 3) -> ConsoleTable {
    let (header, rows) = rows(fractionDigits: fractionDigits)
    return ConsoleTable(
      headers: header, rows: rows,
      alignments: [.left] + Array(repeating: .right, count: header.count - 1))
  }

  /// Machine-readable: separate mean and std columns, full precision.
  public var csv: CSVTable {
    var header = [parameter, "val_accuracy_mean", "val_accuracy_std", "seeds"]
    if hasSeconds { header += ["seconds_mean", "seconds_std"] }
    let rows = entries.map { e -> [String] in
      let acc = MeanStd(e.accuracies)
      var row = [e.name, "\(acc.mean)", "\(acc.std)", String(acc.count)]
      if hasSeconds {
        let s = MeanStd(e.seconds)
        row += s.count == 0 ? ["", ""] : ["\(s.mean)", "\(s.std)"]
      }
      return row
    }
    return CSVTable(header: header, rows: rows)
  }

  /// Bars of mean accuracy ± std per strategy, with time on a right axis when recorded.
  public func plot(title: String = "Validation accuracy by freezing strategy") -> BarPlot {
    let acc = entries.map { MeanStd($0.accuracies) }
    let time = entries.map { MeanStd($0.seconds) }
    return BarPlot(
      title: title, xLabel: parameter, yLabel: "val accuracy",
      categories: entries.map(\.name),
      series: [
        BarSeries(name: "val accuracy", values: acc.map(\.mean), errors: acc.map(\.std))
      ],
      secondary: hasSeconds
        ? BarSeries(name: secondsLabel, values: time.map(\.mean), errors: time.map(\.std))
        : nil,
      yRange: 0...1)
  }
}
