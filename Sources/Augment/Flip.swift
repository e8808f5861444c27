import ImageIO
import TensorCore

/// Mirrors the image left-right with probability `probability` (default 0.5).
public struct HorizontalFlip: AugmentOp {
  public let probability: Float
  public var name: String { "flip" }

  public init(probability: Float = 0.5) { self.probability = probability }

  public func apply(_ image: Image, rng: inout SeededRNG) throws -> Image {
    rng.uniform() < probability ? image.flippedHorizontally() : image
  }
}

/// Mirrors the image top-bottom with probability `probability` (default 0.5). Off by
/// default in pipelines: most photos have a meaningful "up".
public struct VerticalFlip: AugmentOp {
  public let probability: Float
  public var name: String { "vflip" }

  public init(probability: Float = 0.5) { self.probability = probability }

  public func apply(_ image: Image, rng: inout SeededRNG) throws -> Image {
    rng.uniform() < probability ? image.flippedVertically() : image
  }
}
