import Foundation
import ImageIO
import TensorCore
import Training

/// How a file becomes a network input: decode, (augment), resize to `size`×`size`
/// (as Keras's `load_img(target_size=)`), grayscale for 1-channel models, preprocess.
public struct ImagePipeline: Sendable {
  public var size: Int
  public var channels: Int
  public var preprocessing: Preprocessing
  /// Applied to the decoded image before resizing; nil for none.
  public var augment: (@Sendable (Image, inout SeededRNG) throws -> Image)?
  public var seed: UInt64

  public init(
    size: Int, channels: Int, preprocessing: Preprocessing, seed: UInt64 = 0,
    augment: (@Sendable (Image, inout SeededRNG) throws -> Image)? = nil
  ) {
    self.size = size
    self.channels = channels
    self.preprocessing = preprocessing
    self.seed = seed
    self.augment = augment
  }

  /// The input of one decoded image, `[size, size, channels]`, not yet preprocessed.
  /// `variant` 0 is the plain image; variant v ≥ 1 draws augmentation v of item `index`.
  public func pixels(_ image: Image, index: Int, variant: Int) throws -> Tensor {
    var img = image
    if variant > 0, let augment {
      var rng = SeededRNG(seed: seed).derived(UInt64(variant) << 32 | UInt64(index))
      img = try augment(img, &rng)
    }
    if img.width != size || img.height != size { img = try img.resized(width: size, height: size) }
    if channels == 1 && img.channels != 1 { img = img.grayscale() }
    return img.tensor()
  }

  /// A preprocessed batch `[N, size, size, channels]` of files, decoded in parallel.
  public func batch(paths: [String], indices: [Int], variants: [Int]) throws -> Tensor {
    let per = size * size * channels
    var out = [Float](repeating: 0, count: per * paths.count)
    var errors = [Error?](repeating: nil, count: paths.count)
    out.withUnsafeMutableBufferPointer { dst in
      errors.withUnsafeMutableBufferPointer { err in
        Parallel.forEach(paths.count) { j in
          do {
            let image = try Image.decode(file: paths[j])
            let t = try pixels(image, index: indices[j], variant: variants[j])
            guard t.count == per else {
              throw WorkflowError.badValue(
                option: "size", value: "\(size)", hint: "\(paths[j]) gave shape \(t.shape)")
            }
            t.withUnsafeBufferPointer { src in
              for k in 0..<per { dst[j * per + k] = src[k] }
            }
          } catch {
            err[j] = error
          }
        }
      }
    }
    if let first = errors.compactMap({ $0 }).first { throw first }
    var t = try Tensor(shape: [paths.count, size, size, channels], scalars: out)
    try preprocessing.apply(to: &t)
    return t
  }
}

/// Image files as a training set: decoded per batch, augmented per epoch when the pipeline
/// augments (epoch e draws variant e of every image).
public struct ImageBatches: BatchProvider {
  public let paths: [String]
  public let labels: [Int]
  public let pipeline: ImagePipeline
  /// False for validation/prediction: never augmented.
  public let augmented: Bool

  public init(paths: [String], labels: [Int], pipeline: ImagePipeline, augmented: Bool) {
    self.paths = paths
    self.labels = labels
    self.pipeline = pipeline
    self.augmented = augmented
  }

  public var count: Int { paths.count }

  public func inputs(_ indices: [Int], epoch: Int) throws -> Tensor {
    let variant = augmented && pipeline.augment != nil ? max(1, epoch) : 0
    return try pipeline.batch(
      paths: indices.map { paths[$0] }, indices: indices,
      variants: [Int](repeating: variant, count: indices.count))
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
