import Augment
import ImageIO
import TensorCore

extension BatchLoader {
  /// A loader over image files: each sample is decoded (bad files handled per `badImages`,
  /// skipped ones passed to `report`), augmented by `pipeline` (nil: plain resize), brought to
  /// `size x size` and to `channels` (1 = Pillow-style grey), then batched and preprocessed
  /// per `configuration.preprocessing`, all on background threads.
  public convenience init(
    samples: [ImageDataset.Sample], pipeline: Pipeline?, size: Int, channels: Int = 3,
    epoch: Int, configuration: Configuration, decodeOptions: DecodeOptions = DecodeOptions(),
    badImages: BadImagePolicy = .error,
    report: @escaping @Sendable (ImageError) -> Void = { _ in }
  ) {
    self.init(labels: samples.map(\.label), epoch: epoch, configuration: configuration) {
      index, rng in
      guard
        var image = try ImageDataset.load(
          samples[index], options: decodeOptions, policy: badImages, report: report)
      else { return nil }
      if let pipeline { image = try pipeline.apply(image, rng: &rng) }
      if image.width != size || image.height != size {
        image = try image.resized(width: size, height: size)
      }
      return channels == 1 ? image.grayscale() : image
    }
  }
}
