import Foundation

/// A GitHub-flavoured Markdown table with columns padded to line up in plain text.
///
/// ```
/// | class | precision | recall |
/// | :---- | --------: | -----: |
/// | cat   |      0.90 |   0.75 |
/// ```
public struct MarkdownTable: Sendable, Equatable, CustomStringConvertible {
  /// Column titles.
  public var headers: [String]
  /// Cells, row by row; short rows are padded with empty cells.
  public var rows: [[String]]
  /// Per-column alignment; columns without an entry are left-aligned.
  public var alignments: [ColumnAlignment]

  /// A table of `rows` under `headers`.
  public init(headers: [String], rows: [[String]], alignments: [ColumnAlignment] = []) {
    self.headers = headers
    self.rows = rows
    self.alignments = alignments
  }

  /// Escapes characters that would break the table: `|` and line breaks.
  static func escape(_ cell: String) -> String {
    cell.replacingOccurrences(of: "|", with: "\\|")
      .replacingOccurrences(of: "\r\n", with: "<br>")
      .replacingOccurrences(of: "\n", with: "<br>")
      .replacingOccurrences(of: "\r", with: "<br>")
  }

  /// The table as Markdown, one line per row, ending with a newline.
  public func render() -> String {
    let (columns, all) = rectangular(headers: headers, rows: rows)
    guard columns > 0 else { return "" }
    let cells = all.map { $0.map(Self.escape) }
    let align = (0..<columns).map { $0 < alignments.count ? alignments[$0] : .left }
    // At least 3 so the separator (":--", "--:", ":-:") is always valid.
    let widths = (0..<columns).map { c in max(3, cells.map { $0[c].count }.max() ?? 0) }
    func line(_ row: [String]) -> String {
      "| "
        + (0..<columns).map { align[$0].pad(row[$0], to: widths[$0]) }
        .joined(separator: " | ") + " |"
    }
    let separator = (0..<columns).map { c -> String in
      let w = widths[c]
      switch align[c] {
      case .left: return ":" + String(repeating: "-", count: w - 1)
      case .right: return String(repeating: "-", count: w - 1) + ":"
      case .center: return ":" + String(repeating: "-", count: w - 2) + ":"
      }
    }
    let lines =
      [line(cells[0]), "| " + separator.joined(separator: " | ") + " |"]
      + cells.dropFirst().map(line)
    return lines.joined(separator: "\n") + "\n"
  }

  /// Same as `render()`.
  public var description: String { render() }
}
