import Foundation
import ImageIO

extension Canvas {
  /// The canvas as an 8-bit RGB `Image` (throws for an empty canvas).
  public func image() throws -> Image {
    try Image(width: width, height: height, channels: 3, pixels: .rgb8(pixels))
  }

  /// PNG bytes of the canvas, encoded by ImageIO's libpng encoder.
  public func pngData() throws -> Data {
    Data(try image().pngData())
  }

  /// Writes the canvas as a PNG to `url`, atomically.
  public func write(to url: URL) throws {
    let data: Data
    do {
      data = try pngData()
    } catch {
      throw ReportError.writeFailed(path: url.path, reason: "\(error)")
    }
    try writeAtomically(data, to: url)
  }
}
