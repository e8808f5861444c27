import Testing

@testable import Reports

/// Pixels of `canvas` equal to `color`.
func pixels(of color: RGB, in canvas: Canvas) -> [(x: Int, y: Int)] {
  var out: [(x: Int, y: Int)] = []
  for y in 0..<canvas.height {
    for x in 0..<canvas.width where canvas[x, y] == color { out.append((x, y)) }
  }
  return out
}

/// Number of pixels of `canvas` equal to `color`.
func count(of color: RGB, in canvas: Canvas) -> Int { pixels(of: color, in: canvas).count }

/// Pixels of `canvas` that are not white.
func inkCount(_ canvas: Canvas) -> Int {
  var n = 0
  for y in 0..<canvas.height {
    for x in 0..<canvas.width where canvas[x, y] != .white { n += 1 }
  }
  return n
}

@Suite struct CanvasTests {
  let red = RGB(255, 0, 0)

  @Test func newCanvasIsBackgroundAndStoresRGBRowMajor() {
    var c = Canvas(width: 3, height: 2, background: RGB(1, 2, 3))
    #expect(c.pixels.count == 18)
    #expect(c[2, 1] == RGB(1, 2, 3))
    c[1, 1] = RGB(9, 8, 7)
    #expect(Array(c.pixels[12..<15]) == [9, 8, 7])  // (1 + 1 * 3) * 3 = 12
    #expect(c[5, 5] == .white)  // outside reads white, never traps
  }

  @Test func fillRectIsExactAndClipped() {
    var c = Canvas(width: 10, height: 10)
    c.fillRect(PixelRect(x: 2, y: 3, width: 4, height: 2), color: red)
    let hits = pixels(of: red, in: c)
    #expect(hits.count == 8)
    #expect(hits.allSatisfy { (2..<6).contains($0.x) && (3..<5).contains($0.y) })
    c.fillRect(PixelRect(x: -5, y: 8, width: 100, height: 100), color: red)
    #expect(pixels(of: red, in: c).count == 8 + 20)
    c.clip = PixelRect(x: 0, y: 0, width: 1, height: 1)
    c.fillRect(PixelRect(x: 0, y: 0, width: 10, height: 3), color: .black)
    #expect(pixels(of: .black, in: c).count == 1)
  }

  @Test func horizontalLineCoversItsRowOnly() {
    var c = Canvas(width: 30, height: 11)
    c.drawLine(from: CanvasPoint(2, 5), to: CanvasPoint(20, 5), color: red, width: 1)
    for x in 2...20 { #expect(c[x, 5] == red) }
    #expect(c[10, 4] == .white && c[10, 6] == .white)
    #expect(c[23, 5] == .white)
  }

  @Test func diagonalLineIsAntiAliasedAroundItsPath() {
    var c = Canvas(width: 21, height: 21)
    c.drawLine(from: CanvasPoint(0, 0), to: CanvasPoint(20, 20), color: red, width: 1)
    for i in 0...20 { #expect(c[i, i] == red) }
    // Neighbours at distance 0.707 get partial coverage: lighter than red, not white.
    let side = c[10, 11]
    #expect(side != red && side != .white && side.r == 255 && side.g > 100)
    #expect(c[15, 5] == .white)
  }

  @Test func dashedLineAlternatesInkAndGaps() {
    var c = Canvas(width: 60, height: 10)
    c.drawPolyline(
      [CanvasPoint(0, 5), CanvasPoint(59, 5)], color: red, width: 1,
      style: .dashed(on: 8, off: 5))
    // Dashes cover [0, 8], [13, 21], [26, 34], …; gap centres stay white.
    #expect(c[4, 5] == red && c[17, 5] == red && c[30, 5] == red)
    #expect(c[10, 5] == .white && c[11, 5] == .white && c[24, 5] == .white)
  }

  @Test func dashPhaseContinuesAcrossCorners() {
    var c = Canvas(width: 40, height: 40)
    // First leg is 10 px: the dash (8 on, 5 off) ends at 8, so the second leg starts in
    // a gap that lasts 3 more pixels.
    c.drawPolyline(
      [CanvasPoint(0, 5), CanvasPoint(10, 5), CanvasPoint(10, 35)], color: red,
      style: .dashed(on: 8, off: 5))
    #expect(c[10, 6] == .white)
    #expect(c[10, 12] == red)
  }

  @Test func filledCircleHasAboutPiRSquaredPixels() {
    var c = Canvas(width: 40, height: 40)
    c.fillCircle(center: CanvasPoint(20, 20), radius: 10, color: red)
    let full = pixels(of: red, in: c).count
    #expect(c[20, 20] == red && c[20, 11] == red && c[20, 8] == .white)
    #expect(abs(Double(full) - Double.pi * 100) < 40)  // edge pixels are blended, not full
  }

  @Test func everyMarkerDrawsInkAroundItsCentre() {
    for marker in Marker.allCases {
      var c = Canvas(width: 20, height: 20)
      c.drawMarker(marker, at: CanvasPoint(10, 10), size: 7, color: red)
      let hits = pixels(of: red, in: c)
      if marker == .none {
        #expect(hits.isEmpty)
      } else {
        #expect(hits.count >= 12, "\(marker)")
        #expect(hits.allSatisfy { abs($0.x - 10) <= 4 && abs($0.y - 10) <= 4 }, "\(marker)")
        #expect(c[10, 10] == red, "\(marker)")
      }
    }
  }

  @Test func sideBySideCopiesEachCanvas() {
    let a = Canvas(width: 2, height: 3, background: red)
    let b = Canvas(width: 4, height: 1, background: .black)
    let s = Canvas.sideBySide([a, b])
    #expect(s.width == 6 && s.height == 3)
    #expect(s[1, 2] == red && s[2, 0] == .black && s[2, 1] == .white)
  }

  @Test func colourHelpers() {
    #expect(RGB(hex: 0x1F77B4) == RGB(31, 119, 180))
    #expect(RGB.black.mixed(with: .white, 0.5) == RGB(128, 128, 128))
    #expect(Palette.blues(0).luminance > 0.95)
    #expect(Palette.blues(1).luminance < 0.25)
    #expect(Palette.blues(0.3).luminance > Palette.blues(0.6).luminance)
    #expect(Palette.color(10) == Palette.color(0))
  }
}
