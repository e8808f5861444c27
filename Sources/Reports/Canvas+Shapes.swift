/// How a line is stroked.
public enum LineStyle: Sendable, Equatable {
  case solid
  /// Dashes and gaps of the given lengths in pixels.
  case dashed(on: Double, off: Double)

  /// The usual dash for a second series: 8 px on, 5 px off.
  public static let dashed = LineStyle.dashed(on: 8, off: 5)
  /// Short dots: 2 px on, 4 px off.
  public static let dotted = LineStyle.dashed(on: 2, off: 4)
}

/// A point symbol drawn at each data point.
public enum Marker: Sendable, Equatable, CaseIterable {
  /// Circles on short series (at most 40 points), nothing on longer ones.
  case automatic
  case none, circle, square, diamond, triangle

  /// The marker actually drawn on a series of `count` points.
  public func resolved(count: Int) -> Marker {
    self == .automatic ? (count <= 40 ? .circle : .none) : self
  }
}

extension Canvas {
  /// An anti-aliased line of the given width with round ends.
  ///
  /// Coverage comes from each pixel's distance to the segment, which handles every slope and
  /// width with one loop and keeps the centre of a line of width ≥ 1 at exactly `color`.
  public mutating func drawLine(
    from a: CanvasPoint, to b: CanvasPoint, color: RGB, width lineWidth: Double = 1
  ) {
    let half = max(lineWidth, 0.5) / 2
    guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
    let pad = half + 1
    let area = PixelRect(
      x: Int((min(a.x, b.x) - pad).rounded(.down)),
      y: Int((min(a.y, b.y) - pad).rounded(.down)),
      width: Int((abs(a.x - b.x) + 2 * pad).rounded(.up)) + 1,
      height: Int((abs(a.y - b.y) + 2 * pad).rounded(.up)) + 1
    ).intersection(clip.map { $0.intersection(bounds) } ?? bounds)
    guard area.width > 0, area.height > 0 else { return }
    let dx = b.x - a.x
    let dy = b.y - a.y
    let lengthSquared = dx * dx + dy * dy
    for y in area.y..<area.maxY {
      for x in area.x..<area.maxX {
        let px = Double(x) - a.x
        let py = Double(y) - a.y
        let t = lengthSquared > 0 ? min(max((px * dx + py * dy) / lengthSquared, 0), 1) : 0
        let ex = px - t * dx
        let ey = py - t * dy
        let distance = (ex * ex + ey * ey).squareRoot()
        let coverage = min(max(half + 0.5 - distance, 0), 1)
        blend(x: x, y: y, color: color, alpha: coverage)
      }
    }
  }

  /// A connected line through `points`; dashes continue across corners.
  public mutating func drawPolyline(
    _ points: [CanvasPoint], color: RGB, width: Double = 1, style: LineStyle = .solid
  ) {
    guard points.count > 1 else { return }
    switch style {
    case .solid:
      for i in 1..<points.count {
        drawLine(from: points[i - 1], to: points[i], color: color, width: width)
      }
    case .dashed(let on, let off):
      let on = max(on, 0.5)
      let off = max(off, 0.5)
      // `phase` is how far into the current on+off period the pen is.
      var phase = 0.0
      for i in 1..<points.count {
        let a = points[i - 1]
        let b = points[i]
        let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
        guard length > 0, length.isFinite else { continue }
        var s = 0.0
        while s < length {
          let inDash = phase < on
          let step = min(length - s, inDash ? on - phase : on + off - phase)
          if inDash {
            let p0 = CanvasPoint(a.x + (b.x - a.x) * s / length, a.y + (b.y - a.y) * s / length)
            let s1 = s + step
            let p1 = CanvasPoint(
              a.x + (b.x - a.x) * s1 / length, a.y + (b.y - a.y) * s1 / length)
            drawLine(from: p0, to: p1, color: color, width: width)
          }
          s += step
          phase += step
          if phase >= on + off - 1e-9 { phase = 0 }
        }
      }
    }
  }

  /// A filled, anti-aliased disc.
  public mutating func fillCircle(center c: CanvasPoint, radius: Double, color: RGB) {
    guard c.x.isFinite, c.y.isFinite, radius > 0 else { return }
    let x0 = Int((c.x - radius - 1).rounded(.down))
    let x1 = Int((c.x + radius + 1).rounded(.up))
    let y0 = Int((c.y - radius - 1).rounded(.down))
    let y1 = Int((c.y + radius + 1).rounded(.up))
    for y in y0...y1 {
      for x in x0...x1 {
        let dx = Double(x) - c.x
        let dy = Double(y) - c.y
        let coverage = min(max(radius + 0.5 - (dx * dx + dy * dy).squareRoot(), 0), 1)
        blend(x: x, y: y, color: color, alpha: coverage)
      }
    }
  }

  /// Draws `marker` centred on `c`, `size` pixels across.
  public mutating func drawMarker(_ marker: Marker, at c: CanvasPoint, size: Double, color: RGB) {
    let r = size / 2
    switch marker {
    case .none:
      return
    case .circle, .automatic:
      fillCircle(center: c, radius: r, color: color)
    case .square:
      let side = Int(size.rounded())
      let x = Int((c.x - Double(side - 1) / 2).rounded())
      let y = Int((c.y - Double(side - 1) / 2).rounded())
      fillRect(PixelRect(x: x, y: y, width: side, height: side), color: color)
    case .diamond, .triangle:
      // Scan-fill by testing each pixel centre against the shape.
      let x0 = Int((c.x - r - 1).rounded(.down))
      let x1 = Int((c.x + r + 1).rounded(.up))
      let y0 = Int((c.y - r - 1).rounded(.down))
      let y1 = Int((c.y + r + 1).rounded(.up))
      for y in y0...y1 {
        for x in x0...x1 {
          let dx = Double(x) - c.x
          let dy = Double(y) - c.y
          let inside: Bool
          if marker == .diamond {
            inside = abs(dx) + abs(dy) <= r + 0.25
          } else {
            // Upward triangle: apex at top, base at c.y + r/2 (centroid at c).
            let top = -r
            let base = r / 2
            let halfWidthAtY = (dy - top) / (base - top) * r * 1.1
            inside = dy >= top && dy <= base && abs(dx) <= halfWidthAtY
          }
          if inside { blend(x: x, y: y, color: color, alpha: 1) }
        }
      }
    }
  }
}
