import Foundation
import ImageIO
import TensorCore

/// A Float image whose values are random in 40...215 (no clipping under ±40 shifts).
func randomImage(width: Int, height: Int, seed: UInt64, channels: Int = 3) -> Image {
  var rng = SeededRNG(seed: seed)
  let values = (0..<(width * height * channels)).map { _ in rng.uniform(40, 215) }
  return try! Image(width: width, height: height, channels: channels, pixels: .float(values))
}

/// A one-channel image whose value at (x, y) is x + 1000 y: any crop reveals its origin.
func coordinateImage(width: Int, height: Int) -> Image {
  var values = [Float]()
  for y in 0..<height { for x in 0..<width { values.append(Float(x + 1000 * y)) } }
  return try! Image(width: width, height: height, channels: 1, pixels: .float(values))
}

let testImagesDirectory: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("data/test-images").path
