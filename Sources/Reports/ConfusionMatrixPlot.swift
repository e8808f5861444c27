/// A confusion-matrix heat map: rows are true classes, columns predictions; each cell's
/// colour is its share of the row (so recall reads off the diagonal whatever the class
/// sizes), and shows its count and, when there is room, that share in percent.
public struct ConfusionMatrixPlot: Sendable {
  /// The counts to draw.
  public var matrix: ConfusionMatrix
  /// Bold text above the grid; empty for none.
  public var title: String
  /// Glyph magnification; `nil` picks 1-3 from the canvas size.
  public var textScale: Int?

  /// A heat map of `matrix`.
  public init(matrix: ConfusionMatrix, title: String = "Confusion matrix", textScale: Int? = nil) {
    self.matrix = matrix
    self.title = title
    self.textScale = textScale
  }

  /// The colour of cell `(t, p)`.
  public func cellColor(trueClass t: Int, predicted p: Int) -> RGB {
    Palette.blues(matrix.rowNormalized[t][p])
  }

  /// Draws the plot on a new canvas (square canvases suit it best).
  public func render(width: Int = 600, height: Int = 600) -> Canvas {
    var canvas = Canvas(width: width, height: height)
    let m = PlotMetrics.automatic(width: width, height: height, override: textScale)
    let n = matrix.classes.count
    let maxName = max(m.textWidth("MMMMMM"), min(width, height) / 4)
    let names = matrix.classes.map { truncate($0, to: maxName, metrics: m) }
    let nameWidth = names.map(m.textWidth).max() ?? 0
    let colorBarWidth = 4 * m.pad
    let colorBarLabels = m.textWidth("100%")

    let top = m.pad * 3 + (title.isEmpty ? 0 : m.textHeight + m.pad * 3)
    let left = m.pad * 2 + m.textHeight + m.pad * 3 + nameWidth + m.pad * 2
    let right = m.pad * 4 + colorBarWidth + m.pad * 2 + colorBarLabels + m.pad * 2
    // Column names go vertical when they do not fit a cell; reserve for the worse case
    // first, then recompute with the real cell size.
    func bottom(vertical: Bool) -> Int {
      m.pad * 2 + (vertical ? nameWidth : m.textHeight) + m.pad * 3 + m.textHeight + m.pad * 2
    }
    var cell = max(1, min(width - left - right, height - top - bottom(vertical: true)) / max(1, n))
    let vertical = names.map(m.textWidth).max() ?? 0 > cell - m.pad
    if !vertical {
      cell = max(1, min(width - left - right, height - top - bottom(vertical: false)) / max(1, n))
    }
    let gridSide = cell * n
    // Centre the grid in the space left for it.
    let gridX = left + max(0, (width - left - right - gridSide) / 2)
    let gridY = top + max(0, (height - top - bottom(vertical: vertical) - gridSide) / 2)
    let grid = PixelRect(x: gridX, y: gridY, width: gridSide, height: gridSide)

    for t in 0..<n {
      for p in 0..<n {
        let rect = PixelRect(x: grid.x + p * cell, y: grid.y + t * cell, width: cell, height: cell)
        let fill = cellColor(trueClass: t, predicted: p)
        canvas.fillRect(rect, color: fill)
        let ink: RGB = fill.luminance < 0.45 ? .white : .black
        let count = String(matrix.counts[t][p])
        let share = NiceScale.format(matrix.rowNormalized[t][p] * 100, fractionDigits: 0) + "%"
        let cx = rect.x + cell / 2
        let cy = rect.y + cell / 2
        let fitsTwo =
          cell >= 2 * m.textHeight + 3 * m.pad && m.textWidth(share) <= cell - m.pad
        if fitsTwo {
          canvas.drawText(
            count, at: cx, cy - m.pad / 2, color: ink, scale: m.textScale, horizontal: .center,
            vertical: .bottom, bold: true)
          canvas.drawText(
            share, at: cx, cy + m.pad / 2 + 1, color: ink, scale: m.textScale,
            horizontal: .center, vertical: .top)
        } else if let s = (1...m.textScale).reversed().first(where: {
          BitmapFont.width(of: count, scale: $0) <= cell - 4 * $0
            && BitmapFont.capHeight(scale: $0) <= cell - 4 * $0
        }) {
          // Smaller glyphs before giving up: the diagonal counts matter most.
          canvas.drawText(
            count, at: cx, cy, color: ink, scale: s, horizontal: .center, vertical: .middle)
        }
      }
    }
    // Thin white lines between cells keep equal colours apart.
    for i in 1..<max(1, n) {
      canvas.verticalLine(x: grid.x + i * cell, y0: grid.y, y1: grid.maxY - 1, color: .white)
      canvas.horizontalLine(x0: grid.x, x1: grid.maxX - 1, y: grid.y + i * cell, color: .white)
    }
    canvas.strokeRect(
      PixelRect(x: grid.x - 1, y: grid.y - 1, width: grid.width + 2, height: grid.height + 2),
      color: .darkGray)

    // Class names: true classes left of the rows, predictions under the columns.
    for (i, name) in names.enumerated() {
      canvas.drawText(
        name, at: grid.x - m.pad * 2, grid.y + i * cell + cell / 2, color: .black,
        scale: m.textScale, horizontal: .right, vertical: .middle)
    }
    canvas.drawCategoryLabels(
      names, x0: Double(grid.x), slotWidth: Double(cell), top: grid.maxY + m.pad * 2, metrics: m)
    let namesHeight = vertical ? nameWidth : m.textHeight
    canvas.drawText(
      "predicted", at: grid.x + gridSide / 2, grid.maxY + m.pad * 5 + namesHeight,
      color: .black, scale: m.textScale, horizontal: .center, vertical: .top)
    canvas.drawAxisTitle(
      verticalAt: grid.x - m.pad * 5 - nameWidth - m.textHeight, plot: grid, "true", m: m)
    canvas.drawTitle(title, over: grid, y: grid.y - m.pad * 3 - m.textHeight, metrics: m)

    // Colour bar: share of the row, 0% at the bottom.
    let bar = PixelRect(x: grid.maxX + m.pad * 4, y: grid.y, width: colorBarWidth, height: gridSide)
    for y in 0..<bar.height {
      let t = bar.height > 1 ? 1 - Double(y) / Double(bar.height - 1) : 0
      canvas.horizontalLine(
        x0: bar.x, x1: bar.maxX - 1, y: bar.y + y, color: Palette.blues(t))
    }
    canvas.strokeRect(bar, color: .darkGray)
    for (t, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
      let y = bar.maxY - 1 - Int((t * Double(bar.height - 1)).rounded())
      canvas.horizontalLine(x0: bar.maxX, x1: bar.maxX + m.tickLength - 1, y: y, color: .darkGray)
      canvas.drawText(
        label, at: bar.maxX + m.tickLength + m.pad / 2, y, color: .darkGray, scale: m.textScale,
        horizontal: .left, vertical: .middle)
    }
    return canvas
  }
}

/// `text` cut to fit `maxWidth` pixels by replacing its middle with "…", so names that
/// differ only at the end ("class_10", "class_11") stay distinct.
func truncate(_ text: String, to maxWidth: Int, metrics m: PlotMetrics) -> String {
  guard m.textWidth(text) > maxWidth else { return text }
  let chars = Array(text)
  var keep = chars.count - 1
  while keep > 0 {
    let head = (keep + 1) / 2
    let candidate = String(chars.prefix(head)) + "…" + String(chars.suffix(keep - head))
    if m.textWidth(candidate) <= maxWidth { return candidate }
    keep -= 1
  }
  return "…"
}
