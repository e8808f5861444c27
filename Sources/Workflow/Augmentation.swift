import Augment
import Foundation
import ImageIO
import TensorCore

/// `--augment` for training: the ops parsed at the network's input side, exactly as
/// `ftune augment --ops OPS --size SIZE` parses them, so its preview shows what training feeds.
public struct Augmentation: Sendable {
  /// Comma-separated op names, as given.
  public let spec: String
  public let size: Int
  public let statistics: ColorStatistics
  /// Output `size x size`.
  public let pipeline: Pipeline

  /// Bumped whenever the same spec, seed and statistics would draw different images (a new
  /// RNG derivation, op semantics): it is part of the feature cache key of augmented
  /// variants, so entries made the old way are never reused. v1 (unversioned) drew
  /// `SeededRNG(seed).derived(v << 32 | i)` and parsed ops at the image's shorter side.
  public static let derivationVersion = 2

  /// Nil when `names` is empty (no augmentation).
  public init?(_ names: [String], size: Int, statistics: ColorStatistics = .imagenet) throws {
    guard !names.isEmpty else { return nil }
    spec = names.joined(separator: ",")
    self.size = size
    self.statistics = statistics
    pipeline = try AugmentSpec.parse(spec, size: size, statistics: statistics)
  }

  /// What identifies the images this augmentation draws with `seed`: derivation version,
  /// ops, size, seed and colour statistics (a feature cache key ingredient).
  public func identity(seed: UInt64) -> String {
    let stats = (statistics.eigenvalues + statistics.eigenvectors.flatMap { $0 })
      .map { String($0.bitPattern, radix: 16) }.joined(separator: ",")
    return "augment-v\(Self.derivationVersion);ops=\(spec);size=\(size);seed=\(seed);pca=\(stats)"
  }
}
