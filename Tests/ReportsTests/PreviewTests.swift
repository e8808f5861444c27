import Foundation
import Testing

@testable import Reports

/// Renders one plot of each kind as PNG into `$FTUNE_REPORTS_PREVIEW_DIR` so a person can
/// look at them; skipped when the variable is unset (nothing generated is committed).
@Suite struct PreviewTests {
  static let directory = ProcessInfo.processInfo.environment["FTUNE_REPORTS_PREVIEW_DIR"]

  func save(_ canvas: Canvas, _ name: String) throws {
    guard let dir = Self.directory else { return }
    try canvas.write(to: URL(fileURLWithPath: dir).appendingPathComponent(name + ".png"))
  }

  @Test(.enabled(if: directory != nil)) func renderPreviews() throws {
    let trainLoss = [1.92, 1.21, 0.88, 0.67, 0.55, 0.47, 0.41, 0.37, 0.33, 0.30]
    let valLoss = [1.45, 1.02, 0.84, 0.74, 0.70, 0.69, 0.70, 0.72, 0.71, 0.74]
    let loss = LinePlot(
      title: "Training curves: loss (vgg16, freeze 13)", xLabel: "epoch", yLabel: "loss",
      series: [
        LineSeries(name: "train", y: trainLoss),
        LineSeries(name: "val", y: valLoss, style: .dashed),
      ])
    try save(loss.render(width: 800, height: 500), "line")
    let accuracy = LinePlot(
      title: "Accuracy", xLabel: "epoch", yLabel: "accuracy",
      series: [
        LineSeries(name: "train", y: [0.41, 0.62, 0.71, 0.78, 0.83, 0.86, 0.88, 0.9, 0.91, 0.93]),
        LineSeries(
          name: "val", y: [0.55, 0.66, 0.72, 0.75, 0.76, .nan, 0.77, 0.76, 0.77, 0.76],
          style: .dashed),
      ], yRange: 0...1)
    try save(
      Canvas.sideBySide([
        loss.render(width: 600, height: 400), accuracy.render(width: 600, height: 400),
      ]),
      "curves")

    let bars = BarPlot(
      title: "Accuracy vs freeze depth (vgg16, 3 seeds)", xLabel: "layers frozen",
      yLabel: "val accuracy",
      categories: ["0", "7", "13", "block4_pool", "all"],
      series: [
        BarSeries(
          name: "val accuracy", values: [0.71, 0.84, 0.91, 0.88, 0.62],
          errors: [0.06, 0.03, 0.015, 0.02, 0.04])
      ],
      secondary: BarSeries(
        name: "time per epoch", values: [41.2, 27.5, 9.8, 18.1, 2.3],
        errors: [1.1, 0.8, 0.5, 0.6, 0.1]),
      secondaryLabel: "seconds per epoch", yRange: 0...1)
    try save(bars.render(width: 800, height: 500), "bars")

    let classes = ["tigger", "misty", "none"]
    var labels: [Int] = []
    var predictions: [Int] = []
    let counts = [[41, 6, 3], [9, 30, 1], [2, 0, 58]]
    for t in 0..<3 {
      for p in 0..<3 {
        labels += Array(repeating: t, count: counts[t][p])
        predictions += Array(repeating: p, count: counts[t][p])
      }
    }
    let matrix = try ConfusionMatrix(labels: labels, predictions: predictions, classes: classes)
    try save(ConfusionMatrixPlot(matrix: matrix).render(width: 600, height: 600), "confusion")

    let many = (0..<12).map { "class_number_\($0)" }
    var big = try ConfusionMatrix(classes: many)
    for i in 0..<600 { try big.add(label: i % 12, prediction: i % 7 == 0 ? (i / 7) % 12 : i % 12) }
    try save(ConfusionMatrixPlot(matrix: big).render(width: 700, height: 700), "confusion12")

    let curves = TrainingCurves(
      trainLoss: trainLoss, valLoss: valLoss,
      trainAccuracy: [0.41, 0.62, 0.71, 0.78, 0.83, 0.86, 0.88, 0.9, 0.91, 0.93],
      valAccuracy: [0.55, 0.66, 0.72, 0.75, 0.76, 0.77, 0.77, 0.76, 0.77, 0.76],
      title: "vgg16-freeze13")
    try save(curves.render(), "training_curves")
    let comparison = Comparison(entries: [
      .init(name: "0", accuracies: [0.71, 0.78, 0.64], seconds: [40, 42, 41]),
      .init(name: "7", accuracies: [0.84, 0.82, 0.86], seconds: [27, 28, 27.5]),
      .init(name: "13", accuracies: [0.91, 0.925, 0.897], seconds: [10, 9.5, 9.9]),
      .init(name: "all", accuracies: [0.62, 0.6, 0.66], seconds: [2.3, 2.2, 2.4]),
    ])
    try save(comparison.plot().render(width: 800, height: 500), "comparison")

    var font = Canvas(width: 620, height: 120)
    let ascii = String((32...126).map { Character(UnicodeScalar(UInt8($0))) })
    font.drawText(String(ascii.prefix(48)), at: 4, 4, scale: 2)
    font.drawText(String(ascii.dropFirst(48)) + " ±×µ°…", at: 4, 30, scale: 2)
    font.drawText(
      "vertical", at: 600, 110, scale: 2, horizontal: .right, vertical: .bottom,
      orientation: .vertical)
    font.drawText("The quick brown fox jumps over the lazy dog, 0.123", at: 4, 60, scale: 1)
    try save(font, "font")
  }
}
