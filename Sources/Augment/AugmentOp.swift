import ImageIO
import TensorCore

/// One augmentation step. Every random choice is drawn from the generator passed in, so a
/// pipeline run with the same seed gives identical bytes on any machine and thread count.
public protocol AugmentOp: Sendable {
  /// A short name for logs and previews (`flip`, `crop`, ...).
  var name: String { get }
  /// This step applied to `image`, drawing what it needs from `rng`.
  func apply(_ image: Image, rng: inout SeededRNG) throws -> Image
}

/// Steps applied in order.
public struct Pipeline: AugmentOp {
  public let ops: [any AugmentOp]
  public var name: String { ops.map(\.name).joined(separator: ",") }

  public init(_ ops: [any AugmentOp]) { self.ops = ops }

  public func apply(_ image: Image, rng: inout SeededRNG) throws -> Image {
    var current = image
    for op in ops { current = try op.apply(current, rng: &rng) }
    return current
  }
}

/// Deterministic resize to a fixed size (Pillow-exact bilinear, see `Image.resized`).
public struct Resize: AugmentOp {
  public let width: Int
  public let height: Int
  public var name: String { "resize" }

  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }

  public func apply(_ image: Image, rng: inout SeededRNG) throws -> Image {
    try image.resized(width: width, height: height)
  }
}

extension SeededRNG {
  /// Uniform integer in `range` (both ends included); the range must not be empty.
  mutating func integer(in range: ClosedRange<Int>) -> Int {
    let span = UInt64(range.upperBound - range.lowerBound) + 1
    return range.lowerBound + Int(next() % span)
  }

  /// The generator of image `index` in `epoch` of a run seeded with `seed`: independent of
  /// the order images are processed in, so loaders are deterministic for any thread count.
  public static func forImage(seed: UInt64, epoch: Int, index: Int) -> SeededRNG {
    SeededRNG(seed: seed).derived(UInt64(epoch) &+ 1).derived(UInt64(index))
  }
}
