import Foundation
import Reports
import Runtime

extension DoctorResult {
  /// The files `write` puts in the output folder.
  public enum FileName {
    public static let json = "doctor.json"
    public static let labelIssuesCSV = "label_issues.csv"
    public static let labelIssuesSheet = "label_issues.png"
    public static let duplicatesCSV = "duplicates.csv"
    public static let duplicatesSheet = "duplicates.png"
    public static let learningCurve = "learning_curve.png"
    public static let classCurves = "learning_curve_classes.png"
    public static let classCounts = "class_counts.png"
  }

  /// Most issues / pairs drawn on the sheets and listed on the page (the CSVs hold all).
  static let shown = 24

  /// `path,given,suggested,score,given_probability,suggested_probability`, most suspect first.
  public var labelIssuesCSV: CSVTable {
    CSVTable(
      header: ["path", "given", "suggested", "score", "given_probability", "suggested_probability"],
      rows: labelIssues.map {
        [$0.path, $0.given, $0.suggested, Self.fixed($0.score), Self.fixed($0.givenProbability),
         Self.fixed($0.suggestedProbability)]
      })
  }

  public var duplicatesCSV: CSVTable {
    CSVTable(
      header: ["kind", "similarity", "path_a", "path_b", "class_a", "class_b", "split_a",
               "split_b", "across_split", "across_classes"],
      rows: duplicates.map {
        [$0.kind.rawValue, Self.fixed($0.similarity), $0.pathA, $0.pathB, $0.classA, $0.classB,
         $0.splitA, $0.splitB, "\($0.acrossSplit)", "\($0.acrossClasses)"]
      })
  }

  static func fixed(_ x: Double) -> String { NiceScale.format(x, fractionDigits: 4) }

  /// Writes doctor.json, the two CSVs, the sheets, the plots and report.html into `out`.
  public func write(to out: URL) throws {
    try AtomicFile.createFolder(for: out.appendingPathComponent(FileName.json).path)
    let file = { (name: String) in out.appendingPathComponent(name) }
    try AtomicFile.write(try json(), to: file(FileName.json).path)
    try labelIssuesCSV.write(to: file(FileName.labelIssuesCSV))
    try duplicatesCSV.write(to: file(FileName.duplicatesCSV))
    let issues = labelIssues.prefix(Self.shown)
    try CaptionedSheet.render(
      paths: issues.map(\.path),
      lines: issues.enumerated().map { rank, i in
        ["#\(rank + 1) score \(NiceScale.format(i.score, fractionDigits: 2))", "given: \(i.given)",
         "looks: \(i.suggested) \(NiceScale.format(i.suggestedProbability, fractionDigits: 2))"]
      }
    ).write(to: file(FileName.labelIssuesSheet))
    let pairs = duplicates.sorted { ($0.acrossSplit || $0.acrossClasses) && !($1.acrossSplit || $1.acrossClasses) }
      .prefix(Self.shown / 2)
    try CaptionedSheet.render(
      paths: pairs.flatMap { [$0.pathA, $0.pathB] },
      lines: pairs.enumerated().flatMap { k, p -> [[String]] in
        let head = "#\(k + 1) \(p.kind.rawValue) \(NiceScale.format(p.similarity, fractionDigits: 3))"
        let note = p.acrossSplit ? "LEAK across split" : p.acrossClasses ? "two classes" : ""
        return [[head, "\(p.splitA) \(p.classA)", note], [head, "\(p.splitB) \(p.classB)", note]]
      }
    ).write(to: file(FileName.duplicatesSheet))
    try BarPlot(
      title: "Images per class", xLabel: "class", yLabel: "images", categories: classes,
      series: [BarSeries(name: "images", values: counts.map(Double.init))]
    ).render(width: 720, height: 420).write(to: file(FileName.classCounts))
    if let curve = learningCurve, curve.fractions.count > 1 {
      try curve.plot.render(width: 800, height: 500).write(to: file(FileName.learningCurve))
      try curve.classPlot.render(width: 800, height: 500).write(to: file(FileName.classCurves))
    }
    try HTMLReport(
      title: "Data check of \((data as NSString).lastPathComponent)",
      subtitle: "ftune doctor · \(EvaluateWorkflow.timestamp())", sections: sections
    ).write(to: out)
  }

