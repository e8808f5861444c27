import Foundation
import ImageIO
import TensorCore

/// What `ftune augment` does: writes `count` augmented variants of each image as PNGs and,
/// optionally, a contact sheet (one row per image: the original, then its variants).
///
/// Variants are numbered `1...count` like training epochs: variant `k` of image `i` is
/// `Pipeline.variant(k, of:index: i, seed:)`, exactly what `ftune train --augment` feeds for
/// the i-th training image in epoch `k` (and what `BatchLoader` yields in epoch `k`) with the
/// same seed, ops and size.
public struct AugmentPreview: Sendable {
  public var images: [String]
  public var ops: String
  public var count: Int
  public var seed: UInt64
  public var size: Int
  public var outputDirectory: String
  public var previewPath: String?
  public var statistics: ColorStatistics
  public var decodeOptions: DecodeOptions

  public init(images: [String], ops: String, count: Int = 8, seed: UInt64 = 0, size: Int = 224,
              outputDirectory: String, previewPath: String? = nil,
              statistics: ColorStatistics = .imagenet,
              decodeOptions: DecodeOptions = DecodeOptions()) {
    self.images = images
    self.ops = ops
    self.count = count
    self.seed = seed
    self.size = size
    self.outputDirectory = outputDirectory
    self.previewPath = previewPath
    self.statistics = statistics
    self.decodeOptions = decodeOptions
  }

  /// Runs the job; returns the paths written (variants, then the preview).
  @discardableResult
  public func run() throws -> [String] {
    guard count >= 1 else {
      throw AugmentError.invalidParameter("--count \(count) must be at least 1")
    }
    guard !images.isEmpty else {
      throw AugmentError.invalidParameter("give at least one IMAGE to augment")
    }
    let pipeline = try AugmentSpec.parse(ops, size: size, statistics: statistics)
    do {
      try FileManager.default.createDirectory(
        atPath: outputDirectory, withIntermediateDirectories: true)
    } catch {
      throw ImageError.writeFailed(path: outputDirectory, reason: "\(error.localizedDescription)")
    }
    var written = [String]()
    var rows = [[Image]]()
    var usedStems = Set<String>()
    for (i, path) in images.enumerated() {
      let original = try Image.decode(file: path, options: decodeOptions)
      var stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
      if !usedStems.insert(stem).inserted { stem += "-\(i)" }
      var row = [original]
      for k in 1...count {
        let variant = try pipeline.variant(k, of: original, index: i, seed: seed)
        let target = outputDirectory + "/\(stem)-aug\(k).png"
        try variant.writePNG(to: target)
        written.append(target)
        row.append(variant)
      }
      rows.append(row)
    }
    if let previewPath {
      try ContactSheet.make(rows: rows).writePNG(to: previewPath)
      written.append(previewPath)
    }
    return written
  }
}
