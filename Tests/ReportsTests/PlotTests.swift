import Testing

@testable import Reports

@Suite struct LinePlotTests {
  let red = RGB(220, 0, 0)
  let blue = RGB(0, 0, 220)

  /// Coverage-weighted mean row of a pure-hue line in column `x`: `channel` picks the
  /// colour channel that is 0 in the line colour, so its value over white gives coverage.
  func lineCentre(column x: Int, in c: Canvas, rows: Range<Int>, channel: KeyPath<RGB, UInt8>)
    -> Double?
  {
    var weight = 0.0
    var sum = 0.0
    for y in rows {
      let a = 1 - Double(c[x, y][keyPath: channel]) / 255
      weight += a
      sum += a * Double(y)
    }
    return weight > 0.5 ? sum / weight : nil
  }

  @Test func seriesAreDrawnAtTheirValuesInTheirColours() {
    // Colours with a zero channel so anti-aliased coverage can be read back exactly.
    let red = RGB(255, 0, 0)
    let blue = RGB(0, 0, 255)
    let plot = LinePlot(
      title: "t", xLabel: "epoch", yLabel: "acc",
      series: [
        LineSeries(name: "", y: Array(repeating: 0.75, count: 5), color: red, marker: .none),
        LineSeries(name: "", y: Array(repeating: 0.25, count: 5), color: blue, marker: .none),
      ], yRange: 0...1, textScale: 1)
    let c = plot.render(width: 400, height: 300)
    let (xs, ys) = plot.scales()
    #expect(ys.lower == 0 && ys.upper == 1)
    let area = plot.frame(
      width: 400, height: 300, xScale: xs, yScale: ys, metrics: PlotMetrics(textScale: 1))
    // y = v maps to row maxY-1 - v * (height-1); the line's centre must sit there to within
    // a tenth of a pixel, across the middle of the plot, in its own colour.
    let redY = Double(area.maxY - 1) - 0.75 * Double(area.height - 1)
    let blueY = Double(area.maxY - 1) - 0.25 * Double(area.height - 1)
    let middle = stride(from: area.x + area.width / 4, to: area.maxX - area.width / 4, by: 7)
    // Skip columns on a vertical grid line, whose grey would read as partial coverage.
    for x in middle where c[x, Int(redY) - 10] == .white {
      let r = lineCentre(
        column: x, in: c, rows: Int(redY) - 3..<Int(redY) + 4, channel: \.g)
      let b = lineCentre(
        column: x, in: c, rows: Int(blueY) - 3..<Int(blueY) + 4, channel: \.r)
      #expect(
        r.map { abs($0 - redY) < 0.1 } == true, "red at column \(x): \(String(describing: r))")
      #expect(
        b.map { abs($0 - blueY) < 0.1 } == true, "blue at column \(x): \(String(describing: b))")
      // Pure hue: red over white keeps g == b, blue keeps r == g.
      let onRed = c[x, Int(redY.rounded())]
      let onBlue = c[x, Int(blueY.rounded())]
      #expect(onRed.r == 255 && onRed.g == onRed.b && onRed.g < 128)
      #expect(onBlue.b == 255 && onBlue.r == onBlue.g && onBlue.r < 128)
    }
    // Nothing else in the plot area is red or blue (no legend without names).
    let stray = pixels(of: red, in: c) + pixels(of: blue, in: c)
    #expect(stray.allSatisfy { abs(Double($0.y) - redY) < 1 || abs(Double($0.y) - blueY) < 1 })
  }

  @Test func legendShowsEachSeriesColourWhenNamed() {
    let plot = LinePlot(
      title: "", xLabel: "", yLabel: "",
      series: [
        LineSeries(name: "train", y: [0.9, 0.9], color: red, marker: .none),
        LineSeries(name: "val", y: [0.1, 0.1], color: blue, marker: .none),
      ], yRange: 0...1, textScale: 2)
    let c = plot.render(width: 600, height: 400)
    let redRows = Set(pixels(of: red, in: c).map(\.y))
    let blueRows = Set(pixels(of: blue, in: c).map(\.y))
    // Besides each line's own row, a swatch row in the legend box.
    #expect(redRows.count >= 2 && blueRows.count >= 2)
    #expect(count(of: .black, in: c) > 0)  // legend text
  }

  @Test func risingSeriesRisesLeftToRight() {
    let plot = LinePlot(
      title: "", xLabel: "", yLabel: "",
      series: [LineSeries(name: "", x: [0, 10], y: [0, 10], color: red, marker: .none)],
      textScale: 1)
    let c = plot.render(width: 300, height: 300)
    let hits = pixels(of: red, in: c)
    let left = hits.filter { $0.x < 100 }.map(\.y)
    let right = hits.filter { $0.x > 200 }.map(\.y)
    #expect(!left.isEmpty && !right.isEmpty)
    #expect((left.min() ?? 0) > (right.max() ?? 0))  // larger y = lower on screen
  }

  @Test func dataOutsideAFixedRangeIsClippedToThePlot() {
    let plot = LinePlot(
      title: "", xLabel: "", yLabel: "",
      series: [LineSeries(name: "", y: [0.5, 3, -2, 0.5], color: red, marker: .circle)],
      yRange: 0...1, textScale: 1)
    let c = plot.render(width: 300, height: 200)
    let (xs, ys) = plot.scales()
    let area = plot.frame(
      width: 300, height: 200, xScale: xs, yScale: ys, metrics: PlotMetrics(textScale: 1))
    let hits = pixels(of: red, in: c)
    #expect(!hits.isEmpty)
    #expect(hits.allSatisfy { area.contains(x: $0.x, y: $0.y) })
  }

  @Test func missingValuesBreakTheLine() {
    let series = LineSeries(name: "", y: [0.5, .nan, 0.5], color: red, marker: .none)
    // Text scale 2 draws 2-pixel lines, whose centre pixels are exactly the series colour.
    let plot = LinePlot(
      title: "", xLabel: "", yLabel: "", series: [series], yRange: 0...1, textScale: 2)
    let c = plot.render(width: 300, height: 200)
    #expect(pixels(of: red, in: c).isEmpty)  // no two neighbouring finite points
    let gappy = LineSeries(name: "", y: [0.5, 0.5, .nan, 0.5, 0.5], color: red, marker: .none)
    let d = LinePlot(
      title: "", xLabel: "", yLabel: "", series: [gappy], yRange: 0...1, textScale: 2
    ).render(width: 300, height: 200)
    let xs = Set(pixels(of: red, in: d).map(\.x)).sorted()
    // Two separate runs: the x positions jump across the missing middle point.
    let jumps = zip(xs, xs.dropFirst()).filter { $1 - $0 > 5 }.count
    #expect(jumps == 1, "\(xs)")
  }

  @Test func titleAndLabelsPutInkInTheMargins() {
    let bare = LinePlot(title: "", xLabel: "", yLabel: "", series: [], textScale: 1)
    var labelled = bare
    labelled.title = "Loss"
    labelled.xLabel = "epoch"
    labelled.yLabel = "loss"
    let a = bare.render(width: 300, height: 200)
    let b = labelled.render(width: 300, height: 200)
    // Titles and axis labels are black; ticks and frame are grey.
    #expect(count(of: .black, in: a) == 0)
    #expect(count(of: .black, in: b) > 50)
    // The y label is vertical text in the leftmost columns.
    #expect((0..<20).contains { x in (0..<200).contains { b[x, $0] == .black } })
  }
}

