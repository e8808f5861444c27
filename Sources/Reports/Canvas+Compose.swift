extension Canvas {
  /// Copies `other` onto this canvas with its top-left corner at `(x, y)` (clipped).
  public mutating func draw(_ other: Canvas, atX x: Int, y: Int) {
    for row in 0..<other.height {
      for col in 0..<other.width {
        blend(x: x + col, y: y + row, color: other[col, row], alpha: 1)
      }
    }
  }

  /// Canvases placed left to right, tops aligned, on a white canvas as tall as the tallest
  /// (e.g. loss and accuracy curves side by side in one PNG).
  public static func sideBySide(_ canvases: [Canvas]) -> Canvas {
    var out = Canvas(
      width: canvases.reduce(0) { $0 + $1.width }, height: canvases.map(\.height).max() ?? 0)
    var x = 0
    for c in canvases {
      out.draw(c, atX: x, y: 0)
      x += c.width
    }
    return out
  }
}
