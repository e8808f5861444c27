import Augment
import Dataset
import Features
import Foundation
import ImageIO
import KerasIO
import Models
import TensorCore
import Training

/// One fold's samples, by index into the data set.
struct FoldInputs {
  var fold: Int
  var train: [Int]
  var validation: [Int]
  var samples: [ImageDataset.Sample]
  /// SHA-256 of every sample's file, in data set order.
  var hashes: [String]
}

extension CompareWorkflow {
  /// Training and validation inputs of one row on one fold: cached features at the cut when
  /// everything before it is frozen (augmented variants for an augmentation set), else
  /// images (augmented per epoch).
  ///
  /// `standardize` (a head alone on the features) scales each channel with the training
  /// fold's statistics, as a logistic-regression pipeline would (`CompareStandardizer`).
  func prepareInputs(
    _ f: FoldInputs, graph: Graph, strategy: CompareStrategy, augmentSet: AugmentSet,
    base: BaseModel, store: FeatureStore, standardize: Bool = false
  ) throws -> (train: any BatchProvider, validation: any BatchProvider,
    inputs: CompareResult.Inputs)
  {
    let s = settings
    let trainSamples = f.train.map { f.samples[$0] }
    let valSamples = f.validation.map { f.samples[$0] }
    // Colour statistics for PCA lighting come from the training fold only.
    let augment = try Self.augmentation(
      augmentSet.ops, trainPaths: trainSamples.map(\.path), size: base.size)
    let pipeline = ImagePipeline(
      size: base.size, channels: base.channels, preprocessing: base.preprocessing,
      seed: s.training.seed &+ UInt64(f.fold), augmentation: augment)
    let cacheable =
      s.cache && !strategy.freezesNothing && strategy.cut > 0
      && graph.isSelfContained(cut: strategy.cut)
    guard cacheable else {
      let train = ImageBatches(
        paths: trainSamples.map(\.path), labels: trainSamples.map(\.label),
        pipeline: pipeline, augmented: true)
      let validation = ImageBatches(
        paths: valSamples.map(\.path), labels: valSamples.map(\.label), pipeline: pipeline,
        augmented: false)
      return (train, validation, .images(nothingFrozen: strategy.freezesNothing))
    }

    let key = try FeatureKey(
      graph: graph, cut: strategy.cut, preprocessing: base.preprocessing, size: base.size,
      layerOptions: kerasOptionsFingerprint)
    let extractor = FeatureExtractor(
      graph: graph, cut: strategy.cut, key: key, store: store, batchSize: s.training.batchSize)
    // Variant 0 (the plain image) for validation and un-augmented training.
    let plain = ImagePipeline(
      size: base.size, channels: base.channels, preprocessing: base.preprocessing,
      seed: s.training.seed)
    var validation = try Self.features(
      f.validation, variant: 0, f: f, extractor: extractor, pipeline: plain)
    guard let augment else {
      var train = try Self.features(
        f.train, variant: 0, f: f, extractor: extractor, pipeline: plain)
      if standardize {
        let z = CompareStandardizer(fitting: [train.data])
        train = try TensorBatches(data: z.apply(train.data), labels: train.labels)
        validation = try TensorBatches(data: z.apply(validation.data), labels: validation.labels)
      }
      return (train, validation, .cached(variants: 0))
    }
    // K augmented variants per training image: --cache-variants K, else one per epoch (as
    // training on images would draw). Entries live under a key that adds the ops, the seed
    // and the colour statistics, and each image's variants are seeded by its content, so
    // an entry is the same whichever fold, head or strategy asks for it.
    let k = s.cacheVariants > 1 ? s.cacheVariants : s.training.epochs
    let variantKey = key.augmented(
      augment.identity(seed: s.training.seed) + ";index=content-sha256")
    let augmented = FeatureExtractor(
      graph: graph, cut: strategy.cut, key: variantKey, store: store,
      batchSize: s.training.batchSize)
    let seeded = ImagePipeline(
      size: base.size, channels: base.channels, preprocessing: base.preprocessing,
      seed: s.training.seed, augmentation: augment)
    var variants = try (1...k).map {
      try Self.features(f.train, variant: $0, f: f, extractor: augmented, pipeline: seeded)
    }
    if standardize {
      let z = CompareStandardizer(fitting: variants.map(\.data))
      variants = try variants.map { try TensorBatches(data: z.apply($0.data), labels: $0.labels) }
      validation = try TensorBatches(data: z.apply(validation.data), labels: validation.labels)
    }
    let train = VariantBatches(variants: variants, labels: f.train.map { f.samples[$0].label })
    return (train, validation, .cached(variants: k))
  }

  /// Features of the samples `indices` for one variant, from the store or computed.
  static func features(
    _ indices: [Int], variant: Int, f: FoldInputs, extractor: FeatureExtractor,
    pipeline: ImagePipeline
  ) throws -> TensorBatches {
    let items = indices.map { FeatureItem(image: f.hashes[$0], variant: variant) }
    let (features, _) = try extractor.features(for: items) { idx in
      try pipeline.batch(
        paths: idx.map { f.samples[indices[$0]].path },
        indices: idx.map { contentIndex(f.hashes[indices[$0]]) }, variant: variant)
    }
    return try TensorBatches(data: features, labels: indices.map { f.samples[$0].label })
  }

  /// A per-image seed index taken from its content hash (not its position in a fold).
  static func contentIndex(_ hash: String) -> Int {
    Int(UInt32(hash.prefix(8), radix: 16) ?? 0)
  }

  /// The augmentation of `ops` at the network's input `size`, with PCA lighting statistics
  /// fitted on `trainPaths` (never on validation); nil without ops.
  static func augmentation(_ ops: [String], trainPaths: [String], size: Int) throws
    -> Augmentation?
  {
    guard !ops.isEmpty else { return nil }
    let statistics =
      ops.contains("pca") ? try ColorStatistics.computed(paths: trainPaths) : .imagenet
    return try Augmentation(ops, size: size, statistics: statistics)
  }
}
