import Testing
@testable import ImageIO

@Suite struct ResizeTests {
  /// 8-bit resizes replicate Pillow's fixed-point arithmetic (Resample.c), so they match
  /// exactly. Pillow 13 runs the vertical pass first for some growing-width/shrinking-height
  /// sizes (31x9 here); our public resize always goes horizontal first and may then differ
  /// by ±1 level (the rounded intermediate), and the same size with the passes swapped must
  /// match exactly.
  @Test(arguments: ["7x5", "23x17", "16x5", "5x12", "3x2", "31x9"])
  func bilinearMatchesPillowExactly(size: String) throws {
    let parts = size.split(separator: "x").map { Int($0)! }
    let source = try Image.decode(file: Fixtures.path("photo.png"))
    let pillowVerticalFirst = size == "31x9"
    let expected = Fixtures.numbers(Fixtures.section("resize")[size]).map { UInt8($0) }
    let resized = try source.resized(width: parts[0], height: parts[1])
    #expect(resized.width == parts[0] && resized.height == parts[1])
    let worst = zip(resized.bytes, expected).map { abs(Int($0) - Int($1)) }.max() ?? 99
    #expect(worst <= (pillowVerticalFirst ? 1 : 0), "max difference \(worst)")
    let ordered = try source.resized(
      width: parts[0], height: parts[1], verticalFirst: pillowVerticalFirst)
    #expect(ordered.bytes == expected)
  }

  /// Float resizes match Pillow's "F" mode (float32 output) within 1e-3.
  @Test(arguments: ["7x5", "23x17"])
  func floatBilinearMatchesPillowModeF(size: String) throws {
    let parts = size.split(separator: "x").map { Int($0)! }
    let photo = try Image.decode(file: Fixtures.path("photo.png"))
    let red = try Image(
      width: 16, height: 12, channels: 1,
      pixels: .float(stride(from: 0, to: photo.floats.count, by: 3).map { photo.floats[$0] }))
    let resized = try red.resized(width: parts[0], height: parts[1])
    let expected = Fixtures.numbers(Fixtures.section("resize")["float-red-" + size])
    let worst = zip(resized.floats, expected).map { abs(Double($0) - $1) }.max() ?? 99
    #expect(worst < 1e-3, "max difference \(worst)")
  }

  @Test func centerCropTakesTheMiddle() throws {
    let image = try Image(
      width: 4, height: 3, channels: 1, pixels: .rgb8((0..<12).map { UInt8($0) }))
    #expect(try image.centerCropped(width: 2, height: 1).bytes == [5, 6])
    #expect(image.centerSquare().bytes == [0, 1, 2, 4, 5, 6, 8, 9, 10])
    #expect(throws: ImageError.self) { try image.cropped(x: 3, y: 0, width: 2, height: 1) }
  }
}

@Suite struct GreyTests {
  @Test func grayscaleEqualsPillowConvertL() throws {
    let photo = try Image.decode(file: Fixtures.path("photo.png"))
    let grey = photo.grayscale()
    let expected = Fixtures.numbers(Fixtures.section("grey")["photo.png"]).map { UInt8($0) }
    #expect(grey.channels == 1 && grey.bytes == expected)
    // The Float path uses the same weights without rounding: within half a level.
    let floatGrey = photo.toFloat().grayscale()
    #expect(zip(floatGrey.floats, expected).allSatisfy { abs($0 - Float($1)) <= 0.5 + 1e-3 })
  }
}
