import Testing

@testable import Reports

@Suite struct ComparisonTests {
  let comparison = Comparison(entries: [
    .init(name: "0", accuracies: [0.71, 0.78, 0.64], seconds: [40, 42]),
    .init(name: "13", accuracies: [0.91, 0.925, 0.897], seconds: [10, 10]),
    .init(name: "all", accuracies: [0.62]),
  ])

  @Test func markdownSummaryIsExact() {
    #expect(
      comparison.markdown().render() == """
        | freeze |  val accuracy | seeds | seconds per epoch |
        | :----- | ------------: | ----: | ----------------: |
        | 0      | 0.710 ± 0.070 |     3 |        41.0 ± 1.4 |
        | 13     | 0.911 ± 0.014 |     3 |        10.0 ± 0.0 |
        | all    |         0.620 |     1 |                   |

        """)
  }

  @Test func csvKeepsFullPrecision() {
    let lines = comparison.csv.render().split(separator: "\n")
    #expect(
      lines[0] == "freeze,val_accuracy_mean,val_accuracy_std,seeds,seconds_mean,seconds_std")
    #expect(lines[3] == "all,0.62,0.0,1,,")
  }

  @Test func meanStdOfNothingIsNaN() {
    let s = MeanStd([.nan])
    #expect(s.count == 0 && s.mean.isNaN)
    #expect(MeanStd([2]).formatted() == "2.000")
  }

  @Test func plotHasErrorBarsAndATimeAxis() {
    let plot = comparison.plot()
    #expect(plot.categories == ["0", "13", "all"])
    #expect(plot.series[0].errors?[0] == MeanStd([0.71, 0.78, 0.64]).std)
    let time = plot.secondary?.values ?? []
    #expect(time.count == 3 && time[0] == 41 && time[1] == 10 && time[2].isNaN)
    #expect(plot.scales().left.upper == 1)
    #expect(inkCount(plot.render(width: 600, height: 400)) > 1000)
  }
}

@Suite struct TrainingCurvesTests {
  @Test func accuracyAxisStaysWithinZeroAndOne() {
    let curves = TrainingCurves(
      trainLoss: [1.2, 0.8, 0.5], valLoss: [1.3, 0.9, 0.7],
      trainAccuracy: [0.55, 0.81, 0.97], valAccuracy: [0.5, 0.7, 0.8], title: "run")
    let y = curves.accuracyPlot.scales().y
    #expect(y.lower == 0.5 && y.upper == 1)
    #expect(curves.lossPlot.title == "run: loss")
    #expect(curves.lossPlot.series.map(\.name) == ["train", "val"])
    #expect(curves.lossPlot.series[1].style == .dashed)
    let canvas = curves.render(width: 800, height: 300)
    #expect(canvas.width == 800 && canvas.height == 300)
    // Both halves carry the train colour.
    let blue = pixels(of: Palette.color(0), in: canvas)
    #expect(blue.contains { $0.x < 400 } && blue.contains { $0.x >= 400 })
  }

  @Test func withoutValidationOnlyTrainIsPlotted() {
    let curves = TrainingCurves(trainLoss: [Float(1), 0.5], trainAccuracy: [Float(0.5), 0.7])
    #expect(curves.lossPlot.series.count == 1)
    #expect(curves.accuracyPlot.series[0].x == [1, 2])
  }
}
