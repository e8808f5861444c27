import Foundation
import ImageIO
import TensorCore

/// Small random rotation and shear about the image centre, bilinear sampling, edges
/// replicated (so no black corners). Angles uniform in ±maxDegrees / ±maxShearDegrees.
public struct RandomAffine: AugmentOp {
  public let maxDegrees: Double
  public let maxShearDegrees: Double
  public var name: String { "rotate" }

  public init(maxDegrees: Double = 10, maxShearDegrees: Double = 0) {
    self.maxDegrees = maxDegrees
    self.maxShearDegrees = maxShearDegrees
  }

  public func apply(_ image: Image, rng: inout SeededRNG) throws -> Image {
    let angle = Double(rng.uniform(Float(-maxDegrees), Float(maxDegrees))) * .pi / 180
    let shear = Double(rng.uniform(Float(-maxShearDegrees), Float(maxShearDegrees))) * .pi / 180
    return try RandomAffine.transform(image, angle: angle, shear: shear)
  }

  /// `image` rotated by `angle` and sheared by `shear` (radians, about the centre).
  public static func transform(_ image: Image, angle: Double, shear: Double) throws -> Image {
    let w = image.width, h = image.height, c = image.channels
    let src = image.floats
    // Output → input mapping: inverse of rotation R(angle) · shear-x S(shear).
    let cosA = cos(angle), sinA = sin(angle), k = tan(shear)
    let cx = Double(w - 1) / 2, cy = Double(h - 1) / 2
    var out = [Float](repeating: 0, count: w * h * c)
    for y in 0..<h {
      for x in 0..<w {
        let dx = Double(x) - cx, dy = Double(y) - cy
        // Undo rotation, then undo shear.
        let rx = cosA * dx + sinA * dy, ry = -sinA * dx + cosA * dy
        let sx = min(max(rx - k * ry + cx, 0), Double(w - 1))
        let sy = min(max(ry + cy, 0), Double(h - 1))
        let x0 = Int(sx), y0 = Int(sy)
        let x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
        let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
        for ch in 0..<c {
          let a = src[(y0 * w + x0) * c + ch], b = src[(y0 * w + x1) * c + ch]
          let d = src[(y1 * w + x0) * c + ch], e = src[(y1 * w + x1) * c + ch]
          let top = a * (1 - fx) + b * fx, bottom = d * (1 - fx) + e * fx
          out[(y * w + x) * c + ch] = top * (1 - fy) + bottom * fy
        }
      }
    }
    return try Image(width: w, height: h, channels: c, pixels: .float(out))
  }
}