@Suite struct BarPlotTests {
  let red = RGB(220, 0, 0)
  let green = RGB(0, 160, 0)

  /// Length of the run of `color` in column `x`.
  func run(of color: RGB, column x: Int, in c: Canvas) -> (top: Int, height: Int) {
    let ys = (0..<c.height).filter { c[x, $0] == color }
    return (ys.min() ?? -1, ys.count)
  }

  @Test func barHeightsAreProportionalAndErrorBarsSpanTheirError() {
    let plot = BarPlot(
      title: "", xLabel: "", yLabel: "", categories: ["a", "b"],
      series: [BarSeries(name: "", values: [1, 2], errors: [0.5, 0], color: red)],
      showValues: false, textScale: 1)
    #expect(plot.scales().left.lower == 0 && plot.scales().left.upper == 2)
    let c = plot.render(width: 400, height: 300)
    let columns = (0..<400).filter { x in (0..<300).contains { c[x, $0] == red } }
    // Two bars, one per category, left half and right half.
    let a = columns.filter { $0 < 200 }
    let b = columns.filter { $0 >= 200 }
    #expect(!a.isEmpty && !b.isEmpty)
    let centreA = (a[0] + a[a.count - 1]) / 2
    let barA = run(of: red, column: a[0] + 1, in: c)
    let barB = run(of: red, column: b[b.count / 2], in: c)
    #expect(abs(Double(barB.height) - 2 * Double(barA.height)) <= 3)
    // The error bar is black above bar a's top, reaching half its height higher.
    let blackAbove = (0..<barA.top).filter { c[centreA, $0] == .black }
    #expect(!blackAbove.isEmpty)
    let reach = barA.top - (blackAbove.min() ?? barA.top)
    #expect(abs(Double(reach) - Double(barA.height) / 2) <= 3)
  }

