import Augment
import Dataset
import Foundation
import ImageIO
import Models
import TensorCore
import Training

/// How a file becomes a network input: decode, (augment), resize to `size`×`size`
/// (as Keras's `load_img(target_size=)`), grayscale for 1-channel models, preprocess.
public struct ImagePipeline: Sendable {
  public var size: Int
  public var channels: Int
  public var preprocessing: Preprocessing
  /// Ops parsed at `size`; nil for none.
  public var augmentation: Augmentation?
  public var seed: UInt64

  public init(
    size: Int, channels: Int, preprocessing: Preprocessing, seed: UInt64 = 0,
    augmentation: Augmentation? = nil
  ) {
    self.size = size
    self.channels = channels
    self.preprocessing = preprocessing
    self.seed = seed
    self.augmentation = augmentation
  }

  /// The network's view of one decoded image before preprocessing: `variant` 0 is the plain
  /// image; variant v ≥ 1 is `Pipeline.variant(v, of:index:seed:)` (what `ftune augment`
  /// writes as variant v of its image `index`), then resized and greyed as needed.
  public func image(_ decoded: Image, index: Int, variant: Int) throws -> Image {
    var img = decoded
    if variant > 0, let augmentation {
      img = try augmentation.pipeline.variant(variant, of: img, index: index, seed: seed)
    }
    if img.width != size || img.height != size { img = try img.resized(width: size, height: size) }
    if channels == 1 && img.channels != 1 { img = img.grayscale() }
    return img
  }

  /// The input of one decoded image, `[size, size, channels]`, not yet preprocessed and not
  /// augmented (prediction crops).
  public func pixels(_ image: Image) throws -> Tensor {
    try self.image(image, index: 0, variant: 0).tensor()
  }

  /// A preprocessed batch `[N, size, size, channels]` of files, decoded in parallel on the
  /// calling thread (the synchronous path; `ImageBatches` prepares batches ahead instead).
  public func batch(paths: [String], indices: [Int], variant: Int) throws -> Tensor {
    var images = [Image?](repeating: nil, count: paths.count)
    var errors = [Error?](repeating: nil, count: paths.count)
    images.withUnsafeMutableBufferPointer { dst in
      errors.withUnsafeMutableBufferPointer { err in
        Parallel.forEach(paths.count) { j in
          do {
            dst[j] = try image(Image.decode(file: paths[j]), index: indices[j], variant: variant)
          } catch {
            err[j] = error
          }
        }
      }
    }
    if let first = errors.compactMap({ $0 }).first { throw first }
    var t = try Image.batch(images.compactMap { $0 })
    try preprocessing.apply(to: &t)
    return t
  }
}

/// Image files as a training (or evaluation) set. Epoch e feeds augmentation variant e of
/// every image when `augmented` and the pipeline augments, else the plain images.
///
/// When the caller announces its batches (`willRequest`, as `Trainer` does each epoch), an
/// Augment `BatchLoader` decodes and augments them on background threads, at most `prefetch`
/// batches ahead, while the current batch computes. Bytes do not depend on that: a batch
/// made ahead equals the one `ImagePipeline.batch` makes on demand.
public final class ImageBatches: BatchProvider, @unchecked Sendable {
  public let paths: [String]
  public let labels: [Int]
  public let pipeline: ImagePipeline
  /// False for validation/prediction: never augmented.
  public let augmented: Bool
  /// Decoding threads of the background loader.
  public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
  /// Batches prepared ahead (the bound on the loader's memory).
  public var prefetch = 2

  private let lock = NSLock()
  private var loader: BatchLoader?
  private var loaderVariant = 0
  private var counts = (prepared: 0, onDemand: 0)

  public init(paths: [String], labels: [Int], pipeline: ImagePipeline, augmented: Bool) {
    self.paths = paths
    self.labels = labels
    self.pipeline = pipeline
    self.augmented = augmented
  }

  public var count: Int { paths.count }

  /// Batches served from the background loader, and made on demand (not announced).
  public var servedBatches: (prepared: Int, onDemand: Int) {
    lock.lock()
    defer { lock.unlock() }
    return counts
  }

  /// The augmentation variant epoch `epoch` feeds.
  public func variant(epoch: Int) -> Int {
    augmented && pipeline.augmentation != nil ? max(1, epoch) : 0
  }

  public func willRequest(_ batches: [[Int]], epoch: Int) {
    let variant = variant(epoch: epoch)
    let (paths, pipeline) = (self.paths, self.pipeline)
    let configuration = BatchLoader.Configuration(
      seed: pipeline.seed, shuffle: false, threads: threads, prefetch: prefetch,
      preprocessing: pipeline.preprocessing)
    // The transform recomputes the generator through `ImagePipeline.image` (the same
    // `SeededRNG.forImage` the loader passes), so both paths share one derivation.
    let next = BatchLoader(
      batches: batches, labels: labels, epoch: variant, configuration: configuration
    ) { index, _ in
      try pipeline.image(Image.decode(file: paths[index]), index: index, variant: variant)
    }
    lock.lock()
    loader = next  // the replaced loader (if any) stops when released
    loaderVariant = variant
    lock.unlock()
  }

  public func inputs(_ indices: [Int], epoch: Int) throws -> Tensor {
    let variant = variant(epoch: epoch)
    lock.lock()
    let current = loaderVariant == variant ? loader : nil
    lock.unlock()
    if let current {
      if let batch = try current.next(), batch.indices == indices {
        lock.lock()
        counts.prepared += 1
        lock.unlock()
        return batch.images
      }
      // The caller left its plan (or the plan ran out): stop preparing, serve on demand.
      lock.lock()
      if loader === current { loader = nil }
      lock.unlock()
    }
    lock.lock()
    counts.onDemand += 1
    lock.unlock()
    return try pipeline.batch(
      paths: indices.map { paths[$0] }, indices: indices, variant: variant)
  }
}

/// Cached features with K augmented variants per image: epoch e reads variant
/// `(e - 1) % K + 1` (or variant 0 when nothing is augmented).
public struct VariantBatches: BatchProvider {
  /// `variants[v]` holds every sample's features for variant index v.
  public let variants: [TensorBatches]
  public let labels: [Int]

  public init(variants: [TensorBatches], labels: [Int]) {
    self.variants = variants
    self.labels = labels
  }

  public var count: Int { labels.count }

  public func inputs(_ indices: [Int], epoch: Int) throws -> Tensor {
    let v = variants.count == 1 ? 0 : (max(1, epoch) - 1) % variants.count
    return try variants[v].inputs(indices, epoch: epoch)
  }
}
