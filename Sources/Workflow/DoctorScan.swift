import Dataset
import Features
import Foundation
import ImageIO

/// What `ftune doctor` learns from reading each file once: its content hashes (file bytes and
/// decoded pixels), its size and whether it is grey, or why it cannot be decoded.
public struct DoctorImageFacts: Sendable, Equatable {
  public var path: String
  /// SHA-256 of the file's bytes: the feature cache's key, and exact duplicates.
  public var fileHash: String
  /// SHA-256 of the decoded 8-bit RGB pixels and their size: the same picture saved again
  /// (another PNG encoder, stripped metadata) has another file hash but this one.
  public var pixelHash: String
  public var width: Int
  public var height: Int
  /// Every pixel has (nearly) equal red, green and blue.
  public var grayscale: Bool

  /// Reads and decodes `paths` on all cores: facts for the files that decode, the reason for
  /// those that do not (in `paths` order, each list).
  public static func scan(_ paths: [String]) -> (facts: [DoctorImageFacts?], undecodable: [SkippedImage]) {
    var facts = [DoctorImageFacts?](repeating: nil, count: paths.count)
    var reasons = [String?](repeating: nil, count: paths.count)
    facts.withUnsafeMutableBufferPointer { facts in
      reasons.withUnsafeMutableBufferPointer { reasons in
        // Each iteration writes only its own slots.
        nonisolated(unsafe) let f = facts
        nonisolated(unsafe) let r = reasons
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
          do {
            f[i] = try read(paths[i])
          } catch {
            r[i] = "\(error)"
          }
        }
      }
    }
    let undecodable = paths.indices.compactMap { i in
      reasons[i].map { SkippedImage(path: paths[i], reason: $0) }
    }
    return (facts, undecodable)
  }

  static func read(_ path: String) throws -> DoctorImageFacts {
    let bytes: [UInt8]
    do {
      bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw ImageError.unreadable(path: path, reason: error.localizedDescription)
    }
    let image = try Image.decode(bytes: bytes, name: path).toRGB8()
    let pixels = image.bytes
    var digest = SHA256()
    digest.update(Array("\(image.width)x\(image.height)x3\n".utf8))
    digest.update(pixels)
    return DoctorImageFacts(
      path: path, fileHash: SHA256.hex(bytes), pixelHash: digest.hexDigest(),
      width: image.width, height: image.height, grayscale: isGrey(pixels))
  }

  /// At least 99 % of the pixels have channels within 8 levels of each other (JPEG's chroma
  /// noise keeps a grey photo from being exactly grey).
  static func isGrey(_ rgb: [UInt8]) -> Bool {
    let n = rgb.count / 3
    guard n > 0 else { return false }
    var coloured = 0
    for p in 0..<n {
      let r = Int(rgb[3 * p]), g = Int(rgb[3 * p + 1]), b = Int(rgb[3 * p + 2])
      if max(r, g, b) - min(r, g, b) > 8 { coloured += 1 }
    }
    return coloured * 100 <= n
  }
}
