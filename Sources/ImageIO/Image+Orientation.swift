extension Image {
  /// This image turned upright per an EXIF orientation value (1...8), as Pillow's
  /// `ImageOps.exif_transpose` does; 1 and unknown values return it unchanged.
  public func oriented(exif orientation: Int) -> Image {
    let w = width, h = height
    switch orientation {
    case 2: return remapped(width: w, height: h) { x, y in (w - 1 - x, y) }
    case 3: return remapped(width: w, height: h) { x, y in (w - 1 - x, h - 1 - y) }
    case 4: return remapped(width: w, height: h) { x, y in (x, h - 1 - y) }
    case 5: return remapped(width: h, height: w) { x, y in (y, x) }
    case 6: return remapped(width: h, height: w) { x, y in (y, h - 1 - x) }
    case 7: return remapped(width: h, height: w) { x, y in (w - 1 - y, h - 1 - x) }
    case 8: return remapped(width: h, height: w) { x, y in (w - 1 - y, x) }
    default: return self
    }
  }

  /// Mirror image left-right.
  public func flippedHorizontally() -> Image {
    remapped(width: width, height: height) { x, y in (width - 1 - x, y) }
  }

  /// Mirror image top-bottom.
  public func flippedVertically() -> Image {
    remapped(width: width, height: height) { x, y in (x, height - 1 - y) }
  }
}
