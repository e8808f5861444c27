/// One set of bars of a `BarPlot`: a value per category and, optionally, a ± error.
public struct BarSeries: Sendable {
  /// Legend entry; empty for no legend.
  public var name: String
  /// One value per category (e.g. mean accuracy); non-finite values draw no bar.
  public var values: [Double]
  /// Half-lengths of the error bars (e.g. standard deviations); `nil` draws none.
  public var errors: [Double]?
  /// `nil` takes the next colour of `Palette.tab10`.
  public var color: RGB?

  /// A bar set; `errors[i]` is drawn as ±`errors[i]` around `values[i]`.
  public init(name: String, values: [Double], errors: [Double]? = nil, color: RGB? = nil) {
    self.name = name
    self.values = values
    self.errors = errors
    self.color = color
  }

  func value(_ i: Int) -> Double? {
    i < values.count && values[i].isFinite ? values[i] : nil
  }

  func error(_ i: Int) -> Double {
    guard let errors, i < errors.count, errors[i].isFinite else { return 0 }
    return abs(errors[i])
  }
}

/// Grouped bars with ± error bars, one group per category: `ftune compare` draws mean
/// validation accuracy (± std over seeds) per freeze depth, with the training time as an
/// optional second series on its own right-hand axis.
///
/// ```swift
/// BarPlot(title: "Accuracy vs freeze depth", xLabel: "freeze", yLabel: "val accuracy",
///         categories: ["0", "7", "13", "all"],
///         series: [BarSeries(name: "val accuracy", values: means, errors: stds)],
///         secondary: BarSeries(name: "time (s)", values: seconds),
///         secondaryLabel: "seconds per epoch")
/// ```
public struct BarPlot: Sendable {
  /// Bold text above the plot; empty for none.
  public var title: String
  /// Title of the category axis.
  public var xLabel: String
  /// Title of the left value axis.
  public var yLabel: String
  /// One group of bars per category, left to right.
  public var categories: [String]
  /// Bar sets on the left axis.
  public var series: [BarSeries]
  /// A bar set on its own right-hand axis (different unit, e.g. seconds).
  public var secondary: BarSeries?
  /// Title of the right-hand axis; `nil` uses the secondary series' name.
  public var secondaryLabel: String?
  /// Fixed left-axis range; `nil` fits the data and always includes zero.
  public var yRange: ClosedRange<Double>?
  /// Prints each value above its bar.
  public var showValues: Bool
  /// Glyph magnification; `nil` picks 1-3 from the canvas size.
  public var textScale: Int?

  /// A bar chart; see the properties for each argument.
  public init(
    title: String, xLabel: String, yLabel: String, categories: [String],
    series: [BarSeries], secondary: BarSeries? = nil, secondaryLabel: String? = nil,
    yRange: ClosedRange<Double>? = nil, showValues: Bool = true, textScale: Int? = nil
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.categories = categories
    self.series = series
    self.secondary = secondary
    self.secondaryLabel = secondaryLabel
    self.yRange = yRange
    self.showValues = showValues
    self.textScale = textScale
  }

  /// A value scale that includes zero and every value ± error. When no value is negative
  /// (times, accuracies) the axis starts at zero: a ± std bar reaching below it is cut at
  /// the axis rather than inventing negative seconds.
  static func scale(for sets: [BarSeries], count: Int, range: ClosedRange<Double>?) -> NiceScale {
    if let range { return NiceScale(min: range.lowerBound, max: range.upperBound) }
    var lo = 0.0
    var hi = 0.0
    var negative = false
    for s in sets {
      for i in 0..<count {
        guard let v = s.value(i) else { continue }
        negative = negative || v < 0
        lo = min(lo, v - s.error(i))
        hi = max(hi, v + s.error(i))
      }
    }
    if !negative { lo = 0 }
    return NiceScale(min: lo, max: hi == lo ? lo + 1 : hi, maxTicks: 6)
  }

  /// The left (primary) and right (secondary, if any) value scales.
  public func scales() -> (left: NiceScale, right: NiceScale?) {
    let n = categories.count
    let left = Self.scale(for: series, count: n, range: yRange)
    let right = secondary.map { Self.scale(for: [$0], count: n, range: nil) }
    return (left, right)
  }

