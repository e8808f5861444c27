import Foundation
import ImageIO
import Reports
import Runtime
import TensorCore

/// What `ftune compare` measured, with its tables, plot and JSON.
public struct CompareResult: Sendable {
  /// One grid row trained and evaluated on one fold.
  public struct FoldRun: Sendable, Equatable {
    public var accuracy: Double
    public var loss: Double
    /// Wall time of fitting (getting the features excluded).
    public var seconds: Double
    /// Images trained per second: training images × epochs / `seconds` (with cached
    /// features each row of features is one image, so this counts images, not features).
    public var imagesPerSecond: Double
    /// Wall time of getting this fold's inputs ready: feature extraction or reading them
    /// from the store (0 when training on images).
    public var featureSeconds: Double
    /// Epochs trained (`--epochs`, or more for a head alone on cached features).
    public var epochs: Int

    public init(
      accuracy: Double, loss: Double, seconds: Double, imagesPerSecond: Double,
      featureSeconds: Double = 0, epochs: Int = 0
    ) {
      self.epochs = epochs
      self.accuracy = accuracy
      self.loss = loss
      self.seconds = seconds
      self.imagesPerSecond = imagesPerSecond
      self.featureSeconds = featureSeconds
    }
  }

  /// How a row's training inputs were made.
  public enum Inputs: Sendable, Equatable {
    /// Images through the whole network (`nothing` when no layer is frozen).
    case images(nothingFrozen: Bool)
    /// Features cached at the cut; `variants` augmented variants per training image
    /// (0: the un-augmented image only).
    case cached(variants: Int)

    /// The report's words for it.
    public var note: String {
      switch self {
      case .images(let nothing): return nothing ? "images (nothing frozen)" : "images"
      case .cached(let v): return v > 0 ? "cached, \(v) augmented variants" : "cached at cut"
      }
    }

    public var usesCache: Bool {
      if case .images = self { return false }
      return true
    }
  }

  /// One row of the grid: a freeze strategy with a head and an augmentation set, over all
  /// folds.
  public struct Strategy: Sendable {
    public var freeze: String
    public var cutLayer: String
    public var head: String
    public var augment: String
    public var trainableParams: Int
    public var inputs: Inputs
    public var runs: [FoldRun]
    /// Peak resident memory while this row ran, MB.
    public var peakRSSMB: Double

    public init(
      freeze: String, cutLayer: String, head: String = "linear", augment: String = "none",
      trainableParams: Int, inputs: Inputs, runs: [FoldRun], peakRSSMB: Double = 0
    ) {
      self.freeze = freeze
      self.cutLayer = cutLayer
      self.head = head
      self.augment = augment
      self.trainableParams = trainableParams
      self.inputs = inputs
      self.runs = runs
      self.peakRSSMB = peakRSSMB
    }

    /// Trained on cached features at its cut.
    public var cachedFeatures: Bool { inputs.usesCache }
    public var accuracy: MeanStd { MeanStd(runs.map(\.accuracy)) }
    public var loss: MeanStd { MeanStd(runs.map(\.loss)) }
    public var seconds: MeanStd { MeanStd(runs.map(\.seconds)) }
    public var imagesPerSecond: MeanStd { MeanStd(runs.map(\.imagesPerSecond)) }
    /// Epochs trained per fold (the most, should folds differ).
    public var epochs: Int { runs.map(\.epochs).max() ?? 0 }
    /// Feature time summed over folds (the first pass over the images, then store reads).
    public var featureSeconds: Double { runs.map(\.featureSeconds).reduce(0, +) }
  }

  public var strategies: [Strategy]
  public var folds: Int
  public var crossValidated: Bool
  public var epochs: Int
  /// Wall time of the whole command, seconds (0 when not measured).
  public var totalSeconds: Double

  public init(
    strategies: [Strategy], folds: Int, crossValidated: Bool, epochs: Int,
    totalSeconds: Double = 0
  ) {
    self.strategies = strategies
    self.folds = folds
    self.crossValidated = crossValidated
    self.epochs = epochs
    self.totalSeconds = totalSeconds
  }

  /// More than one head or augmentation set: rows are named by all three.
  var isGrid: Bool {
    Set(strategies.map(\.head)).count > 1 || Set(strategies.map(\.augment)).count > 1
  }

  /// How a row is named in the verdict: `--freeze all` (plus `--head`, `--augment` in a grid).
  public func label(_ s: Strategy) -> String {
    "--freeze \(s.freeze)" + (isGrid ? " --head \(s.head) --augment \(s.augment)" : "")
  }

  /// Index of the row with the highest mean accuracy (lowest loss breaks ties).
  public var bestIndex: Int? {
    strategies.indices.max { a, b in
      let (x, y) = (strategies[a], strategies[b])
      return x.accuracy.mean != y.accuracy.mean
        ? x.accuracy.mean < y.accuracy.mean : x.loss.mean > y.loss.mean
    }
  }

