import Augment
import ImageIO
import TensorCore

/// `--augment` for training: the Augment pipeline without its final resize (the image
/// pipeline resizes), or nil when nothing is asked for.
enum Augmentation {
  static func make(_ names: [String]) throws -> (
    @Sendable (Image, inout SeededRNG) throws -> Image
  )? {
    guard !names.isEmpty else { return nil }
    // The pipeline resizes to its size; 0 would be refused, so pass a placeholder that the
    // image pipeline's own resize then overrides: crops keep the image's aspect.
    let spec = names.joined(separator: ",")
    return { image, rng in
      let side = min(image.width, image.height)
      let pipeline = try AugmentSpec.parse(spec, size: side)
      return try pipeline.apply(image, rng: &rng)
    }
  }
}
