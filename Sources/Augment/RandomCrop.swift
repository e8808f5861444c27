import Foundation
import ImageIO
import TensorCore

/// A `width x height` window at a uniformly random position (every position equally
/// likely). An image smaller than the window is first scaled up (aspect kept) to cover it.
public struct RandomCrop: AugmentOp {
  public let width: Int
  public let height: Int
  public var name: String { "crop" }

  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }

  public func apply(_ image: Image, rng: inout SeededRNG) throws -> Image {
    var source = image
    if source.width < width || source.height < height {
      let scale = max(Double(width) / Double(source.width), Double(height) / Double(source.height))
      source = try source.resized(
        width: max(width, Int((Double(source.width) * scale).rounded(.up))),
        height: max(height, Int((Double(source.height) * scale).rounded(.up))))
    }
    let x = rng.integer(in: 0...(source.width - width))
    let y = rng.integer(in: 0...(source.height - height))
    return try source.cropped(x: x, y: y, width: width, height: height)
  }
}

/// Inception-style random-resized crop: a region covering a random fraction `scale` of the
/// image area with a random aspect ratio (log-uniform in `ratio`), resized to
/// `width x height`. Ten tries to fit the region inside, then a central crop of the nearest
/// valid aspect ratio (as torchvision does).
///
/// Defaults keep crops "reasonably large": area 35-100% (Inception used 8-100%, which is
/// harsh for small fine-tuning sets), aspect 3/4-4/3.
public struct RandomResizedCrop: AugmentOp {
  public let width: Int
  public let height: Int
  public let scale: ClosedRange<Double>
  public let ratio: ClosedRange<Double>
  public var name: String { "crop" }

  public init(width: Int, height: Int, scale: ClosedRange<Double> = 0.35...1.0,
              ratio: ClosedRange<Double> = (3.0 / 4.0)...(4.0 / 3.0)) {
    self.width = width
    self.height = height
    self.scale = scale
    self.ratio = ratio
  }

  /// The region (x, y, w, h) this op would cut from a `imageWidth x imageHeight` image.
  public func region(imageWidth: Int, imageHeight: Int, rng: inout SeededRNG)
    -> (x: Int, y: Int, width: Int, height: Int)
  {
    let area = Double(imageWidth * imageHeight)
    let logLow = log(ratio.lowerBound), logHigh = log(ratio.upperBound)
    for _ in 0..<10 {
      let target = area * Double(rng.uniform(Float(scale.lowerBound), Float(scale.upperBound)))
      let aspect = exp(Double(rng.uniform(Float(logLow), Float(logHigh))))
      let w = Int((target * aspect).squareRoot().rounded())
      let h = Int((target / aspect).squareRoot().rounded())
      if w > 0, h > 0, w <= imageWidth, h <= imageHeight {
        let x = rng.integer(in: 0...(imageWidth - w))
        let y = rng.integer(in: 0...(imageHeight - h))
        return (x, y, w, h)
      }
    }
    // Fallback: the whole image, trimmed to the allowed aspect range, centred.
    let inRatio = Double(imageWidth) / Double(imageHeight)
    var w = imageWidth, h = imageHeight
    if inRatio < ratio.lowerBound {
      h = max(1, Int((Double(w) / ratio.lowerBound).rounded()))
    } else if inRatio > ratio.upperBound {
      w = max(1, Int((Double(h) * ratio.upperBound).rounded()))
    }
    return ((imageWidth - w) / 2, (imageHeight - h) / 2, w, h)
  }

  public func apply(_ image: Image, rng: inout SeededRNG) throws -> Image {
    let r = region(imageWidth: image.width, imageHeight: image.height, rng: &rng)
    return try image.cropped(x: r.x, y: r.y, width: r.width, height: r.height)
      .resized(width: width, height: height)
  }
}
