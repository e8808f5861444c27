/// A built-in 5×7 bitmap font (plus a descender row) for ASCII 32-126 and a few symbols,
/// scaled by whole factors. Characters it does not know are drawn as `?`.
public enum BitmapFont {
  /// Ink columns per glyph.
  public static let glyphWidth = 5
  /// Rows per glyph including the descender row.
  public static let glyphHeight = 8
  /// Rows from the top of a capital to the baseline.
  public static let capHeight = 7
  /// Horizontal distance from one glyph to the next at scale 1 (one column of spacing).
  public static let advance = 6

  /// A glyph as 8 row masks; bit 4 is the leftmost column.
  typealias Glyph = [UInt8]

  /// Parses one table entry; `nil` when it is not 8 groups of 5 `#`/`.` characters.
  static func parse(_ rows: String) -> Glyph? {
    let groups = rows.split(separator: " ")
    guard groups.count == glyphHeight else { return nil }
    var glyph = Glyph()
    for group in groups {
      guard group.count == glyphWidth else { return nil }
      var mask: UInt8 = 0
      for c in group {
        guard c == "#" || c == "." else { return nil }
        mask = (mask << 1) | (c == "#" ? 1 : 0)
      }
      glyph.append(mask)
    }
    return glyph
  }

  private static let blank = Glyph(repeating: 0, count: glyphHeight)

  static let ascii: [Glyph] = asciiRows.map { parse($0) ?? blank }
  static let extras: [Character: Glyph] = extraRows.compactMapValues { parse($0) }

  /// The glyph drawn for `c`.
  static func glyph(_ c: Character) -> Glyph {
    if let ascii = c.asciiValue, ascii >= 32, ascii <= 126 {
      return Self.ascii[Int(ascii) - 32]
    }
    if let extra = extras[c] { return extra }
    return ascii[Int(Character("?").asciiValue ?? 63) - 32]
  }

  /// Whether the font has its own glyph for `c` (others render as `?`).
  public static func hasGlyph(_ c: Character) -> Bool {
    if let a = c.asciiValue { return a >= 32 && a <= 126 }
    return extras[c] != nil
  }

  /// Width in pixels of `text` drawn at `scale` (no trailing spacing).
  public static func width(of text: String, scale: Int = 1) -> Int {
    let n = text.count
    return n == 0 ? 0 : (n * advance - 1) * max(1, scale)
  }

  /// Height in pixels of a line at `scale`, capitals only (descenders hang below).
  public static func capHeight(scale: Int = 1) -> Int { capHeight * max(1, scale) }
}
