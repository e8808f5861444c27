import Foundation

extension Canvas {
  /// The canvas as a binary PPM (P6) image: a debugging aid that any viewer opens.
  func ppmData() -> Data {
    var data = Data("P6\n\(width) \(height)\n255\n".utf8)
    data.append(contentsOf: pixels)
    return data
  }
}
