/// A point in canvas coordinates: x to the right, y down, pixel `(i, j)` centred on `(i, j)`.
public struct CanvasPoint: Sendable, Equatable {
  /// Column, fractional.
  public var x: Double
  /// Row, fractional, growing downwards.
  public var y: Double

  /// The point `(x, y)`.
  public init(_ x: Double, _ y: Double) {
    self.x = x
    self.y = y
  }
}

/// An axis-aligned rectangle of whole pixels; `x`/`y` is the top-left pixel.
public struct PixelRect: Sendable, Equatable {
  /// Left column.
  public var x: Int
  /// Top row.
  public var y: Int
  /// Columns covered.
  public var width: Int
  /// Rows covered.
  public var height: Int

  /// The rectangle with top-left pixel `(x, y)`.
  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  /// One past the last column.
  public var maxX: Int { x + width }
  /// One past the last row.
  public var maxY: Int { y + height }

  /// Whether pixel `(px, py)` lies inside.
  public func contains(x px: Int, y py: Int) -> Bool {
    px >= x && px < maxX && py >= y && py < maxY
  }

  /// The overlap of two rectangles (empty when they do not meet).
  public func intersection(_ other: PixelRect) -> PixelRect {
    let x0 = max(x, other.x)
    let y0 = max(y, other.y)
    let x1 = min(maxX, other.maxX)
    let y1 = min(maxY, other.maxY)
    return PixelRect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
  }
}

/// An RGB8 raster that plots are drawn on.
///
/// Pixels are stored row-major, three bytes per pixel, no padding, which is the layout PNG
/// encoders take. Drawing never fails: anything outside the canvas (or outside `clip`) is
/// dropped, so callers can draw data that overshoots the plot area without checks.
public struct Canvas: Sendable, Equatable {
  /// Columns of pixels.
  public let width: Int
  /// Rows of pixels.
  public let height: Int
  /// `width * height * 3` bytes, row-major RGB.
  public private(set) var pixels: [UInt8]
  /// Drawing is limited to this rectangle; `nil` means the whole canvas.
  public var clip: PixelRect?

  /// A canvas filled with `background`. Negative sizes are treated as zero.
  public init(width: Int, height: Int, background: RGB = .white) {
    self.width = max(0, width)
    self.height = max(0, height)
    var row = [UInt8]()
    row.reserveCapacity(self.width * 3)
    for _ in 0..<self.width { row += [background.r, background.g, background.b] }
    pixels = [UInt8]()
    pixels.reserveCapacity(self.width * self.height * 3)
    for _ in 0..<self.height { pixels += row }
  }

  /// The whole canvas as a rectangle.
  public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

  private var drawable: PixelRect { clip.map { $0.intersection(bounds) } ?? bounds }

  /// The colour at `(x, y)`; reading outside the canvas returns white, writing there is a
  /// no-op (`clip` does not apply to the subscript).
  public subscript(x: Int, y: Int) -> RGB {
    get {
      guard x >= 0, x < width, y >= 0, y < height else { return .white }
      let i = (y * width + x) * 3
      return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }
    set {
      guard x >= 0, x < width, y >= 0, y < height else { return }
      let i = (y * width + x) * 3
      pixels[i] = newValue.r
      pixels[i + 1] = newValue.g
      pixels[i + 2] = newValue.b
    }
  }

  /// Paints `color` over pixel `(x, y)` with opacity `alpha` in [0, 1], respecting `clip`.
  public mutating func blend(x: Int, y: Int, color: RGB, alpha: Double) {
    guard alpha > 0, drawable.contains(x: x, y: y) else { return }
    if alpha >= 1 {
      self[x, y] = color
    } else {
      self[x, y] = self[x, y].mixed(with: color, alpha)
    }
  }

  /// Fills a rectangle of whole pixels.
  public mutating func fillRect(_ rect: PixelRect, color: RGB) {
    let r = rect.intersection(drawable)
    guard r.width > 0, r.height > 0 else { return }
    for y in r.y..<r.maxY {
      var i = (y * width + r.x) * 3
      for _ in 0..<r.width {
        pixels[i] = color.r
        pixels[i + 1] = color.g
        pixels[i + 2] = color.b
        i += 3
      }
    }
  }

  /// Draws the 1-pixel outline of a rectangle (inside its bounds).
  public mutating func strokeRect(_ rect: PixelRect, color: RGB, thickness: Int = 1) {
    let t = max(1, thickness)
    fillRect(PixelRect(x: rect.x, y: rect.y, width: rect.width, height: t), color: color)
    fillRect(PixelRect(x: rect.x, y: rect.maxY - t, width: rect.width, height: t), color: color)
    fillRect(PixelRect(x: rect.x, y: rect.y, width: t, height: rect.height), color: color)
    fillRect(PixelRect(x: rect.maxX - t, y: rect.y, width: t, height: rect.height), color: color)
  }

  /// A crisp horizontal line from `x0` to `x1` inclusive.
  public mutating func horizontalLine(x0: Int, x1: Int, y: Int, color: RGB, thickness: Int = 1) {
    let lo = min(x0, x1)
    fillRect(
      PixelRect(x: lo, y: y - (thickness - 1) / 2, width: abs(x1 - x0) + 1, height: thickness),
      color: color)
  }

  /// A crisp vertical line from `y0` to `y1` inclusive.
  public mutating func verticalLine(x: Int, y0: Int, y1: Int, color: RGB, thickness: Int = 1) {
    let lo = min(y0, y1)
    fillRect(
      PixelRect(x: x - (thickness - 1) / 2, y: lo, width: thickness, height: abs(y1 - y0) + 1),
      color: color)
  }
}
