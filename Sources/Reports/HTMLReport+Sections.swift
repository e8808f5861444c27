import Foundation

/// The standard sections of train, evaluate and compare reports.
extension HTMLReport.Section {
  /// A two-column table of settings (run options, data, weights).
  public static func settings(_ pairs: [(String, String)], title: String = "Settings")
    -> Self
  {
    Self(
      id: "settings", title: title,
      body: HTML.table(headers: ["setting", "value"], rows: pairs.map { [$0.0, $0.1] }))
  }

  /// Images beside the report (curves, plots), side by side when there is room.
  public static func figures(
    id: String, title: String, _ figures: [(src: String, alt: String, caption: String)],
    note: String = ""
  ) -> Self {
    Self(
      id: id, title: title,
      body: (note.isEmpty ? "" : HTML.paragraph(note, className: "note"))
        + "<div class=\"figures\">"
        + figures.map { HTML.figure($0.src, alt: $0.alt, caption: $0.caption) }.joined()
        + "</div>")
  }
}

extension ClassificationReport {
  /// The sections of this evaluation: summary, per-class table, confusion matrix (each cell
  /// opens its images), most confused pairs, top losses and reliability. `thumbnails` are
  /// `write`'s result and `folder` the path from the report to the folder `write` filled
  /// ("" when the same).
  public func sections(thumbnails: [String?], folder: String = "", what: String = "")
    -> [HTMLReport.Section]
  {
    let prefix = folder.isEmpty ? "" : folder + "/"
    let src = { (i: Int) in thumbnails.indices.contains(i) ? thumbnails[i].map { prefix + $0 } : nil }
    let of = what.isEmpty ? "" : " (\(what))"
    var out: [HTMLReport.Section] = []

    let cards = summary.map { (value: NiceScale.format($0.value, fractionDigits: 4), label: $0.name) }
    let files = "Files: " + [
      FileName.metricsJSON, FileName.perClassCSV, FileName.confusionCSV,
      FileName.confusionPercentCSV, FileName.mostConfusedCSV, FileName.topLossesCSV,
      FileName.predictionsCSV,
    ].map { prefix + $0 }.joined(separator: ", ")
    out.append(.init(
      id: "summary", title: "Summary\(of)",
      body: HTML.paragraph("\(metrics.count) images in \(classes.count) classes.")
        + HTML.cards(cards) + HTML.paragraph(files, className: "note")))

    let table = perClassTable
    out.append(.init(
      id: "per-class", title: "Per class",
      body: HTML.table(
        headers: table.header, rows: table.rows, numeric: [1, 2, 3, 4],
        totals: [classes.count])))

    out.append(.init(id: "confusion", title: "Confusion matrix", body: confusionBody(src)))

    let confused = metrics.mostConfused()
    out.append(.init(
      id: "most-confused", title: "Most confused",
      body: confused.isEmpty
        ? HTML.paragraph("No image was misclassified.")
        : HTML.table(
          headers: ["true", "predicted as", "images", "% of true class"],
          rows: mostConfusedTable.rows, numeric: [2, 3])))

    let top = metrics.topLosses(topLossCount)
    out.append(.init(
      id: "top-losses", title: "Top losses",
      body: HTML.paragraph(
        "The \(top.count) images with the highest loss (−log of the probability given to"
          + " the true class), highest first. Contact sheet: \(prefix + FileName.topLossesSheet);"
          + " table: \(prefix + FileName.topLossesCSV).", className: "note")
        + HTML.thumbs(top.enumerated().map { rank, i in
          HTML.Thumb(
            src: src(i), title: paths[i], lines: lossLines(i, rank: rank),
            emphasis: metrics.predictions[i] == metrics.labels[i] ? [] : [2])
        })))

    out.append(.figures(
      id: "reliability", title: "Calibration",
      [(prefix + FileName.reliabilityPlot, "reliability diagram",
        "Accuracy against mean top-1 confidence in \(bins) equal-width bins; a calibrated"
          + " model follows the diagonal. Expected calibration error "
          + NiceScale.format(metrics.expectedCalibrationError(bins: bins), fractionDigits: 4)
          + ".")]))
    return out
  }

  /// The matrix as a table (count and row %, shaded by row %): each cell links to a
  /// gallery of its images below, highest loss first.
  private func confusionBody(_ src: (Int) -> String?) -> String {
    let c = metrics.confusion
    let share = c.rowNormalized
    var members = [[[Int]]](
      repeating: [[Int]](repeating: [], count: classes.count), count: classes.count)
    for i in metrics.topLosses(metrics.count) {
      members[metrics.labels[i]][metrics.predictions[i]].append(i)
    }
    var rows = ""
    for t in classes.indices {
      rows += "<tr><th>\(HTML.escape(classes[t]))</th>"
      for p in classes.indices {
        let f = share[t][p]
        let label = "\(c.counts[t][p])<small>\(NiceScale.format(100 * f, fractionDigits: 1))%</small>"
        // Any non-empty cell gets a visible tint; the shade grows with the row share.
        let alpha = c.counts[t][p] == 0 ? 0 : 0.08 + 0.92 * f
        let style = "style=\"--f:\(NiceScale.format(alpha, fractionDigits: 3))\""
        let dark = f > 0.5 ? " class=\"dark\"" : ""
        rows += c.counts[t][p] == 0
          ? "<td class=\"cell\"><a \(style)>\(label)</a></td>"
          : "<td class=\"cell\"><a href=\"#cell-\(t)-\(p)\"\(dark) \(style)"
            + " title=\"\(HTML.escape("\(classes[t]) predicted as \(classes[p])"))\">\(label)</a></td>"
      }
      rows += "<td class=\"num\">\(c.support(t))</td></tr>\n"
    }
    let head = "<tr><th class=\"axis\">true ↓ / predicted →</th>"
      + classes.map { "<th>\(HTML.escape($0))</th>" }.joined() + "<th class=\"num\">images</th></tr>"
    var galleries = ""
    for t in classes.indices {
      for p in classes.indices where !members[t][p].isEmpty {
        let list = members[t][p]
        let shown = list.prefix(galleryLimit)
        let heading = "\(classes[t]) predicted as \(classes[p]): \(list.count) image(s)"
          + (list.count > shown.count ? ", the \(shown.count) with the highest loss shown" : "")
        galleries += "<div class=\"gallery\(t == p ? "" : " off")\" id=\"cell-\(t)-\(p)\">"
          + "<h3>\(HTML.escape(heading))</h3>"
          + HTML.thumbs(shown.map { i in
            HTML.Thumb(
              src: src(i), title: paths[i],
              lines: [
                (paths[i] as NSString).lastPathComponent,
                "\(classes[p]) " + NiceScale.format(metrics.confidence(i), fractionDigits: 3),
              ])
          }) + "</div>\n"
      }
    }
    return HTML.paragraph(
      "Rows are true classes, columns predictions; each cell shows its count and its share of"
        + " the row. Click a cell to see its images.", className: "note")
      + "<div class=\"scroll\"><table class=\"confusion\"><thead>\(head)</thead><tbody>\n"
      + rows + "</tbody></table></div>\n" + galleries
  }
}
