import ImageIO

/// A grid of thumbnails: one row per source image, the original first, then its variants.
public enum ContactSheet {
  /// Lays out `rows` (each a list of images) as `cell x cell` thumbnails (centre square,
  /// Pillow-bilinear resize) with `gap` white pixels between them.
  public static func make(rows: [[Image]], cell: Int = 160, gap: Int = 4) throws -> Image {
    let columns = rows.map(\.count).max() ?? 0
    guard !rows.isEmpty, columns > 0, cell > 0 else {
      throw AugmentError.invalidParameter("a contact sheet needs at least one image")
    }
    let width = columns * cell + (columns + 1) * gap
    let height = rows.count * cell + (rows.count + 1) * gap
    var canvas = [UInt8](repeating: 255, count: width * height * 3)
    for (r, row) in rows.enumerated() {
      for (c, image) in row.enumerated() {
        let rgb = image.channels == 3 ? image : try grey(toRGB: image)
        let thumb = try rgb.centerSquare().resized(width: cell, height: cell).bytes
        let x0 = gap + c * (cell + gap), y0 = gap + r * (cell + gap)
        for y in 0..<cell {
          let dst = ((y0 + y) * width + x0) * 3
          let src = y * cell * 3
          canvas.replaceSubrange(dst..<(dst + cell * 3), with: thumb[src..<(src + cell * 3)])
        }
      }
    }
    return try Image(width: width, height: height, channels: 3, pixels: .rgb8(canvas))
  }

  private static func grey(toRGB image: Image) throws -> Image {
    let v = image.floats
    return try Image(
      width: image.width, height: image.height, channels: 3,
      pixels: .float(v.flatMap { [$0, $0, $0] }))
  }
}
