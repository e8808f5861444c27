/// Maps data values linearly onto pixel positions.
struct LinearMap: Sendable {
  let domain: (Double, Double)
  let range: (Double, Double)

  func callAsFunction(_ v: Double) -> Double {
    let span = domain.1 - domain.0
    guard span != 0 else { return (range.0 + range.1) / 2 }
    return range.0 + (v - domain.0) / span * (range.1 - range.0)
  }
}

/// Sizes shared by every plot, all derived from one text scale so a plot rendered larger
/// keeps its proportions.
struct PlotMetrics: Sendable {
  let textScale: Int
  var pad: Int { 4 * textScale }
  var tickLength: Int { 3 * textScale }
  var textHeight: Int { BitmapFont.capHeight(scale: textScale) }

  /// Text scale 2 from 400 px upwards: 1-scale glyphs are hard to read on a full-size plot.
  static func automatic(width: Int, height: Int, override: Int?) -> PlotMetrics {
    if let override { return PlotMetrics(textScale: max(1, override)) }
    let side = min(width, height)
    return PlotMetrics(textScale: side >= 900 ? 3 : side >= 360 ? 2 : 1)
  }

  func textWidth(_ text: String) -> Int { BitmapFont.width(of: text, scale: textScale) }
}

/// An entry of a plot legend.
struct LegendEntry: Sendable {
  enum Swatch: Sendable {
    case line(LineStyle, Marker)
    case box
  }
  let name: String
  let color: RGB
  let swatch: Swatch
}

extension Canvas {
  /// Draws a plot title centred over `plot`, in bold, with its top at `y` (default: the top
  /// margin of the canvas).
  mutating func drawTitle(
    _ title: String, over plot: PixelRect, y: Int? = nil, metrics m: PlotMetrics
  ) {
    guard !title.isEmpty else { return }
    let center = plot.x + plot.width / 2
    // Keep a long title on the canvas instead of centring it off the left edge.
    let half = (m.textWidth(title) + 1) / 2
    let x = min(max(center, half + m.pad), width - half - m.pad)
    drawText(
      title, at: x, y ?? m.pad * 2, color: .black, scale: m.textScale,
      horizontal: .center, vertical: .top, bold: true)
  }

  /// Horizontal grid lines, tick marks and tick labels of a value axis on the left or right
  /// of `plot`.
  mutating func drawValueAxis(
    _ scale: NiceScale, map: LinearMap, plot: PixelRect, right: Bool, grid: Bool,
    metrics m: PlotMetrics
  ) {
    for (value, label) in zip(scale.ticks, scale.labels) {
      let y = Int(map(value).rounded())
      if grid {
        horizontalLine(x0: plot.x, x1: plot.maxX - 1, y: y, color: .lightGray)
      }
      if right {
        horizontalLine(x0: plot.maxX, x1: plot.maxX + m.tickLength - 1, y: y, color: .darkGray)
        drawText(
          label, at: plot.maxX + m.tickLength + m.pad / 2, y, color: .darkGray,
          scale: m.textScale, horizontal: .left, vertical: .middle)
      } else {
        horizontalLine(x0: plot.x - m.tickLength, x1: plot.x - 1, y: y, color: .darkGray)
        drawText(
          label, at: plot.x - m.tickLength - m.pad / 2 - 1, y, color: .darkGray,
          scale: m.textScale, horizontal: .right, vertical: .middle)
      }
    }
  }

  /// A vertical axis title, reading bottom to top, centred beside `plot` at column `x`.
  mutating func drawAxisTitle(verticalAt x: Int, plot: PixelRect, _ text: String, m: PlotMetrics) {
    guard !text.isEmpty else { return }
    drawText(
      text, at: x, plot.y + plot.height / 2, color: .black, scale: m.textScale,
      horizontal: .left, vertical: .middle, orientation: .vertical)
  }

