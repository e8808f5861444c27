import ImageIO
import TensorCore

/// AlexNet's "fancy PCA" lighting noise: draws α ~ N(0, sigma²) per principal component and
/// adds Σⱼ αⱼ λⱼ pⱼ (0-1 scale, times 255) to every pixel, so colours move along the
/// data set's principal colour axes. Default statistics: ImageNet's; sigma 0.1.
/// Results clamp to 0...255.
public struct PCAJitter: AugmentOp {
  public let statistics: ColorStatistics
  public let sigma: Float
  public var name: String { "pca" }

  public init(statistics: ColorStatistics = .imagenet, sigma: Float = 0.1) {
    self.statistics = statistics
    self.sigma = sigma
  }

  /// The RGB offset (0-255 scale) of one draw of α.
  public func offset(alphas: [Float]) -> [Float] {
    (0..<3).map { c in
      var total = 0.0
      for j in 0..<3 {
        total += Double(alphas[j]) * statistics.eigenvalues[j] * statistics.eigenvectors[j][c]
      }
      return Float(total * 255)
    }
  }

  public func apply(_ image: Image, rng: inout SeededRNG) throws -> Image {
    let alphas = (0..<3).map { _ in rng.normal() * sigma }
    let shift = offset(alphas: alphas)
    var v = image.floats
    let c = image.channels
    for i in v.indices { v[i] = min(max(v[i] + shift[i % c], 0), 255) }
    return try Image(width: image.width, height: image.height, channels: c, pixels: .float(v))
  }
}