  /// The page: summary, label errors, duplicates, learning curve, balance and quality,
  /// settings.
  public var sections: [HTMLReport.Section] {
    let name = { (p: String) in Self.short(p, root: data) }
    var out: [HTMLReport.Section] = []
    var cards: [(value: String, label: String)] = [
      ("\(counts.reduce(0, +))", "images"), ("\(labelIssues.count)", "suspected label errors"),
      ("\(duplicates.count)", "duplicate pairs"), ("\(acrossSplit.count)", "across train/val"),
    ]
    if let d = learningCurve?.doubled, let now = learningCurve?.accuracy.last {
      cards.append((NiceScale.format(now, fractionDigits: 3), "accuracy now"))
      cards.append((NiceScale.format(d.accuracy, fractionDigits: 3), "predicted with 2x images"))
    }
    out.append(.init(
      id: "summary", title: "Summary",
      body: HTML.cards(cards) + summaryLines.map { HTML.paragraph($0, className: "note") }
        .joined()))

    out.append(.init(
      id: "label-errors", title: "Suspected label errors",
      body: HTML.paragraph(
        "Images whose given class the linear head, trained on the other \(folds - 1) folds,"
          + " contradicts with confidence (confident learning: a class counts when its"
          + " out-of-fold probability reaches that class's mean self-confidence). Score ="
          + " p(suggested) − p(given). Nothing was moved; all in \(FileName.labelIssuesCSV).",
        className: "note")
        + (labelIssues.isEmpty ? HTML.paragraph("None found.")
          : HTML.figure(FileName.labelIssuesSheet, alt: "suspected label errors")
            + HTML.table(
              headers: ["image", "given", "suggested", "score"],
              rows: labelIssues.prefix(Self.shown).map {
                [name($0.path), $0.given, $0.suggested, NiceScale.format($0.score, fractionDigits: 3)]
              }, numeric: [3]))))

    out.append(.init(
      id: "duplicates", title: "Duplicates and leaks",
      body: HTML.paragraph(
        "Exact: the same file bytes or the same decoded pixels. Near: cosine similarity of the"
          + " features ≥ \(NiceScale.format(nearThreshold, fractionDigits: 2)). Validation from"
          + " \(splitSource). A pair across the split inflates validation accuracy; a pair"
          + " across classes has a wrong label. All in \(FileName.duplicatesCSV).",
        className: "note")
        + (duplicates.isEmpty ? HTML.paragraph("None found.")
          : HTML.figure(FileName.duplicatesSheet, alt: "duplicate pairs")
            + HTML.table(
              headers: ["kind", "similarity", "image", "copy", "across"],
              rows: duplicates.prefix(Self.shown * 2).map {
                [$0.kind.rawValue, NiceScale.format($0.similarity, fractionDigits: 3),
                 name($0.pathA), name($0.pathB),
                 [$0.acrossSplit ? "split" : "", $0.acrossClasses ? "classes" : ""]
                  .filter { !$0.isEmpty }.joined(separator: ", ")]
              }, numeric: [1]))))

    if let curve = learningCurve, curve.fractions.count > 1 {
      var note = "Cross-validated accuracy of the linear head on the frozen features, training"
        + " on a share of each class's training images (mean ± sd over folds and repeats)."
      if let fit = curve.fit, let d = curve.doubled {
        note += " Fit: accuracy = \(NiceScale.format(fit.a, fractionDigits: 3)) − "
          + "\(NiceScale.format(fit.b, fractionDigits: 3))·n^−\(NiceScale.format(fit.c, fractionDigits: 2))."
          + " With 2x the images (\(Int(d.trainImages.rounded())) training) it predicts "
          + "\(NiceScale.format(d.accuracy, fractionDigits: 3)), \(Int((d.level * 100).rounded()))%"
          + " bootstrap interval over folds \(NiceScale.format(d.low, fractionDigits: 3))–"
          + "\(NiceScale.format(d.high, fractionDigits: 3)); an extrapolation, not a promise."
      }
      out.append(.figures(
        id: "learning-curve", title: "Learning curve",
        [(FileName.learningCurve, "learning curve", "Accuracy against training images."),
         (FileName.classCurves, "per-class learning curves",
          "Recall of each class against the share of training images.")], note: note))
    }

    var quality: [[String]] = []
    for (what, list) in [
      ("undecodable", self.quality.undecodable), ("tiny (< \(self.quality.tinySide) px)", self.quality.tiny),
      ("extreme aspect", self.quality.extremeAspect), ("grayscale", self.quality.grayscale),
    ] {
      quality += list.prefix(Self.shown).map { [what, name($0.path), $0.note] }
    }
    out.append(.init(
      id: "quality", title: "Balance and quality",
      body: HTML.figure(FileName.classCounts, alt: "images per class",
                        caption: "Imbalance: largest class / smallest = "
                          + NiceScale.format(imbalanceRatio, fractionDigits: 2) + ".")
        + (quality.isEmpty ? HTML.paragraph("No undecodable, tiny, extreme-aspect or stray grey images.")
          : HTML.table(headers: ["problem", "image", "detail"], rows: quality))))
    out.append(.settings([
      ("data", data), ("validation", splitSource), ("base", base), ("features at", cutLayer),
      ("folds", "\(folds) (seed \(seed), the folds ftune compare --cv \(folds) uses)"),
      ("feature store", "\(featuresReused) reused, \(featuresComputed) computed"),
      ("seconds", "features \(NiceScale.format(featureSeconds, fractionDigits: 1)), analyses "
        + NiceScale.format(analysisSeconds, fractionDigits: 1)),
    ]))
    return out
  }
}

extension LearningCurve {
  /// Mean accuracy with ± sd, the fitted law out to twice the data and its interval there.
  var plot: LinePlot {
    let sd = zip(accuracy, spread)
    // Both ± sd lines in one series, broken by a missing value (one legend entry).
    var series = [
      LineSeries(name: "accuracy (mean)", x: trainImages, y: accuracy),
      LineSeries(
        name: "± 1 sd", x: trainImages + [trainImages.last ?? 0] + trainImages,
        y: sd.map { $0 + $1 } + [.nan] + sd.map { $0 - $1 }, style: .dotted, marker: .none),
    ]
    if let fit, let d = doubled, let first = trainImages.first {
      let xs = (0...40).map { first * pow(d.trainImages / first, Double($0) / 40) }
      series.append(LineSeries(name: "power-law fit", x: xs, y: xs.map { fit($0) }, style: .dashed,
                               marker: .none))
      series.append(LineSeries(
        name: "2x images, \(Int((d.level * 100).rounded()))% interval",
        x: [d.trainImages, d.trainImages, d.trainImages], y: [d.low, d.accuracy, d.high]))
    }
    return LinePlot(
      title: "Learning curve (linear head, frozen features)", xLabel: "training images",
      yLabel: "validation accuracy", series: series)
  }

  var classPlot: LinePlot {
    LinePlot(
      title: "Per-class recall", xLabel: "% of training images", yLabel: "recall",
      series: classes.indices.map {
        LineSeries(name: classes[$0], x: fractions.map { $0 * 100 }, y: perClass[$0])
      })
  }
}
