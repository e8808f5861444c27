import Foundation
import Reports
import TensorCore
import Training

extension RunDirectory {
  /// Where the validation part of a training run's report keeps its files.
  public static let validationFolder = "validation"

  /// `report.html` of a finished run: settings, final numbers, curves and, with a
  /// validation split, the validation set's metrics, confusions and top losses (files
  /// under `validation/`).
  func writeReport(
    config: RunOptions, history: [EpochMetrics], classes: [String],
    validation: Trainer.Evaluation?, validationLabels: [Int], validationPaths: [String],
    bestEpoch: Int, seconds: Double
  ) throws {
    let name = url.lastPathComponent
    let settings = RunOption.allCases.filter { !config[$0].isEmpty }.map { ($0.name, config[$0]) }
    let best = history.first { $0.epoch == bestEpoch } ?? history.last
    let f = { (x: Float) in NiceScale.format(Double(x), fractionDigits: 4) }
    var cards: [(value: String, label: String)] = []
    if let best {
      cards += [(f(best.trainLoss), "train loss"), (f(best.trainAccuracy), "train accuracy")]
      if let validation {
        cards += [(f(validation.loss), "val loss"), (f(validation.accuracy), "val accuracy")]
      }
    }
    cards += [
      ("\(bestEpoch) of \(history.count)", "epoch kept"),
      (NiceScale.format(seconds, fractionDigits: 0) + " s", "training time"),
    ]
    var sections: [HTMLReport.Section] = [
      .init(
        id: "result", title: "Result",
        body: HTML.cards(cards)
          + HTML.paragraph(
            "Reproduce with: ftune --recipe \(name)/config.yaml", className: "note")),
      .figures(
        id: "curves", title: "Training curves",
        [("curves.png", "loss and accuracy per epoch", "Loss and accuracy per epoch, train"
          + " (solid) and validation (dashed).")]),
    ]
    if let validation, validation.probabilities.rank == 2, !validationPaths.isEmpty {
      let k = validation.probabilities.shape[1]
      let s = validation.probabilities.scalars
      let probabilities = validationLabels.indices.map { i in
        (0..<k).map { Double(s[i * k + $0]) }
      }
      let metrics = try ClassificationMetrics(
        probabilities: probabilities, labels: validationLabels, classes: classes)
      let report = ClassificationReport(metrics: metrics, paths: validationPaths)
      let folder = url.appendingPathComponent(Self.validationFolder)
      let thumbs = try report.write(to: folder, title: "\(name) validation")
      sections += report.sections(
        thumbnails: thumbs, folder: Self.validationFolder, what: "validation split")
    }
    sections.append(.settings(settings, title: "Settings (config.yaml)"))
    try HTMLReport(
      title: "Training run \(name)", subtitle: "ftune train · \(EvaluateWorkflow.timestamp())",
      sections: sections
    ).write(to: url)
  }
}