  /// Draws a legend box with `entries` in the corner of `plot` that covers the fewest of
  /// `avoid` (data points in pixels); ties go to the upper right.
  mutating func drawLegend(
    _ entries: [LegendEntry], in plot: PixelRect, avoid: [CanvasPoint], metrics m: PlotMetrics
  ) {
    guard !entries.isEmpty else { return }
    let swatchWidth = 7 * m.pad
    let rowHeight = m.textHeight + 2 * m.pad
    let textWidth = entries.map { m.textWidth($0.name) }.max() ?? 0
    let boxW = m.pad * 3 + swatchWidth + textWidth + m.pad * 2
    let boxH = rowHeight * entries.count + m.pad
    let inset = m.pad * 2
    let corners = [
      (plot.maxX - inset - boxW, plot.y + inset),  // upper right
      (plot.x + inset, plot.y + inset),  // upper left
      (plot.maxX - inset - boxW, plot.maxY - inset - boxH),  // lower right
      (plot.x + inset, plot.maxY - inset - boxH),  // lower left
    ]
    var best = corners[0]
    var bestHits = Int.max
    for corner in corners {
      let box = PixelRect(x: corner.0, y: corner.1, width: boxW, height: boxH)
      let hits = avoid.filter {
        box.contains(x: Int($0.x.rounded()), y: Int($0.y.rounded()))
      }.count
      if hits < bestHits {
        best = corner
        bestHits = hits
      }
    }
    let box = PixelRect(x: best.0, y: best.1, width: boxW, height: boxH)
    fillRect(box, color: .white)
    strokeRect(box, color: .gray)
    for (i, entry) in entries.enumerated() {
      let cy = box.y + m.pad + i * rowHeight + rowHeight / 2
      let x0 = box.x + m.pad * 2
      switch entry.swatch {
      case .line(let style, let marker):
        drawPolyline(
          [CanvasPoint(Double(x0), Double(cy)), CanvasPoint(Double(x0 + swatchWidth), Double(cy))],
          color: entry.color, width: Double(m.textScale), style: style)
        drawMarker(
          marker, at: CanvasPoint(Double(x0 + swatchWidth / 2), Double(cy)),
          size: Double(3 * m.textScale + 1), color: entry.color)
      case .box:
        fillRect(
          PixelRect(
            x: x0 + swatchWidth / 4, y: cy - m.textHeight / 2, width: swatchWidth / 2,
            height: m.textHeight),
          color: entry.color)
      }
      drawText(
        entry.name, at: x0 + swatchWidth + m.pad, cy, color: .black, scale: m.textScale,
        horizontal: .left, vertical: .middle)
    }
  }
}

extension Canvas {
  /// The width of `entries` laid out in one row by `drawLegendRow`.
  static func legendRowWidth(_ entries: [LegendEntry], metrics m: PlotMetrics) -> Int {
    let swatch = 5 * m.pad
    let items = entries.map { swatch + m.pad + m.textWidth($0.name) }
    return items.reduce(0, +) + max(0, entries.count - 1) * m.pad * 5
  }

  /// A legend laid out in one row, centred on `centerX`, text middle at `y`; used where a
  /// box inside the plot would hide data (bars).
  mutating func drawLegendRow(
    _ entries: [LegendEntry], centerX: Int, y: Int, metrics m: PlotMetrics
  ) {
    let swatch = 5 * m.pad
    var x = centerX - Canvas.legendRowWidth(entries, metrics: m) / 2
    for entry in entries {
      switch entry.swatch {
      case .line(let style, let marker):
        drawPolyline(
          [CanvasPoint(Double(x), Double(y)), CanvasPoint(Double(x + swatch), Double(y))],
          color: entry.color, width: Double(m.textScale), style: style)
        drawMarker(
          marker, at: CanvasPoint(Double(x + swatch / 2), Double(y)),
          size: Double(3 * m.textScale + 1), color: entry.color)
      case .box:
        fillRect(
          PixelRect(x: x, y: y - m.textHeight / 2, width: swatch, height: m.textHeight),
          color: entry.color)
      }
      x += swatch + m.pad
      drawText(
        entry.name, at: x, y, color: .black, scale: m.textScale, horizontal: .left,
        vertical: .middle)
      x += m.textWidth(entry.name) + m.pad * 5
    }
  }

  /// Category names centred under slots of `slotWidth` starting at `x0`, horizontal when
  /// they fit and vertical (bottom to top) otherwise. Returns the height used.
  @discardableResult
  mutating func drawCategoryLabels(
    _ names: [String], x0: Double, slotWidth: Double, top: Int, metrics m: PlotMetrics,
    measureOnly: Bool = false
  ) -> Int {
    let widest = names.map(m.textWidth).max() ?? 0
    let vertical = Double(widest) > slotWidth - Double(m.pad)
    if !measureOnly {
      for (i, name) in names.enumerated() {
        let cx = Int((x0 + (Double(i) + 0.5) * slotWidth).rounded())
        drawText(
          name, at: cx, top, color: .black, scale: m.textScale, horizontal: .center,
          vertical: .top, orientation: vertical ? .vertical : .horizontal)
      }
    }
    return vertical ? widest : m.textHeight
  }
}