  /// Draws the plot on a new canvas.
  public func render(width: Int = 800, height: Int = 500) -> Canvas {
    var canvas = Canvas(width: width, height: height)
    let m = PlotMetrics.automatic(width: width, height: height, override: textScale)
    let (leftScale, rightScale) = scales()
    let sets = series + (secondary.map { [$0] } ?? [])
    let colors = sets.indices.map { sets[$0].color ?? Palette.color($0) }
    var legend = zip(sets, colors).map {
      LegendEntry(name: $0.0.name, color: $0.1, swatch: .box)
    }
    if secondary != nil, let last = legend.popLast() {
      legend.append(LegendEntry(name: last.name + " (right)", color: last.color, swatch: .box))
    }
    let showLegend = sets.contains { !$0.name.isEmpty }

    // Margins: title, legend row, tick labels, category labels, axis titles.
    let rightTitle = secondaryLabel ?? secondary?.name ?? ""
    let tickWidth = { (s: NiceScale) in s.labels.map(m.textWidth).max() ?? 0 }
    let top =
      m.pad * 3 + (title.isEmpty ? 0 : m.textHeight + m.pad * 2)
      + (showLegend ? m.textHeight + m.pad * 3 : 0)
    let left =
      m.pad * 2 + (yLabel.isEmpty ? 0 : m.textHeight + m.pad * 2) + tickWidth(leftScale)
      + m.tickLength + m.pad
    let right =
      rightScale.map {
        m.tickLength + m.pad + tickWidth($0) + (rightTitle.isEmpty ? 0 : m.textHeight + m.pad * 2)
          + m.pad * 2
      } ?? m.pad * 4
    let plotWidth = width - left - right
    let slot = Double(plotWidth) / Double(max(1, categories.count))
    let labelHeight = canvas.drawCategoryLabels(
      categories, x0: Double(left), slotWidth: slot, top: 0, metrics: m, measureOnly: true)
    let bottom =
      m.tickLength + m.pad + labelHeight + (xLabel.isEmpty ? 0 : m.pad * 2 + m.textHeight)
      + m.pad * 2
    let plot = PixelRect(x: left, y: top, width: plotWidth, height: height - top - bottom)
    guard plot.width > 4, plot.height > 4, !categories.isEmpty else { return canvas }

    let range = (Double(plot.maxY - 1), Double(plot.y))
    let leftMap = LinearMap(domain: (leftScale.lower, leftScale.upper), range: range)
    let rightMap = rightScale.map { LinearMap(domain: ($0.lower, $0.upper), range: range) }
    canvas.drawValueAxis(leftScale, map: leftMap, plot: plot, right: false, grid: true, metrics: m)
    if let rightScale, let rightMap {
      canvas.drawValueAxis(
        rightScale, map: rightMap, plot: plot, right: true, grid: false, metrics: m)
    }

    // Bars: each category's group fills 88% of its slot.
    let barWidth = slot * 0.88 / Double(sets.count)
    let labelScale = valueLabelScale(sets: sets, barWidth: barWidth, metrics: m)
    for (k, s) in sets.enumerated() {
      let isSecondary = secondary != nil && k == sets.count - 1
      guard let map = isSecondary ? rightMap : leftMap else { continue }
      let scale = isSecondary ? rightScale ?? leftScale : leftScale
      for i in categories.indices {
        guard let v = s.value(i) else { continue }
        let x0 = Double(plot.x) + Double(i) * slot + slot * 0.06 + Double(k) * barWidth
        let xa = Int(x0.rounded())
        let xb = Int((x0 + barWidth).rounded()) - 1
        let y0 = map(max(min(0, scale.upper), scale.lower))
        let y1 = map(v)
        let ya = Int(min(y0, y1).rounded())
        let yb = Int(max(y0, y1).rounded())
        // Bars and error bars stay inside the plot when a fixed range cuts them.
        canvas.clip = plot
        canvas.fillRect(
          PixelRect(x: xa, y: ya, width: max(1, xb - xa), height: max(1, yb - ya + 1)),
          color: colors[k])
        let cx = Double(xa + xb) / 2
        let e = s.error(i)
        if e > 0 {
          // Axis-aligned, so drawn crisp on whole pixels rather than anti-aliased.
          let x = (xa + xb) / 2
          let top = Int(map(v + e).rounded())
          let bottom = Int(map(v - e).rounded())
          let cap = max(m.pad, Int(barWidth * 0.25))
          canvas.verticalLine(x: x, y0: top, y1: bottom, color: .black, thickness: m.textScale)
          for y in [top, bottom] {
            canvas.horizontalLine(
              x0: x - cap, x1: x + cap, y: y, color: .black, thickness: m.textScale)
          }
        }
        canvas.clip = nil
        if showValues, let labelScale {
          drawValueLabel(
            v, error: e, scale: scale, map: map, x: Int(cx.rounded()), barWidth: barWidth,
            bar: (ya, yb), plot: plot, textScale: labelScale, on: &canvas)
        }
      }
    }

    // Zero line, frame, labels.
    if leftScale.lower < 0, leftScale.upper > 0 {
      canvas.horizontalLine(
        x0: plot.x, x1: plot.maxX - 1, y: Int(leftMap(0).rounded()), color: .darkGray)
    }
    canvas.strokeRect(
      PixelRect(x: plot.x - 1, y: plot.y - 1, width: plot.width + 2, height: plot.height + 2),
      color: .darkGray)
    canvas.drawCategoryLabels(
      categories, x0: Double(plot.x), slotWidth: slot, top: plot.maxY + m.tickLength + m.pad,
      metrics: m)
    canvas.drawTitle(title, over: plot, metrics: m)
    if showLegend {
      let y = m.pad * 2 + (title.isEmpty ? 0 : m.textHeight + m.pad * 2) + m.textHeight / 2
      canvas.drawLegendRow(legend, centerX: plot.x + plot.width / 2, y: y + m.pad, metrics: m)
    }
    canvas.drawText(
      xLabel, at: plot.x + plot.width / 2, height - 1 - m.pad * 2, color: .black,
      scale: m.textScale, horizontal: .center, vertical: .bottom)
    canvas.drawAxisTitle(verticalAt: m.pad * 2, plot: plot, yLabel, m: m)
    if !rightTitle.isEmpty, rightScale != nil {
      canvas.drawAxisTitle(
        verticalAt: width - m.pad * 2 - m.textHeight, plot: plot, rightTitle, m: m)
    }
    return canvas
  }

