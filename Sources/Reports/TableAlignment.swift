/// How a table column aligns its cells.
public enum ColumnAlignment: Sendable, Equatable {
  case left, right, center

  /// `text` padded with spaces to `width` characters.
  func pad(_ text: String, to width: Int) -> String {
    let gap = max(0, width - text.count)
    switch self {
    case .left: return text + String(repeating: " ", count: gap)
    case .right: return String(repeating: " ", count: gap) + text
    case .center:
      let before = gap / 2
      return String(repeating: " ", count: before) + text
        + String(repeating: " ", count: gap - before)
    }
  }
}

/// Rows padded to a common column count (missing cells are empty).
func rectangular(headers: [String], rows: [[String]]) -> (columns: Int, rows: [[String]]) {
  let columns = max(headers.count, rows.map(\.count).max() ?? 0)
  let pad = { (r: [String]) in r + Array(repeating: "", count: columns - r.count) }
  return (columns, [pad(headers)] + rows.map(pad))
}