  @Test func nonNegativeValuesKeepTheAxisAtZeroEvenWithWideErrors() {
    // Seconds 60 ± 150 (one slow fold): the axis must not invent negative seconds.
    let times = BarPlot(
      title: "", xLabel: "", yLabel: "", categories: ["a", "b"],
      series: [BarSeries(name: "", values: [60, 5], errors: [150, 1])], textScale: 1)
    #expect(times.scales().left.lower == 0)
    #expect(times.scales().left.upper >= 210)
    // A negative value still extends the axis below zero, error included.
    let signed = BarPlot(
      title: "", xLabel: "", yLabel: "", categories: ["a", "b"],
      series: [BarSeries(name: "", values: [-1, 2], errors: [0.5, 0])], textScale: 1)
    #expect(signed.scales().left.lower <= -1.5)
  }

  @Test func secondarySeriesUsesItsOwnAxis() {
    let plot = BarPlot(
      title: "", xLabel: "", yLabel: "", categories: ["a", "b"],
      series: [BarSeries(name: "acc", values: [0.5, 1], color: red)],
      secondary: BarSeries(name: "seconds", values: [50, 100], color: green),
      showValues: false, textScale: 1)
    let (left, right) = plot.scales()
    #expect(left.upper == 1 && right?.upper == 100)
    let c = plot.render(width: 400, height: 300)
    let redTops = (0..<400).filter { x in (0..<300).contains { c[x, $0] == red } }
      .map { run(of: red, column: $0, in: c).height }
    let greenTops = (0..<400).filter { x in (0..<300).contains { c[x, $0] == green } }
      .map { run(of: green, column: $0, in: c).height }
    // Same shares of their axes, so the same pixel heights; the legend swatches are short.
    #expect(abs((redTops.max() ?? 0) - (greenTops.max() ?? 0)) <= 1)
    #expect(!redTops.isEmpty && !greenTops.isEmpty)
  }

  @Test func valueLabelsGoAboveBarsOrInsideWhenThereIsNoRoom() {
    // 0.5 reaches the top of the 0...0.5 axis, so its label goes inside the bar in white;
    // 0.25 has room above for a black label.
    var plot = BarPlot(
      title: "", xLabel: "", yLabel: "", categories: ["a", "b"],
      series: [BarSeries(name: "", values: [0.5, 0.25], color: red)], showValues: false)
    #expect(plot.scales().left.upper == 0.5)
    let plain = plot.render(width: 300, height: 200)
    plot.showValues = true
    let labelled = plot.render(width: 300, height: 200)
    // Category names are black too; the label above bar b adds more black.
    #expect(count(of: .black, in: labelled) > count(of: .black, in: plain) + 10)
    let barA = pixels(of: red, in: plain).filter { $0.x < 150 }
    let box = (
      x: (barA.map(\.x).min() ?? 0)...(barA.map(\.x).max() ?? 0),
      y: (barA.map(\.y).min() ?? 0)...(barA.map(\.y).max() ?? 0)
    )
    let whiteInBar = { (c: Canvas) in
      box.x.flatMap { x in box.y.map { (x, $0) } }.filter { c[$0.0, $0.1] == .white }.count
    }
    #expect(whiteInBar(plain) == 0)
    #expect(whiteInBar(labelled) > 10)
  }
}

@Suite struct ConfusionMatrixPlotTests {
  @Test func cellColoursFollowRowShares() throws {
    // Row 0: 9 of 10 right; row 1: 1 of 2 right. Colour is by row share, not count.
    let m = try ConfusionMatrix(
      labels: Array(repeating: 0, count: 10) + [1, 1],
      predictions: Array(repeating: 0, count: 9) + [1, 0, 1],
      classes: ["cat", "dog"])
    let plot = ConfusionMatrixPlot(matrix: m)
    #expect(plot.cellColor(trueClass: 0, predicted: 0) == Palette.blues(0.9))
    #expect(plot.cellColor(trueClass: 1, predicted: 1) == Palette.blues(0.5))
    let c = plot.render(width: 400, height: 400)
    // Both cell fills are on the canvas, the darker one larger than a text glyph.
    let dark = pixels(of: Palette.blues(0.9), in: c).count
    let mid = pixels(of: Palette.blues(0.5), in: c).count
    #expect(dark > 1000 && mid > 1000)
    // Counts are drawn white on the dark cell.
    #expect(pixels(of: .white, in: c).count > 0)
  }
}
