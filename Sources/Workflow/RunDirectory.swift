import Foundation
import ImageIO
import KerasIO
import Models
import Reports
import Runtime
import TensorCore
import Training

/// `runs/NAME/`: `model.h5` (Keras full model), `config.yaml` (every option; `ftune --recipe
/// runs/NAME/config.yaml` reproduces the run), `metrics.csv`, `metrics.json`,
/// `confusion.csv`, `confusion.png`, `curves.png`, `report.html` (with `validation/`), and the `checkpoint.ftck` `--resume`
/// reads. Every file is written atomically.
public struct RunDirectory {
  public let url: URL

  public init(url: URL) { self.url = url }

  public var modelURL: URL { url.appendingPathComponent("model.h5") }
  public var configURL: URL { url.appendingPathComponent("config.yaml") }
  public var checkpointURL: URL { url.appendingPathComponent("checkpoint.ftck") }
  /// The files `--bad-images skip` left out, with the reasons.
  public var skippedURL: URL { url.appendingPathComponent("skipped.csv") }
  /// The best epoch's weights (`Trainer`'s, beside the checkpoint), removed once the run's
  /// files are written.
  var bestWeightsURL: URL { url.appendingPathComponent("checkpoint-best.ftck") }

  /// Every file of a finished run is there and the best weights are gone: `write` ended.
  /// (Killed while writing, the best weights are still there for the resume.)
  var isComplete: Bool {
    Self.files.allSatisfy { FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path) }
      && !FileManager.default.fileExists(atPath: bestWeightsURL.path)
  }
  public static let files = [
    "model.h5", "config.yaml", "metrics.csv", "metrics.json", "confusion.csv", "confusion.png",
    "curves.png", "report.html",
  ]

  public func prepare() throws {
    do {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
      let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
      let why = posix.map { String(cString: strerror(Int32($0.code))) } ?? "\(error)"
      throw WorkflowError.runDirectory(
        path: url.path, reason: "cannot be created (\(why)); choose another --out")
    }
    // Temporary files of a run killed mid-write (`AtomicFile`): nothing reads them.
    let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
    for name in names where name.hasPrefix(".") && name.contains(".tmp") {
      try? FileManager.default.removeItem(at: url.appendingPathComponent(name))
    }
  }

  /// Writes every file of a finished run.
  func write(
    graph: Graph, config: RunOptions, history: [EpochMetrics], classes: [String],
    validation: Trainer.Evaluation?, validationLabels: [Int], validationPaths: [String],
    seconds: Double, bestEpoch: Int
  ) throws {
    try KerasModel.save(graph, to: modelURL.path)
    try save(config.yaml, "config.yaml")
    try save(
      ([EpochMetrics.csvHeader] + history.map(\.csvRow)).joined(separator: "\n") + "\n",
      "metrics.csv")
    let best = history.first { $0.epoch == bestEpoch } ?? history.last
    var json: [String: Any] = [
      "train_loss": Double(best?.trainLoss ?? .nan),
      "train_accuracy": Double(best?.trainAccuracy ?? .nan),
      "val_loss": Double(validation?.loss ?? best?.valLoss ?? .nan),
      "val_accuracy": Double(validation?.accuracy ?? best?.valAccuracy ?? .nan),
      "has_validation": validation != nil,
      "seconds": seconds,
      "epochs": history.count,
      "best_epoch": bestEpoch,
      "classes": classes,
    ]
    json["history"] = history.map {
      [
        "epoch": $0.epoch, "train_loss": Double($0.trainLoss),
        "train_accuracy": Double($0.trainAccuracy), "val_loss": Double($0.valLoss),
        "val_accuracy": Double($0.valAccuracy), "learning_rate": Double($0.learningRate),
        "seconds": $0.seconds,
      ] as [String: Any]
    }
    let data = try JSONSerialization.data(
      withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    try AtomicFile.write(data, to: url.appendingPathComponent("metrics.json").path)

    let matrix = try ConfusionMatrix(
      labels: validationLabels, predictions: validation?.predictions ?? [], classes: classes)
    try save(matrix.countsCSV.render(), "confusion.csv")
    try savePNG(
      ConfusionMatrixPlot(matrix: matrix, title: "Validation confusion matrix").render(),
      "confusion.png")
    let epochs = history.map { Double($0.epoch) }
    let loss = LinePlot(
      title: "Loss", xLabel: "epoch", yLabel: "loss",
      series: [
        LineSeries(name: "train", x: epochs, y: history.map { Double($0.trainLoss) }),
        LineSeries(
          name: "val", x: epochs, y: history.map { Double($0.valLoss) }, style: .dashed),
      ])
    let accuracy = LinePlot(
      title: "Accuracy", xLabel: "epoch", yLabel: "accuracy",
      series: [
        LineSeries(name: "train", x: epochs, y: history.map { Double($0.trainAccuracy) }),
        LineSeries(
          name: "val", x: epochs, y: history.map { Double($0.valAccuracy) }, style: .dashed),
      ], yRange: 0...1)
    try savePNG(
      Canvas.sideBySide([
        loss.render(width: 600, height: 400), accuracy.render(width: 600, height: 400),
      ]), "curves.png")
    try writeReport(
      config: config, history: history, classes: classes, validation: validation,
      validationLabels: validationLabels, validationPaths: validationPaths, bestEpoch: bestEpoch,
      seconds: seconds)
    try? FileManager.default.removeItem(at: bestWeightsURL)
  }

  private func save(_ text: String, _ name: String) throws {
    try AtomicFile.write(Data(text.utf8), to: url.appendingPathComponent(name).path)
  }

  private func savePNG(_ canvas: Canvas, _ name: String) throws {
    let image = try Image(
      width: canvas.width, height: canvas.height, channels: 3, pixels: .rgb8(canvas.pixels))
    try image.writePNG(to: url.appendingPathComponent(name).path)
  }

  /// Reads a run's `config.yaml` back.
  public func config() throws -> RunOptions {
    guard FileManager.default.fileExists(atPath: configURL.path) else {
      throw WorkflowError.notARun(path: url.path, missing: "config.yaml")
    }
    return RunOptions(recipe: try RunOptions.recipe(at: configURL.path))
  }
}