  /// The winning row, its margin over the runner-up, and whether that margin is within the
  /// noise (the mean ± std intervals overlap).
  public var verdict: (best: Strategy, margin: Double, withinNoise: Bool)? {
    guard let b = bestIndex else { return nil }
    let best = strategies[b]
    let others = strategies.indices.filter { $0 != b }.map { strategies[$0] }
    guard let second = others.max(by: { $0.accuracy.mean < $1.accuracy.mean }) else {
      return (best, 0, false)
    }
    let margin = best.accuracy.mean - second.accuracy.mean
    let overlap = best.accuracy.mean - best.accuracy.std <= second.accuracy.mean
      + second.accuracy.std
    return (best, margin, overlap)
  }

  /// The console/Markdown table rows.
  public func table() -> (headers: [String], rows: [[String]]) {
    let headers = [
      "freeze", "cut", "head", "augment", "trainable params", "epochs", "val accuracy",
      "val loss", "fit s/fold", "images/s", "features s", "peak MB", "inputs",
    ]
    let rows = strategies.map { s -> [String] in
      [
        s.freeze, s.cutLayer.isEmpty ? "-" : s.cutLayer, s.head, s.augment,
        "\(s.trainableParams)", "\(s.epochs)", s.accuracy.formatted(), s.loss.formatted(),
        s.seconds.formatted(fractionDigits: 1), s.imagesPerSecond.formatted(fractionDigits: 1),
        NiceScale.format(s.featureSeconds, fractionDigits: 1),
        NiceScale.format(s.peakRSSMB, fractionDigits: 0), s.inputs.note,
      ]
    }
    return (headers, rows)
  }

  static let alignments: [ColumnAlignment] =
    Array(repeating: .left, count: 4) + Array(repeating: .right, count: 8) + [.left]

  /// The table for a terminal.
  public var console: ConsoleTable {
    let (h, r) = table()
    return ConsoleTable(headers: h, rows: r, alignments: Self.alignments)
  }

  /// The winner line and, when the margin is within the noise, a warning.
  public var summaryLines: [String] {
    guard let v = verdict else { return ["no strategies"] }
    var lines = [
      strategies.count == 1
        ? "best: \(label(v.best)) (the only strategy)"
        : "best: \(label(v.best)), by \(NiceScale.format(v.margin, fractionDigits: 3))"
          + " accuracy over the runner-up"
    ]
    if v.withinNoise {
      lines.append(
        "warning: the difference is within the noise (mean ± std intervals overlap over"
          + " \(folds) fold(s)); more folds or data are needed to tell them apart")
    }
    var cached: [String] = []
    for s in strategies where s.cachedFeatures && !cached.contains(s.freeze) {
      cached.append(s.freeze)
    }
    let images = strategies.filter { !$0.cachedFeatures }.map(\.freeze)
    if !cached.isEmpty {
      lines.append(
        "cached features: --freeze " + cached.joined(separator: ", ")
          + (images.isEmpty ? "" : "; trained on images: --freeze "
            + Array(Set(images)).sorted().joined(separator: ", ")))
    }
    return lines
  }

  /// compare.png: accuracy ± std per row with fitting seconds on the right axis.
  public var comparison: Comparison {
    let grid = isGrid
    let heads = Set(strategies.map(\.head)).count > 1
    let sets = Set(strategies.map(\.augment)).count > 1
    return Comparison(
      entries: strategies.map {
        Comparison.Entry(
          name: grid
            ? [$0.freeze, heads ? $0.head : nil, sets ? $0.augment : nil].compactMap { $0 }
              .joined(separator: " ") : $0.freeze,
          accuracies: $0.runs.map(\.accuracy), seconds: $0.runs.map(\.seconds))
      },
      parameter: grid
        ? "freeze" + (heads ? " head" : "") + (sets ? " augment" : "") : "freeze",
      secondsLabel: "fit seconds per fold")
  }

  /// Writes compare.json, compare.md, compare.png and report.html (showing `settings`) into
  /// `directory` (each atomically).
  public func write(to directory: URL, settings: [(String, String)] = []) throws {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw WorkflowError.runDirectory(path: directory.path, reason: "\(error)")
    }
    try AtomicFile.write(try json(), to: directory.appendingPathComponent("compare.json").path)
    try AtomicFile.write(
      Data(markdown.utf8), to: directory.appendingPathComponent("compare.md").path)
    // Long category names are drawn vertically: grow the canvas by their length so the
    // bars keep a readable height (text scale 2 at these sizes).
    let plot = comparison
    let width = max(800, 70 * strategies.count + 200)
    let widest = plot.entries.map { BitmapFont.width(of: $0.name, scale: 2) }.max() ?? 0
    let height = max(500, 360 + widest)
    let title = "Validation accuracy by " + (isGrid ? "strategy" : "freezing strategy")
    try plot.plot(title: title).render(width: width, height: height)
      .write(to: directory.appendingPathComponent("compare.png"))
    try html(settings: settings).write(to: directory)
  }
}
