import Foundation
import ImageIO
import TensorCore

extension ClassificationReport {
  /// Writes every file into `directory` (created if needed): metrics.json, the per-class,
  /// confusion (counts and row %), most-confused, top-losses and per-image CSVs, the
  /// confusion matrix, top-losses contact sheet and reliability PNGs, and one thumbnail per
  /// image under `images/`. Returns each image's thumbnail path relative to `directory`
  /// (nil where the image could not be read again).
  @discardableResult
  public func write(to directory: URL, title: String) throws -> [String?] {
    do {
      try FileManager.default.createDirectory(
        at: directory.appendingPathComponent(FileName.thumbnails),
        withIntermediateDirectories: true)
    } catch {
      throw ReportError.writeFailed(path: directory.path, reason: "\(error)")
    }
    func put(_ name: String, _ data: Data) throws {
      try writeAtomically(data, to: directory.appendingPathComponent(name))
    }
    try put(FileName.metricsJSON, try json())
    try put(FileName.perClassCSV, Data(perClassTable.render().utf8))
    try put(FileName.confusionCSV, Data(metrics.confusion.countsCSV.render().utf8))
    try put(FileName.confusionPercentCSV, Data(confusionPercentTable.render().utf8))
    try put(FileName.mostConfusedCSV, Data(mostConfusedTable.render().utf8))
    let top = metrics.topLosses(topLossCount)
    try put(FileName.topLossesCSV, Data(predictionRows(top).render().utf8))
    try put(FileName.predictionsCSV, Data(predictionRows(Array(paths.indices)).render().utf8))
    let side = max(600, min(1200, 120 * classes.count + 240))
    try ConfusionMatrixPlot(matrix: metrics.confusion, title: "\(title): confusion")
      .render(width: side, height: side).write(to: directory.appendingPathComponent(FileName.confusionPlot))
    try reliabilityPlot.render(width: 640, height: 520)
      .write(to: directory.appendingPathComponent(FileName.reliabilityPlot))

    // Thumbnails: decoded again (with EXIF orientation) and fitted in a square.
    var thumbs = [Image?](repeating: nil, count: paths.count)
    thumbs.withUnsafeMutableBufferPointer { out in
      let size = thumbnailSize
      Parallel.forEach(paths.count) { i in
        out[i] = try? Self.thumbnail(Image.decode(file: paths[i]), fit: size)
      }
    }
    var sources = [String?](repeating: nil, count: paths.count)
    let digits = String(max(0, paths.count - 1)).count
    for (i, thumb) in thumbs.enumerated() {
      guard let thumb else { continue }
      let number = String(i)
      let name = FileName.thumbnails + "/"
        + String(repeating: "0", count: max(0, digits - number.count)) + number + ".png"
      try put(name, Data(try thumb.pngData()))
      sources[i] = name
    }
    let sheet = try TopLossesSheet.render(
      tiles: top.enumerated().map { rank, i in
        (thumbs[i], lossLines(i, rank: rank))
      }, cell: thumbnailSize)
    try sheet.write(to: directory.appendingPathComponent(FileName.topLossesSheet))
    return sources
  }

  /// The caption of example `i` in the top losses: rank and loss, true class, prediction.
  func lossLines(_ i: Int, rank: Int) -> [String] {
    [
      "#\(rank + 1) loss \(NiceScale.format(metrics.loss(i), fractionDigits: 2))",
      "true: \(classes[metrics.labels[i]])",
      "pred: \(classes[metrics.predictions[i]]) "
        + NiceScale.format(metrics.confidence(i), fractionDigits: 3),
    ]
  }

  /// `image` as 8-bit RGB, scaled so its longer side is `fit` (never enlarged).
  static func thumbnail(_ image: Image, fit: Int) throws -> Image {
    let scale = min(1, Double(fit) / Double(max(image.width, image.height)))
    let w = max(1, Int((Double(image.width) * scale).rounded()))
    let h = max(1, Int((Double(image.height) * scale).rounded()))
    var out = (w, h) == (image.width, image.height) ? image : try image.resized(width: w, height: h)
    if out.channels == 1 {
      let v = out.toRGB8().bytes
      out = try Image(width: w, height: h, channels: 3, pixels: .rgb8(v.flatMap { [$0, $0, $0] }))
    }
    return out.toRGB8()
  }
}

/// The top-losses contact sheet: each image fitted in a square cell with caption lines.
enum TopLossesSheet {
  static func render(tiles: [(image: Image?, lines: [String])], cell: Int) throws -> Canvas {
    let columns = max(1, min(4, tiles.count))
    let rows = max(1, (tiles.count + columns - 1) / columns)
    let gap = 12, lineHeight = BitmapFont.capHeight + 5
    let caption = 3 * lineHeight + 4
    var canvas = Canvas(
      width: columns * cell + (columns + 1) * gap,
      height: rows * (cell + caption) + (rows + 1) * gap)
    if tiles.isEmpty {
      canvas.drawText("no images", at: gap, gap)
    }
    for (k, tile) in tiles.enumerated() {
      let x0 = gap + (k % columns) * (cell + gap)
      let y0 = gap + (k / columns) * (cell + caption + gap)
      canvas.fillRect(PixelRect(x: x0, y: y0, width: cell, height: cell), color: .lightGray)
      if let image = tile.image {
        canvas.draw(image, atX: x0 + (cell - image.width) / 2, y: y0 + (cell - image.height) / 2)
      }
      for (j, line) in tile.lines.enumerated() {
        canvas.drawText(
          line, at: x0, y0 + cell + 5 + j * lineHeight,
          color: j == 2 ? RGB(198, 40, 40) : .black, bold: j == 0)
      }
    }
    return canvas
  }
}

extension Canvas {
  /// Copies an 8-bit RGB image with its top-left corner at `(x, y)` (clipped to the canvas).
  mutating func draw(_ image: Image, atX x: Int, y: Int) {
    let bytes = image.toRGB8().bytes
    for row in 0..<image.height {
      for col in 0..<image.width {
        let i = (row * image.width + col) * 3
        self[x + col, y + row] = RGB(bytes[i], bytes[i + 1], bytes[i + 2])
      }
    }
  }
}
