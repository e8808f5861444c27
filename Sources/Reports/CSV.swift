import Foundation

/// Comma-separated values as RFC 4180 writes them: a field is quoted when it holds a comma,
/// a double quote, a line break, or leading/trailing spaces, and quotes inside are doubled.
/// Lines end with "\n" (Python's csv and pandas read both endings).
public struct CSVTable: Sendable, Equatable, CustomStringConvertible {
  /// The first record.
  public var header: [String]
  /// The records after the header (they may differ in length).
  public var rows: [[String]]

  /// A table of unquoted fields; quoting happens when rendering.
  public init(header: [String], rows: [[String]]) {
    self.header = header
    self.rows = rows
  }

  /// One field, quoted if needed.
  public static func field(_ value: String) -> String {
    let needsQuotes =
      value.contains { $0 == "," || $0 == "\"" || $0.isNewline }
      || value.first == " " || value.last == " "
    guard needsQuotes else { return value }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// One record: fields joined by commas, no line ending.
  public static func line(_ fields: [String]) -> String {
    fields.map(field).joined(separator: ",")
  }

  /// The whole table, header first, each record ending with "\n".
  public func render() -> String {
    ([header] + rows).map { Self.line($0) + "\n" }.joined()
  }

  /// Same as `render()`.
  public var description: String { render() }
}
