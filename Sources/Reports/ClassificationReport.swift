import Foundation
import ImageIO

/// What `ftune evaluate` (and the validation part of a training run) reports about predicted
/// probabilities on labelled image files: the numbers (`ClassificationMetrics`), the files
/// (CSV, PNG, a thumbnail per image) and the report sections that show them.
public struct ClassificationReport: Sendable {
  public var metrics: ClassificationMetrics
  /// Each example's image file.
  public var paths: [String]
  /// How many of the highest-loss examples to list and draw.
  public var topLossCount = 16
  /// Equal-width confidence bins of the reliability diagram and ECE.
  public var bins = 15
  /// Most thumbnails a confusion cell's gallery shows (highest loss first).
  public var galleryLimit = 120
  /// Thumbnails' longer side, in pixels.
  public var thumbnailSize = 160

  public init(metrics: ClassificationMetrics, paths: [String]) {
    self.metrics = metrics
    self.paths = paths
  }

  /// File names, relative to the folder `write` is given.
  public enum FileName {
    public static let metricsJSON = "metrics.json"
    public static let perClassCSV = "per_class_metrics.csv"
    public static let confusionCSV = "confusion_matrix.csv"
    public static let confusionPercentCSV = "confusion_matrix_percent.csv"
    public static let confusionPlot = "confusion_matrix.png"
    public static let mostConfusedCSV = "most_confused.csv"
    public static let topLossesCSV = "top_losses.csv"
    public static let topLossesSheet = "top_losses.png"
    public static let reliabilityPlot = "reliability.png"
    public static let predictionsCSV = "predictions.csv"
    public static let thumbnails = "images"
  }

  /// Class names, in index order.
  public var classes: [String] { metrics.classes }
  private func f(_ x: Double, _ digits: Int = 4) -> String {
    NiceScale.format(x, fractionDigits: digits)
  }

  /// The top-k accuracies worth showing: k = 2...min(5, classes - 1).
  public var topKs: [Int] { classes.count > 2 ? Array(2...min(5, classes.count - 1)) : [] }

  /// Per class, then macro and weighted averages: class, precision, recall, f1, support.
  public var perClassTable: CSVTable {
    let c = metrics.confusion
    var rows = classes.indices.map {
      [classes[$0], f(c.precision($0)), f(c.recall($0)), f(c.f1($0)), String(c.support($0))]
    }
    rows.append(["macro avg", f(c.macroPrecision), f(c.macroRecall), f(c.macroF1), "\(c.total)"])
    rows.append([
      "weighted avg", f(metrics.weightedPrecision), f(metrics.weightedRecall),
      f(metrics.weightedF1), "\(c.total)",
    ])
    return CSVTable(header: ["class", "precision", "recall", "f1", "support"], rows: rows)
  }

  /// Row percentages of the confusion matrix (each true class sums to 100).
  public var confusionPercentTable: CSVTable {
    let rows = metrics.confusion.rowNormalized
    return CSVTable(
      header: ["true\\predicted"] + classes,
      rows: classes.indices.map { [classes[$0]] + rows[$0].map { f($0 * 100, 1) } })
  }

  public var mostConfusedTable: CSVTable {
    CSVTable(
      header: ["true", "predicted", "count", "percent_of_true"],
      rows: metrics.mostConfused().map {
        [
          classes[$0.trueClass], classes[$0.predicted], "\($0.count)",
          f(100 * Double($0.count) / Double(max(1, metrics.confusion.support($0.trueClass))), 1),
        ]
      })
  }

  /// Every example: image, true class, prediction, its probability, the true class's
  /// probability and the loss.
  public func predictionRows(_ indices: [Int]) -> CSVTable {
    CSVTable(
      header: ["image", "true", "predicted", "probability", "true_probability", "loss"],
      rows: indices.map { i in
        [
          paths[i], classes[metrics.labels[i]], classes[metrics.predictions[i]],
          f(metrics.confidence(i)), f(metrics.probabilities[i][metrics.labels[i]]),
          f(metrics.loss(i)),
        ]
      })
  }

  /// The headline numbers: (name, value).
  public var summary: [(name: String, value: Double)] {
    var out: [(name: String, value: Double)] = [(name: "accuracy", value: metrics.accuracy)]
    for k in topKs { out.append((name: "top-\(k) accuracy", value: metrics.topKAccuracy(k))) }
    out.append((name: "macro F1", value: metrics.confusion.macroF1))
    out.append((name: "weighted F1", value: metrics.weightedF1))
    out.append((name: "log loss", value: metrics.logLoss))
    out.append(
      (name: "expected calibration error", value: metrics.expectedCalibrationError(bins: bins)))
    return out
  }

