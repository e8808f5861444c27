import Foundation
import ImageIO
import Runtime
import TensorCore

/// The RGB covariance of a training set and its principal components, on the 0-1 pixel
/// scale (AlexNet's "PCA on the set of RGB pixel values"). Cached as JSON.
public struct ColorStatistics: Sendable, Equatable, Codable {
  /// Mean RGB, 0-1 scale.
  public var mean: [Double]
  /// Row-major 3x3 covariance, 0-1 scale.
  public var covariance: [Double]
  /// Eigenvalues of `covariance`, largest first.
  public var eigenvalues: [Double]
  /// `eigenvectors[j]` belongs to `eigenvalues[j]`; unit length.
  public var eigenvectors: [[Double]]
  /// Pixels the statistics were computed from (0 for published values).
  public var pixelCount: Int
  /// Identifies the files the statistics came from (see `computed(paths:...)`), if any.
  public var fingerprint: String?

  /// ImageNet's published principal components (AlexNet; the values fb.resnet.torch and
  /// torchvision reference scripts use), for when no statistics were computed.
  public static let imagenet = ColorStatistics(
    mean: [0.485, 0.456, 0.406], covariance: [],
    eigenvalues: [0.2175, 0.0188, 0.0045],
    eigenvectors: [
      [-0.5675, -0.5808, -0.5836],
      [0.7192, -0.0045, -0.6948],
      [0.4009, -0.8140, 0.4203],
    ],
    pixelCount: 0)

  public init(mean: [Double], covariance: [Double], eigenvalues: [Double],
              eigenvectors: [[Double]], pixelCount: Int) {
    self.mean = mean
    self.covariance = covariance
    self.eigenvalues = eigenvalues
    self.eigenvectors = eigenvectors
    self.pixelCount = pixelCount
  }

  /// Statistics from a covariance matrix (0-1 scale), decomposed with `SymmetricEigen3`.
  public init(mean: [Double], covariance: [Double], pixelCount: Int) {
    let eigen = SymmetricEigen3(covariance)
    self.init(mean: mean, covariance: covariance, eigenvalues: eigen.values.map { max($0, 0) },
              eigenvectors: eigen.vectors, pixelCount: pixelCount)
  }

  /// Accumulates pixel sums over many images (in any order; sums are exact in Double for
  /// realistic data-set sizes), then yields the statistics.
  public struct Accumulator: Sendable {
    private var count = 0
    private var sum = [Double](repeating: 0, count: 3)
    private var products = [Double](repeating: 0, count: 9)

    public init() {}

    /// Adds another accumulator's sums (merge per-image accumulators in a fixed order to
    /// keep results bit-identical for any thread count).
    public mutating func merge(_ other: Accumulator) {
      count += other.count
      for i in 0..<3 { sum[i] += other.sum[i] }
      for i in 0..<9 { products[i] += other.products[i] }
    }

    /// Adds every pixel of an RGB image.
    public mutating func add(_ image: Image) {
      guard image.channels == 3 else { return }
      let v = image.floats
      for p in 0..<(v.count / 3) {
        let rgb = [Double(v[3 * p]) / 255, Double(v[3 * p + 1]) / 255, Double(v[3 * p + 2]) / 255]
        for i in 0..<3 {
          sum[i] += rgb[i]
          for j in 0..<3 { products[3 * i + j] += rgb[i] * rgb[j] }
        }
      }
      count += v.count / 3
    }

    /// The statistics so far; ImageNet's when nothing was added.
    public func finish() -> ColorStatistics {
      guard count > 1 else { return .imagenet }
      let n = Double(count)
      let mean = sum.map { $0 / n }
      var covariance = [Double](repeating: 0, count: 9)
      for i in 0..<3 {
        for j in 0..<3 {
          covariance[3 * i + j] = (products[3 * i + j] - n * mean[i] * mean[j]) / (n - 1)
        }
      }
      return ColorStatistics(mean: mean, covariance: covariance, pixelCount: count)
    }
  }

  /// Writes the statistics as JSON, atomically.
  public func write(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(try encoder.encode(self), to: path)
  }

  /// Reads statistics written by `write(to:)`.
  public static func read(from path: String) throws -> ColorStatistics {
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      return try JSONDecoder().decode(ColorStatistics.self, from: data)
    } catch {
      throw AugmentError.badStatistics(path: path, reason: "\(error)")
    }
  }
}

/// Augmentation problems a user can cause.
public enum AugmentError: Error, Equatable, CustomStringConvertible {
  case unknownOp(String)
  case badStatistics(path: String, reason: String)
  case invalidParameter(String)

  public var description: String {
    switch self {
    case .unknownOp(let name):
      return "unknown augmentation '\(name)'; use a comma-separated list of "
        + AugmentSpec.known.joined(separator: ", ")
    case .badStatistics(let path, let reason):
      return "\(path): cannot read colour statistics (\(reason)); delete it to recompute"
    case .invalidParameter(let message):
      return message
    }
  }
}
