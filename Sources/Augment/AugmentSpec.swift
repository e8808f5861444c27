import Foundation
import ImageIO

/// Parses the `--augment` / `--ops` list (`flip,crop,color,pca`) into a pipeline whose
/// output is always `size x size`.
///
/// Names: `flip` (left-right, p = 0.5), `vflip` (top-bottom, p = 0.5), `crop`
/// (random-resized crop, area 35-100%), `color` (per-channel offsets ±20), `jitter`
/// (brightness/contrast/saturation ±0.2 plus offsets), `pca` (AlexNet lighting, σ = 0.1),
/// `rotate` (±10°, shear ±5°). Without `crop` the image is first resized to `size x size`.
public enum AugmentSpec {
  /// Every op name `parse` accepts.
  public static let known = ["flip", "vflip", "crop", "color", "jitter", "pca", "rotate"]

  /// The pipeline for `spec` (comma-separated names; empty means resize only).
  public static func parse(_ spec: String, size: Int,
                           statistics: ColorStatistics = .imagenet) throws -> Pipeline {
    let names = spec.split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces).lowercased()
    }.filter { !$0.isEmpty }
    if let unknown = names.first(where: { !known.contains($0) }) {
      throw AugmentError.unknownOp(unknown)
    }
    guard size > 0 else {
      throw AugmentError.invalidParameter("image size \(size) must be positive")
    }
    var ops = [any AugmentOp]()
    if !names.contains("crop") { ops.append(Resize(width: size, height: size)) }
    for name in names {
      switch name {
      case "flip": ops.append(HorizontalFlip())
      case "vflip": ops.append(VerticalFlip())
      case "crop": ops.append(RandomResizedCrop(width: size, height: size))
      case "color": ops.append(ColorShift())
      case "jitter": ops.append(ColorShift(brightness: 0.2, contrast: 0.2, saturation: 0.2))
      case "pca": ops.append(PCAJitter(statistics: statistics))
      default: ops.append(RandomAffine(maxDegrees: 10, maxShearDegrees: 5))
      }
    }
    return Pipeline(ops)
  }
}
