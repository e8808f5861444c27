/// A plain-text table for terminals: columns two spaces apart, a dashed rule under the
/// header, no trailing spaces.
///
/// ```
/// freeze  val acc  time
/// ------  -------  ----
/// 0          0.81  12.5
/// ```
public struct ConsoleTable: Sendable, Equatable, CustomStringConvertible {
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

  /// The table as text, one line per row, ending with a newline.
  public func render() -> String {
    let (columns, all) = rectangular(headers: headers, rows: rows)
    guard columns > 0 else { return "" }
    // Line breaks inside a cell would break the grid; show them as spaces.
    let cells = all.map { $0.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") } }
    let align = (0..<columns).map { $0 < alignments.count ? alignments[$0] : .left }
    let widths = (0..<columns).map { c in cells.map { $0[c].count }.max() ?? 0 }
    func line(_ row: [String]) -> String {
      let text = (0..<columns).map { align[$0].pad(row[$0], to: widths[$0]) }
        .joined(separator: "  ")
      return String(text.reversed().drop { $0 == " " }.reversed())
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    return ([line(cells[0]), rule] + cells.dropFirst().map(line)).joined(separator: "\n") + "\n"
  }

  /// Same as `render()`.
  public var description: String { render() }
}
