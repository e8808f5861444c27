extension Image {
  /// The `width x height` region whose top-left corner is (x, y); throws unless it lies inside.
  public func cropped(x: Int, y: Int, width w: Int, height h: Int) throws -> Image {
    guard w > 0, h > 0, x >= 0, y >= 0, x + w <= width, y + h <= height else {
      throw ImageError.invalidGeometry(
        "crop \(w)x\(h) at (\(x), \(y)) does not fit inside a \(width)x\(height) image")
    }
    return remapped(width: w, height: h) { cx, cy in (x + cx, y + cy) }
  }

  /// The central `width x height` region (offsets rounded down, as Keras/torchvision do).
  public func centerCropped(width w: Int, height h: Int) throws -> Image {
    try cropped(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)
  }

  /// The largest central square.
  public func centerSquare() -> Image {
    let side = min(width, height)
    return remapped(width: side, height: side) { cx, cy in
      ((width - side) / 2 + cx, (height - side) / 2 + cy)
    }
  }
}
