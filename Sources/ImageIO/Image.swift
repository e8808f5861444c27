/// A decoded image, row-major HWC, `channels` interleaved samples per pixel (3 = RGB, 1 = grey).
///
/// Pixels are either 8-bit (what a decoder produces and a PNG stores) or Float on the same
/// 0-255 scale (what resizing in float, augmentation and tensors use). Operations keep the
/// storage they were given unless they say otherwise.
public struct Image: Sendable, Equatable {
  /// The samples, `height * width * channels` of them.
  public enum Pixels: Sendable, Equatable {
    case rgb8([UInt8])
    case float([Float])
  }

  public let width: Int
  public let height: Int
  public let channels: Int
  public var pixels: Pixels

  /// An image over existing samples; throws when the count does not match the size.
  public init(width: Int, height: Int, channels: Int = 3, pixels: Pixels) throws {
    let count: Int
    switch pixels {
    case .rgb8(let values): count = values.count
    case .float(let values): count = values.count
    }
    guard width > 0, height > 0, channels > 0, count == width * height * channels else {
      throw ImageError.invalidSize(width: width, height: height, channels: channels, count: count)
    }
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }

  /// Internal initializer for operations that computed a matching count themselves.
  init(unchecked width: Int, _ height: Int, _ channels: Int, _ pixels: Pixels) {
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }

  /// A uniform 8-bit image, handy for tests and canvases.
  public init(width: Int, height: Int, channels: Int = 3, filledWith value: UInt8) {
    self.init(
      unchecked: max(width, 1), max(height, 1), channels,
      .rgb8([UInt8](repeating: value, count: max(width, 1) * max(height, 1) * channels)))
  }

  /// Whether the samples are stored as 8-bit.
  public var isRGB8: Bool {
    if case .rgb8 = pixels { return true }
    return false
  }

  /// The samples as Float (0-255 scale).
  public var floats: [Float] {
    switch pixels {
    case .rgb8(let values): return values.map { Float($0) }
    case .float(let values): return values
    }
  }

  /// The samples as bytes: Float samples are rounded and clamped to 0...255.
  public var bytes: [UInt8] {
    switch pixels {
    case .rgb8(let values): return values
    case .float(let values): return values.map { Image.clampToByte($0) }
    }
  }

  /// The same image with Float storage.
  public func toFloat() -> Image {
    Image(unchecked: width, height, channels, .float(floats))
  }

  /// The same image with 8-bit storage (rounded, clamped).
  public func toRGB8() -> Image {
    Image(unchecked: width, height, channels, .rgb8(bytes))
  }

  /// Sample at (x, y, c) as Float.
  public func sample(x: Int, y: Int, c: Int) -> Float {
    let i = (y * width + x) * channels + c
    switch pixels {
    case .rgb8(let values): return Float(values[i])
    case .float(let values): return values[i]
    }
  }

  @inline(__always) static func clampToByte(_ v: Float) -> UInt8 {
    let r = v.rounded()
    return r <= 0 ? 0 : (r >= 255 ? 255 : UInt8(r))
  }

  /// A new image of `width x height` whose pixel (x, y) is this image's pixel `source(x, y)`;
  /// storage is kept. Flips, crops and orientation fixes are all such remappings.
  func remapped(width w: Int, height h: Int, _ source: (Int, Int) -> (Int, Int)) -> Image {
    let c = channels
    func gather<T>(_ values: [T]) -> [T] {
      var out = [T]()
      out.reserveCapacity(w * h * c)
      for y in 0..<h {
        for x in 0..<w {
          let (sx, sy) = source(x, y)
          let base = (sy * width + sx) * c
          for k in 0..<c { out.append(values[base + k]) }
        }
      }
      return out
    }
    switch pixels {
    case .rgb8(let values): return Image(unchecked: w, h, c, .rgb8(gather(values)))
    case .float(let values): return Image(unchecked: w, h, c, .float(gather(values)))
    }
  }
}