  /// What a terminal shows: the summary, the per-class table, the most confused pairs.
  public func text() -> String {
    var lines = ["\(metrics.count) images, \(classes.count) classes"]
    lines += summary.map { "\($0.name): \(f($0.value))" }
    let t = perClassTable
    lines.append("")
    lines.append(
      ConsoleTable(headers: t.header, rows: t.rows, alignments: [.left] + [.right, .right, .right, .right])
        .render())
    let confused = metrics.mostConfused().prefix(5)
    if !confused.isEmpty {
      lines.append("most confused: " + confused.map {
        "\(classes[$0.trueClass]) as \(classes[$0.predicted]) (\($0.count))"
      }.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
  }

  private struct JSONReport: Encodable {
    struct PerClass: Encodable {
      var `class`: String
      var precision, recall, f1: Double
      var support: Int
    }
    struct Pair: Encodable {
      var true_class, predicted: String
      var count: Int
    }
    struct Loss: Encodable {
      var image, true_class, predicted: String
      var probability, true_probability, loss: Double
    }
    struct Bin: Encodable {
      var lower, upper, confidence, accuracy: Double
      var count: Int
    }
    var images: Int
    var classes: [String]
    var accuracy: Double
    var top_k_accuracy: [String: Double]
    var macro_precision, macro_recall, macro_f1: Double
    var weighted_precision, weighted_recall, weighted_f1: Double
    var log_loss, expected_calibration_error: Double
    var calibration_bins: Int
    var per_class: [PerClass]
    var confusion_matrix: [[Int]]
    var most_confused: [Pair]
    var top_losses: [Loss]
    var reliability: [Bin]
  }

  /// metrics.json (and `--json`): every number above with full precision.
  public func json() throws -> Data {
    let m = metrics, c = metrics.confusion
    let report = JSONReport(
      images: m.count, classes: classes, accuracy: m.accuracy,
      top_k_accuracy: Dictionary(uniqueKeysWithValues: topKs.map { ("\($0)", m.topKAccuracy($0)) }),
      macro_precision: c.macroPrecision, macro_recall: c.macroRecall, macro_f1: c.macroF1,
      weighted_precision: m.weightedPrecision, weighted_recall: m.weightedRecall,
      weighted_f1: m.weightedF1, log_loss: m.logLoss,
      expected_calibration_error: m.expectedCalibrationError(bins: bins), calibration_bins: bins,
      per_class: classes.indices.map {
        .init(
          class: classes[$0], precision: c.precision($0), recall: c.recall($0), f1: c.f1($0),
          support: c.support($0))
      },
      confusion_matrix: c.counts,
      most_confused: m.mostConfused().map {
        .init(true_class: classes[$0.trueClass], predicted: classes[$0.predicted], count: $0.count)
      },
      top_losses: m.topLosses(topLossCount).map { i in
        .init(
          image: paths[i], true_class: classes[m.labels[i]], predicted: classes[m.predictions[i]],
          probability: m.confidence(i), true_probability: m.probabilities[i][m.labels[i]],
          loss: m.loss(i))
      },
      reliability: m.reliability(bins: bins).map {
        .init(
          lower: $0.lower, upper: $0.upper, confidence: $0.confidence, accuracy: $0.accuracy,
          count: $0.count)
      })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(report)
  }

  /// The reliability diagram: accuracy against mean confidence per non-empty bin, with the
  /// diagonal a perfectly calibrated model follows.
  public var reliabilityPlot: LinePlot {
    let bins = metrics.reliability(bins: self.bins)
    return LinePlot(
      title: "Reliability (ECE \(f(metrics.expectedCalibrationError(bins: self.bins), 3)))",
      xLabel: "mean confidence (top-1)", yLabel: "accuracy",
      series: [
        LineSeries(name: "perfectly calibrated", x: [0, 1], y: [0, 1], style: .dashed,
                   marker: .none),
        LineSeries(name: "model", x: bins.map(\.confidence), y: bins.map(\.accuracy),
                   marker: .circle),
      ], xRange: 0...1, yRange: 0...1)
  }
}
