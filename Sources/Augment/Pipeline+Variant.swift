import ImageIO
import TensorCore

extension Pipeline {
  /// Augmented variant `variant` of image `index` in a run seeded with `seed`.
  ///
  /// The one derivation every consumer shares: training feeds variant `e` of each image in
  /// epoch `e` (1-based; `BatchLoader` epoch `e`), the feature cache stores variant `v` for
  /// its v-th augmented pass, and `ftune augment` writes variant `k` as `NAME-augK.png`.
  /// Variant 0 means "not augmented" to those callers; here it is just another seed.
  public func variant(_ variant: Int, of image: Image, index: Int, seed: UInt64) throws
    -> Image
  {
    var rng = SeededRNG.forImage(seed: seed, epoch: variant, index: index)
    return try apply(image, rng: &rng)
  }
}
