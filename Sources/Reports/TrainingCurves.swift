/// Loss and accuracy per epoch, train against validation: the two plots every run writes.
///
/// ```swift
/// let curves = TrainingCurves(
///   trainLoss: h.map(\.trainLoss), valLoss: h.map(\.valLoss),
///   trainAccuracy: h.map(\.trainAccuracy), valAccuracy: h.map(\.valAccuracy))
/// try curves.render().write(to: run.appendingPathComponent("curves.png"))
/// ```
public struct TrainingCurves: Sendable {
  /// Epoch numbers; `nil` means 1, 2, 3, …
  public var epochs: [Int]?
  /// Training loss per epoch.
  public var trainLoss: [Double]
  /// Empty when the run had no validation set.
  public var valLoss: [Double]
  /// Training accuracy per epoch.
  public var trainAccuracy: [Double]
  /// Validation accuracy per epoch; empty when the run had no validation set.
  public var valAccuracy: [Double]
  /// Prefixed to both plot titles (e.g. the run name); may be empty.
  public var title: String

  /// Curves from per-epoch histories (validation ones may be empty).
  public init(
    epochs: [Int]? = nil, trainLoss: [Double], valLoss: [Double] = [],
    trainAccuracy: [Double], valAccuracy: [Double] = [], title: String = ""
  ) {
    self.epochs = epochs
    self.trainLoss = trainLoss
    self.valLoss = valLoss
    self.trainAccuracy = trainAccuracy
    self.valAccuracy = valAccuracy
    self.title = title
  }

  /// The same from Float histories (what the training loop records).
  public init(
    epochs: [Int]? = nil, trainLoss: [Float], valLoss: [Float] = [],
    trainAccuracy: [Float], valAccuracy: [Float] = [], title: String = ""
  ) {
    self.init(
      epochs: epochs, trainLoss: trainLoss.map(Double.init), valLoss: valLoss.map(Double.init),
      trainAccuracy: trainAccuracy.map(Double.init),
      valAccuracy: valAccuracy.map(Double.init), title: title)
  }

  private func series(_ train: [Double], _ val: [Double]) -> [LineSeries] {
    let x = { (n: Int) in (0..<n).map { i in Double(epochs.map { $0[i] } ?? i + 1) } }
    let trainX = x(min(train.count, epochs?.count ?? train.count))
    let valX = x(min(val.count, epochs?.count ?? val.count))
    var out = [LineSeries(name: "train", x: trainX, y: train, color: Palette.color(0))]
    if !val.isEmpty {
      out.append(
        LineSeries(name: "val", x: valX, y: val, color: Palette.color(1), style: .dashed))
    }
    return out
  }

  private func titled(_ what: String) -> String { title.isEmpty ? what : "\(title): \(what)" }

  /// Loss against epoch.
  public var lossPlot: LinePlot {
    LinePlot(
      title: titled("loss"), xLabel: "epoch", yLabel: "loss",
      series: series(trainLoss, valLoss))
  }

  /// Accuracy against epoch; the axis fits the data but never leaves 0...1.
  public var accuracyPlot: LinePlot {
    var plot = LinePlot(
      title: titled("accuracy"), xLabel: "epoch", yLabel: "accuracy",
      series: series(trainAccuracy, valAccuracy))
    let fitted = plot.scales().y
    let lower = max(0, fitted.lower)
    let upper = min(1, fitted.upper)
    if lower < upper { plot.yRange = lower...upper }
    return plot
  }

  /// Both plots side by side, each `width / 2` wide.
  public func render(width: Int = 1200, height: Int = 450) -> Canvas {
    Canvas.sideBySide([
      lossPlot.render(width: width / 2, height: height),
      accuracyPlot.render(width: width - width / 2, height: height),
    ])
  }
}
