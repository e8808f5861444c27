/// One curve of a `LinePlot`.
public struct LineSeries: Sendable {
  /// Legend entry; series with empty names are left out of the legend.
  public var name: String
  /// Horizontal positions.
  public var x: [Double]
  /// Values; NaN marks a missing point.
  public var y: [Double]
  /// `nil` takes the next colour of `Palette.tab10`.
  public var color: RGB?
  /// Solid, dashed or dotted.
  public var style: LineStyle
  /// The symbol at each point; `.automatic` draws circles on series of at most 40 points.
  public var marker: Marker

  /// A series through the points `(x[i], y[i])`. Pairs beyond the shorter array are
  /// ignored; a non-finite `y` (a missing value) breaks the line.
  public init(
    name: String, x: [Double], y: [Double], color: RGB? = nil, style: LineStyle = .solid,
    marker: Marker = .automatic
  ) {
    self.name = name
    self.x = x
    self.y = y
    self.color = color
    self.style = style
    self.marker = marker
  }

  /// A series over x = 1, 2, 3, … (epochs).
  public init(
    name: String, y: [Double], color: RGB? = nil, style: LineStyle = .solid,
    marker: Marker = .automatic
  ) {
    self.init(
      name: name, x: y.indices.map { Double($0 + 1) }, y: y, color: color, style: style,
      marker: marker)
  }

  var points: [(Double, Double)] { Array(zip(x, y)) }
}

/// A line chart with axes, nice ticks, grid, legend and title: training curves.
///
/// ```swift
/// let plot = LinePlot(title: "Loss", xLabel: "epoch", yLabel: "loss", series: [
///   LineSeries(name: "train", y: trainLoss),
///   LineSeries(name: "val", y: valLoss, style: .dashed),
/// ])
/// try plot.render(width: 800, height: 500).write(to: url)
/// ```
public struct LinePlot: Sendable {
  /// Bold text above the plot; empty for none.
  public var title: String
  /// Title of the x axis.
  public var xLabel: String
  /// Title of the y axis (drawn vertically).
  public var yLabel: String
  /// Curves, drawn in order (later ones on top).
  public var series: [LineSeries]
  /// Fixed axis ranges; `nil` fits the data (the fitted range is widened to nice ticks).
  public var xRange: ClosedRange<Double>?
  public var yRange: ClosedRange<Double>?
  /// Glyph magnification; `nil` picks 1-3 from the canvas size.
  public var textScale: Int?

  /// A line plot; see the properties for each argument.
  public init(
    title: String, xLabel: String, yLabel: String, series: [LineSeries],
    xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
    textScale: Int? = nil
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.xRange = xRange
    self.yRange = yRange
    self.textScale = textScale
  }

