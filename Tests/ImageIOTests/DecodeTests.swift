import Foundation
import Testing
@testable import ImageIO

@Suite struct DecodeTests {
  /// Files whose decode must equal Pillow's (or the stated construction) exactly.
  @Test(arguments: [
    "photo.png", "gray.png", "gray16.png", "rgb16.png", "bilevel.png", "palette.png",
    "palette_trns.png", "rgba.png", "gray_alpha.png",
  ])
  func pngDecodesToKnownValues(name: String) throws {
    let image = try Image.decode(file: Fixtures.path(name))
    let (w, h, rgb) = Fixtures.decoded(name)
    #expect(image.width == w && image.height == h && image.channels == 3)
    #expect(image.bytes == rgb)
  }

  /// libjpeg-turbo here and in Pillow may differ in IDCT/upsampling details: ±2 allowed.
  @Test(arguments: ["photo.jpg", "gray.jpg", "cmyk.jpg", "orient6.jpg"])
  func jpegMatchesPillowWithinTwoLevels(name: String) throws {
    let image = try Image.decode(file: Fixtures.path(name))
    let (w, h, rgb) = Fixtures.decoded(name)
    #expect(image.width == w && image.height == h)
    let worst = zip(image.bytes, rgb).map { abs(Int($0) - Int($1)) }.max() ?? 99
    #expect(worst <= 2, "max difference \(worst)")
  }

  @Test func exifOrientationIsHonouredOrIgnoredOnRequest() throws {
    let upright = try Image.decode(file: Fixtures.path("orient6.jpg"))
    let raw = try Image.decode(
      file: Fixtures.path("orient6.jpg"), options: DecodeOptions(applyOrientation: false))
    #expect(raw.width == 16 && raw.height == 12)
    #expect(upright.width == 12 && upright.height == 16)
    #expect(raw.oriented(exif: 6) == upright)
  }

  @Test func orientationsComposeAsTheirGeometrySays() throws {
    let image = try Image(width: 3, height: 2, channels: 1, pixels: .rgb8([1, 2, 3, 4, 5, 6]))
    // 6 = rotate 90° clockwise: the left column, read bottom-up, becomes the top row.
    #expect(image.oriented(exif: 6).bytes == [4, 1, 5, 2, 6, 3])
    #expect(image.oriented(exif: 8).bytes == [3, 6, 2, 5, 1, 4])
    #expect(image.oriented(exif: 3).bytes == [6, 5, 4, 3, 2, 1])
    #expect(image.oriented(exif: 5).bytes == [1, 4, 2, 5, 3, 6])
    #expect(image.oriented(exif: 7).bytes == [6, 3, 5, 2, 4, 1])
    #expect(image.oriented(exif: 2).bytes == [3, 2, 1, 6, 5, 4])
    #expect(image.oriented(exif: 4).bytes == [4, 5, 6, 1, 2, 3])
  }

  @Test(arguments: [
    ("truncated.jpg", "corrupt"), ("truncated.png", "corrupt"), ("corrupt.jpg", "corrupt"),
    ("corrupt.png", "corrupt"), ("empty.jpg", "empty"), ("not-an-image.png", "notAnImage"),
    ("no-such-file.jpg", "unreadable"),
  ])
  func badFilesGiveTypedErrorsNamingTheFile(name: String, kind: String) {
    let path = Fixtures.path(name)
    do {
      _ = try Image.decode(file: path)
      Issue.record("\(name) decoded without an error")
    } catch let error as ImageError {
      #expect(error.path == path)
      #expect(error.description.contains(path))
      let actual: String
      switch error {
      case .corrupt: actual = "corrupt"
      case .empty: actual = "empty"
      case .notAnImage: actual = "notAnImage"
      case .unreadable: actual = "unreadable"
      default: actual = "\(error)"
      }
      #expect(actual == kind)
    } catch {
      Issue.record("untyped error \(error)")
    }
  }

  @Test func pixelLimitRefusesLargeImagesBeforeDecoding() throws {
    let options = DecodeOptions(maxPixels: 100)  // photo is 16x12 = 192 pixels
    for name in ["photo.jpg", "photo.png"] {
      #expect(throws: ImageError.tooLarge(
        path: Fixtures.path(name), width: 16, height: 12, limit: 100)) {
        try Image.decode(file: Fixtures.path(name), options: options)
      }
    }
    #expect(try Image.decode(file: Fixtures.path("photo.png"),
                             options: DecodeOptions(maxPixels: 192)).width == 16)
  }

  @Test func pngRoundTripsThroughTheEncoder() throws {
    let original = try Image.decode(file: Fixtures.path("photo.png"))
    let again = try Image.decode(bytes: try original.pngData())
    #expect(again == original)
    let gray = try Image(width: 2, height: 2, channels: 1, pixels: .rgb8([0, 85, 170, 255]))
    #expect(try Image.decode(bytes: try gray.pngData()).bytes
      == [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255])
  }

  @Test func writePNGIsAtomicAndLeavesNoTemporaryFiles() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-png-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let image = Image(width: 3, height: 2, filledWith: 7)
    let path = dir.appendingPathComponent("out.png").path
    try image.writePNG(to: path)
    try image.flippedHorizontally().writePNG(to: path)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.png"])
    #expect(try Image.decode(file: path) == image)
  }
}

@Suite struct ExifTests {
  /// An APP1 segment holding a one-entry IFD0 with Orientation = `value`.
  private func app1(orientation value: UInt16, bigEndian: Bool) -> [UInt8] {
    func u16(_ v: UInt16) -> [UInt8] {
      bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)]
    }
    func u32(_ v: UInt32) -> [UInt8] {
      let b = [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
      return bigEndian ? b : b.reversed()
    }
    var tiff: [UInt8] = bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]
    tiff += u16(42) + u32(8) + u16(1)
    tiff += u16(0x0112) + u16(3) + u32(1) + u16(value) + [0, 0]
    tiff += u32(0)
    let payload = Array("Exif".utf8) + [0, 0] + tiff
    let length = UInt16(payload.count + 2)
    return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
  }

  @Test(arguments: [(UInt16(8), true), (UInt16(3), false), (UInt16(5), true), (UInt16(1), false)])
  func orientationIsReadInBothByteOrders(value: UInt16, bigEndian: Bool) throws {
    let jpeg = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("photo.jpg"))))
    let tagged = Array(jpeg.prefix(2)) + app1(orientation: value, bigEndian: bigEndian)
      + Array(jpeg.dropFirst(2))
    let plain = try Image.decode(bytes: jpeg)
    #expect(try Image.decode(bytes: tagged) == plain.oriented(exif: Int(value)))
  }

  @Test func zeroByteAndMisnamedFilesAreTypedErrors() {
    #expect(throws: ImageError.empty(path: "empty.png")) {
      try Image.decode(bytes: [], name: "empty.png")
    }
    #expect(throws: ImageError.notAnImage(path: "text.jpg")) {
      try Image.decode(bytes: Array("not a jpeg".utf8), name: "text.jpg")
    }
    // A PNG signature followed by garbage is a damaged PNG, not "not an image".
    let fake: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
    #expect(throws: ImageError.self) { try Image.decode(bytes: fake, name: "fake.png") }
    do {
      _ = try Image.decode(bytes: fake, name: "fake.png")
    } catch let error as ImageError {
      if case .corrupt(let path, let format, _) = error {
        #expect(path == "fake.png" && format == "PNG")
      } else {
        Issue.record("expected .corrupt, got \(error)")
      }
    } catch {
      Issue.record("untyped \(error)")
    }
  }
}
