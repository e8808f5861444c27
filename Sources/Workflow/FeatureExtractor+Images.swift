import Features
import Foundation
import ImageIO
import TensorCore

extension FeatureExtractor {
  /// Features of image files (variant 0: plain; v ≥ 1: augmentation variant v), computing
  /// only what the store lacks. The batches to compute are decoded and augmented ahead on
  /// `ImageBatches`' background loader while the network runs on the previous one.
  public func features(
    ofImages paths: [String], pipeline: ImagePipeline, variant: Int = 0
  ) throws -> (features: Tensor, stats: Stats) {
    let items = try paths.map {
      FeatureItem(image: try FeatureItem.hash(fileAt: URL(fileURLWithPath: $0)), variant: variant)
    }
    let source = ImageBatches(
      paths: paths, labels: [Int](repeating: 0, count: paths.count), pipeline: pipeline,
      augmented: variant > 0)
    return try features(
      for: items, plan: { source.willRequest($0, epoch: variant) },
      load: { try source.inputs($0, epoch: variant) })
  }
}