  /// The x and y scales the plot uses.
  public func scales() -> (x: NiceScale, y: NiceScale) {
    let finite = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite }
    let xs = finite.map(\.0)
    let ys = finite.map(\.1)
    let integerX = !xs.isEmpty && xs.allSatisfy { $0 == $0.rounded() }
    let x = NiceScale(
      min: xRange?.lowerBound ?? xs.min() ?? 0, max: xRange?.upperBound ?? xs.max() ?? 1,
      maxTicks: 8, integerSteps: integerX, tight: true)
    let y = NiceScale(
      min: yRange?.lowerBound ?? ys.min() ?? 0, max: yRange?.upperBound ?? ys.max() ?? 1,
      maxTicks: 6)
    return (x, y)
  }

  /// Draws the plot on a new canvas.
  public func render(width: Int = 800, height: Int = 500) -> Canvas {
    var canvas = Canvas(width: width, height: height)
    let m = PlotMetrics.automatic(width: width, height: height, override: textScale)
    let (xScale, yScale) = scales()
    let plot = frame(width: width, height: height, xScale: xScale, yScale: yScale, metrics: m)
    guard plot.width > 4, plot.height > 4 else { return canvas }

    // The x axis is tight to the data, so inset it to keep end markers off the frame.
    let inset = Double(m.pad * 2)
    let xMap = LinearMap(
      domain: (xScale.lower, xScale.upper),
      range: (Double(plot.x) + inset, Double(plot.maxX - 1) - inset))
    let yMap = LinearMap(
      domain: (yScale.lower, yScale.upper), range: (Double(plot.maxY - 1), Double(plot.y)))

    canvas.drawValueAxis(yScale, map: yMap, plot: plot, right: false, grid: true, metrics: m)
    for (value, label) in zip(xScale.ticks, xScale.labels) {
      let x = Int(xMap(value).rounded())
      canvas.verticalLine(x: x, y0: plot.y, y1: plot.maxY - 1, color: .lightGray)
      canvas.verticalLine(
        x: x, y0: plot.maxY, y1: plot.maxY + m.tickLength - 1, color: .darkGray)
      canvas.drawText(
        label, at: x, plot.maxY + m.tickLength + m.pad, color: .darkGray, scale: m.textScale,
        horizontal: .center, vertical: .top)
    }

    // Data, clipped to the plot area (fixed ranges may cut series).
    var drawn: [CanvasPoint] = []
    var legend: [LegendEntry] = []
    canvas.clip = PixelRect(x: plot.x, y: plot.y, width: plot.width, height: plot.height)
    for (index, s) in series.enumerated() {
      let color = s.color ?? Palette.color(index)
      let marker = s.marker.resolved(count: s.points.count)
      var run: [CanvasPoint] = []
      func flush() {
        canvas.drawPolyline(run, color: color, width: Double(m.textScale), style: s.style)
        run.removeAll()
      }
      for (x, y) in s.points {
        guard x.isFinite, y.isFinite else {
          flush()
          continue
        }
        let p = CanvasPoint(xMap(x), yMap(y))
        run.append(p)
        drawn.append(p)
      }
      flush()
      for (x, y) in s.points where x.isFinite && y.isFinite {
        canvas.drawMarker(
          marker, at: CanvasPoint(xMap(x), yMap(y)), size: Double(3 * m.textScale + 1),
          color: color)
      }
      legend.append(LegendEntry(name: s.name, color: color, swatch: .line(s.style, marker)))
    }
    canvas.clip = nil

    canvas.strokeRect(
      PixelRect(x: plot.x - 1, y: plot.y - 1, width: plot.width + 2, height: plot.height + 2),
      color: .darkGray)
    if series.contains(where: { !$0.name.isEmpty }) {
      canvas.drawLegend(legend, in: plot, avoid: drawn, metrics: m)
    }
    canvas.drawTitle(title, over: plot, metrics: m)
    canvas.drawText(
      xLabel, at: plot.x + plot.width / 2, height - 1 - m.pad * 2, color: .black,
      scale: m.textScale, horizontal: .center, vertical: .bottom)
    canvas.drawAxisTitle(verticalAt: m.pad * 2, plot: plot, yLabel, m: m)
    return canvas
  }

  /// The plot area inside the margins that hold title, tick labels and axis titles.
  func frame(
    width: Int, height: Int, xScale: NiceScale, yScale: NiceScale, metrics m: PlotMetrics
  ) -> PixelRect {
    let yTickWidth = yScale.labels.map(m.textWidth).max() ?? 0
    let lastXLabel = xScale.labels.last.map(m.textWidth) ?? 0
    let top = title.isEmpty ? m.pad * 3 : m.pad * 4 + m.textHeight
    let left =
      m.pad * 2 + (yLabel.isEmpty ? 0 : m.textHeight + m.pad * 2) + yTickWidth
      + m.tickLength + m.pad
    let bottom =
      m.tickLength + m.pad + m.textHeight + (xLabel.isEmpty ? 0 : m.pad * 2 + m.textHeight)
      + m.pad * 2
    // Room for half of the last x tick label, which is centred on the right edge.
    let right = max(m.pad * 4, lastXLabel / 2 + m.pad * 2)
    return PixelRect(
      x: left, y: top, width: width - left - right, height: height - top - bottom)
  }
}