  /// The text of the value label of `v` on an axis with `scale`.
  static func valueLabel(_ v: Double, scale: NiceScale) -> String {
    NiceScale.format(v, fractionDigits: scale.fractionDigits + 1)
  }

  /// One text scale for every value label: the largest at which all of them are narrower
  /// than a bar (so neighbours never touch); `nil` when none fits.
  func valueLabelScale(sets: [BarSeries], barWidth: Double, metrics m: PlotMetrics) -> Int? {
    let (left, right) = scales()
    var widest = 0
    for (k, s) in sets.enumerated() {
      let scale = secondary != nil && k == sets.count - 1 ? right ?? left : left
      for i in categories.indices {
        guard let v = s.value(i) else { continue }
        widest = max(widest, Self.valueLabel(v, scale: scale).count)
      }
    }
    let label = String(repeating: "0", count: widest)
    return (1...m.textScale).reversed().first {
      Double(BitmapFont.width(of: label, scale: $0) + 2 * $0) <= barWidth
    }
  }

  /// Prints `v` beyond the end of its bar (past the error bar) when there is room inside
  /// the plot, else inside the bar's end in white, else not at all.
  func drawValueLabel(
    _ v: Double, error e: Double, scale: NiceScale, map: LinearMap, x: Int, barWidth: Double,
    bar: (top: Int, bottom: Int), plot: PixelRect, textScale s: Int, on canvas: inout Canvas
  ) {
    let label = Self.valueLabel(v, scale: scale)
    let gap = 3 * s  // clear of the error bar cap (s pixels thick)
    let need = BitmapFont.capHeight(scale: s) + gap
    // The error bar's end inside the bar.
    let inner = Int(map(v >= 0 ? v - e : v + e).rounded())
    if v >= 0 {
      let end = Int(map(v + e).rounded())
      if end - plot.y >= need {
        canvas.drawText(
          label, at: x, end - gap, scale: s, horizontal: .center, vertical: .bottom)
      } else if bar.bottom - max(bar.top, inner) >= need + gap {
        // Inside the bar, below the error bar's lower cap.
        canvas.drawText(
          label, at: x, max(bar.top, inner) + gap, color: .white, scale: s,
          horizontal: .center, vertical: .top)
      }
    } else {
      let end = Int(map(v - e).rounded())
      if plot.maxY - end >= need {
        canvas.drawText(label, at: x, end + gap, scale: s, horizontal: .center, vertical: .top)
      } else if min(bar.bottom, inner) - bar.top >= need + gap {
        canvas.drawText(
          label, at: x, min(bar.bottom, inner) - gap, color: .white, scale: s,
          horizontal: .center, vertical: .bottom)
      }
    }
  }
}
