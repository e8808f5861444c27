import ImageIO
import TensorCore

/// Colour augmentation on the 0-255 scale.
///
/// - `maxOffset`: each RGB channel gets its own offset, uniform in ±maxOffset (default 20).
/// - `brightness`, `contrast`, `saturation`: optional jitter strengths (0 = off). A factor is
///   drawn uniformly in [1 - s, 1 + s]; brightness multiplies, contrast blends with the
///   image's mean grey, saturation blends with the pixel's grey (as torchvision's ColorJitter).
///
/// Order: brightness, contrast, saturation, then the offsets; results clamp to 0...255.
public struct ColorShift: AugmentOp {
  public let maxOffset: Float
  public let brightness: Float
  public let contrast: Float
  public let saturation: Float
  public var name: String { "color" }

  /// The values one application drew.
  public struct Draw: Sendable, Equatable {
    public var offsets: [Float]
    public var brightness: Float
    public var contrast: Float
    public var saturation: Float
  }

  public init(maxOffset: Float = 20, brightness: Float = 0, contrast: Float = 0,
              saturation: Float = 0) {
    self.maxOffset = maxOffset
    self.brightness = brightness
    self.contrast = contrast
    self.saturation = saturation
  }

  /// Draws the random values of one application.
  public func draw(_ rng: inout SeededRNG) -> Draw {
    let offsets = (0..<3).map { _ in rng.uniform(-maxOffset, maxOffset) }
    func factor(_ s: Float) -> Float { s > 0 ? rng.uniform(1 - s, 1 + s) : 1 }
    let b = factor(brightness), c = factor(contrast), s = factor(saturation)
    return Draw(offsets: offsets, brightness: b, contrast: c, saturation: s)
  }

  public func apply(_ image: Image, rng: inout SeededRNG) throws -> Image {
    try apply(image, draw: draw(&rng))
  }

  /// `image` with the given draw applied (RGB images; grey images get the first offset).
  public func apply(_ image: Image, draw: Draw) throws -> Image {
    var v = image.floats
    let c = image.channels
    if draw.brightness != 1 {
      for i in v.indices { v[i] *= draw.brightness }
    }
    if draw.contrast != 1 || draw.saturation != 1, c == 3 {
      let pixels = v.count / 3
      var meanGrey: Float = 0
      for p in 0..<pixels { meanGrey += luma(v, p) }
      meanGrey /= Float(max(pixels, 1))
      for p in 0..<pixels {
        for k in 0..<3 {
          v[3 * p + k] = meanGrey + draw.contrast * (v[3 * p + k] - meanGrey)
        }
        let grey = luma(v, p)
        for k in 0..<3 {
          v[3 * p + k] = grey + draw.saturation * (v[3 * p + k] - grey)
        }
      }
    }
    for i in v.indices {
      v[i] = min(max(v[i] + draw.offsets[i % c % draw.offsets.count], 0), 255)
    }
    return try Image(width: image.width, height: image.height, channels: c, pixels: .float(v))
  }

  private func luma(_ v: [Float], _ p: Int) -> Float {
    0.299 * v[3 * p] + 0.587 * v[3 * p + 1] + 0.114 * v[3 * p + 2]
  }
}
