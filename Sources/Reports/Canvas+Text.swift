/// Where a text's anchor point sits horizontally on the text's box.
public enum HorizontalAnchor: Sendable { case left, center, right }

/// Where a text's anchor point sits vertically on the text's box (capitals, descenders
/// excluded, so numbers and labels line up with tick marks).
public enum VerticalAnchor: Sendable { case top, middle, bottom }

/// Text direction on the canvas.
public enum TextOrientation: Sendable {
  case horizontal
  /// Rotated 90° counter-clockwise: reads bottom to top, as a y-axis label does.
  case vertical
}

extension Canvas {
  /// Draws one line of `text` with the built-in bitmap font.
  ///
  /// - Parameters:
  ///   - at: the anchor point; `horizontal`/`vertical` say which point of the text's
  ///     on-canvas box it is (for vertical text the box is the rotated one).
  ///   - scale: whole-number magnification of the 5×7 glyphs.
  ///   - bold: draws each glyph twice, one pixel apart (titles).
  public mutating func drawText(
    _ text: String, at x: Int, _ y: Int, color: RGB = .black, scale: Int = 1,
    horizontal: HorizontalAnchor = .left, vertical: VerticalAnchor = .top,
    orientation: TextOrientation = .horizontal, bold: Bool = false
  ) {
    let s = max(1, scale)
    let along = BitmapFont.width(of: text, scale: s) + (bold ? 1 : 0)
    let across = BitmapFont.capHeight(scale: s)
    let (boxW, boxH) = orientation == .horizontal ? (along, across) : (across, along)
    let left: Int
    switch horizontal {
    case .left: left = x
    case .center: left = x - boxW / 2
    case .right: left = x - boxW + 1
    }
    let top: Int
    switch vertical {
    case .top: top = y
    case .middle: top = y - boxH / 2
    case .bottom: top = y - boxH + 1
    }
    for pass in 0..<(bold ? 2 : 1) {
      var penX = pass
      for c in text {
        let glyph = BitmapFont.glyph(c)
        for (row, mask) in glyph.enumerated() where mask != 0 {
          for col in 0..<BitmapFont.glyphWidth where mask & (1 << (4 - col)) != 0 {
            // (u, v): pixel of the unrotated text line, u along the text, v down.
            let u = penX + col * s
            let v = row * s
            let cell: PixelRect
            if orientation == .horizontal {
              cell = PixelRect(x: left + u, y: top + v, width: s, height: s)
            } else {
              // Counter-clockwise: "down" in the text points right, "along" points up.
              cell = PixelRect(x: left + v, y: top + along - u - s, width: s, height: s)
            }
            fillRect(cell, color: color)
          }
        }
        penX += BitmapFont.advance * s
      }
    }
  }
}
