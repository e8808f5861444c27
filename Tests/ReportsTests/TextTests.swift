import Testing

@testable import Reports

@Suite struct TextTests {
  @Test func glyphTableIsCompleteAndWellFormed() {
    #expect(BitmapFont.asciiRows.count == 95)
    for (i, rows) in BitmapFont.asciiRows.enumerated() {
      #expect(BitmapFont.parse(rows) != nil, "glyph for ASCII \(i + 32)")
    }
    for (c, rows) in BitmapFont.extraRows {
      #expect(BitmapFont.parse(rows) != nil, "glyph for \(c)")
    }
    // A typo that duplicates a glyph would make two characters unreadable apart.
    #expect(Set(BitmapFont.ascii.map { $0.map(String.init).joined(separator: ",") }).count == 95)
    // Everything but the space has ink.
    for (i, glyph) in BitmapFont.ascii.enumerated() where i > 0 {
      #expect(glyph.contains { $0 != 0 }, "glyph for ASCII \(i + 32)")
    }
  }

  @Test func letterRendersItsBitmapExactly() {
    var c = Canvas(width: 10, height: 10)
    c.drawText("A", at: 1, 1, color: .black)
    let expected = [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"]
    for (row, pattern) in expected.enumerated() {
      for (col, ch) in pattern.enumerated() {
        #expect((c[1 + col, 1 + row] == .black) == (ch == "#"), "A at \(col),\(row)")
      }
    }
    #expect(inkCount(c) == expected.joined().filter { $0 == "#" }.count)
  }

  @Test func scaleMagnifiesEachPixel() {
    var one = Canvas(width: 40, height: 20)
    one.drawText("g5", at: 0, 0)
    var three = Canvas(width: 40, height: 30)
    three.drawText("g5", at: 0, 0, scale: 3)
    #expect(inkCount(three) == 9 * inkCount(one))
    #expect(three[3, 6] == .black)  // "g" row 2 ".####": column 1 → pixels 3..5, rows 6..8
    #expect(three[2, 6] == .white)
  }

  @Test func textMetricsAndAnchors() {
    #expect(BitmapFont.width(of: "abc") == 17)
    #expect(BitmapFont.width(of: "abc", scale: 2) == 34)
    #expect(BitmapFont.width(of: "") == 0)
    var c = Canvas(width: 50, height: 20)
    c.drawText("I", at: 40, 10, horizontal: .right, vertical: .bottom)
    // "I" is ".###." on top: rightmost ink column is 40 - 1, bottom row 10.
    #expect(c[39, 10] == .black && c[39, 4] == .black && c[40, 10] == .white)
    #expect(c[38, 3] == .white)
  }

  @Test func verticalTextIsRotatedCounterClockwise() {
    var c = Canvas(width: 20, height: 40)
    c.drawText("L", at: 2, 30, vertical: .bottom, orientation: .vertical)
    // Unrotated, "L" is a left column plus a bottom row. Rotated CCW, the column becomes the
    // bottom row of the box (text reads upward) and the baseline row becomes the right side.
    var inkX: [Int] = []
    var inkY: [Int] = []
    for y in 0..<40 {
      for x in 0..<20 where c[x, y] == .black {
        inkX.append(x)
        inkY.append(y)
      }
    }
    #expect(inkX.min() == 2 && inkX.max() == 8)  // 7 rows of the glyph
    #expect(inkY.max() == 30 && inkY.min() == 26)  // 5 columns of the glyph
    for x in 2...8 { #expect(c[x, 30] == .black) }  // the L's stem
    for y in 26...30 { #expect(c[8, y] == .black) }  // its foot
  }

  @Test func unknownCharactersDrawAsQuestionMark() {
    var a = Canvas(width: 10, height: 10)
    a.drawText("€", at: 0, 0)
    var b = Canvas(width: 10, height: 10)
    b.drawText("?", at: 0, 0)
    #expect(a == b)
    #expect(!BitmapFont.hasGlyph("€") && BitmapFont.hasGlyph("±"))
  }

  @Test func truncationKeepsBothEnds() {
    let m = PlotMetrics(textScale: 1)
    #expect(truncate("short", to: 100, metrics: m) == "short")
    let cut = truncate("class_number_10", to: BitmapFont.width(of: "class_n…10"), metrics: m)
    #expect(cut == "class…r_10")
    #expect(m.textWidth(cut) <= BitmapFont.width(of: "class_n…10"))
  }
}
