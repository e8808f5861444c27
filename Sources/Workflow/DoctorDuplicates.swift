import Foundation
import Kernels
import TensorCore

/// Two images that are the same file, the same picture, or nearly the same photo.
public struct DuplicatePair: Sendable, Equatable, Codable {
  public enum Kind: String, Sendable, Codable {
    /// Identical file bytes.
    case file
    /// Identical decoded pixels in different files (saved again, metadata stripped).
    case pixels
    /// Cosine similarity of their features at or above the threshold (re-encoded, resized,
    /// lightly edited copies; also burst shots of one scene).
    case near
  }

  public var kind: Kind
  public var a: Int
  public var b: Int
  public var pathA: String
  public var pathB: String
  public var similarity: Double
  public var classA: String
  public var classB: String
  public var splitA: String
  public var splitB: String

  /// One in training, one in validation: validation accuracy is inflated by it.
  public var acrossSplit: Bool
  /// Filed under two classes: at least one of the labels is wrong (or the classes overlap).
  public var acrossClasses: Bool

  public init(
    kind: Kind, a: Int, b: Int, pathA: String, pathB: String, similarity: Double,
    classA: String, classB: String, splitA: String, splitB: String
  ) {
    (self.kind, self.a, self.b, self.pathA, self.pathB) = (kind, a, b, pathA, pathB)
    (self.similarity, self.classA, self.classB) = (similarity, classA, classB)
    (self.splitA, self.splitB) = (splitA, splitB)
    acrossSplit = splitA != splitB
    acrossClasses = classA != classB
  }
}

public enum DuplicateFinder {
  /// Cosine similarity from which two photos count as near duplicates, measured with ImageNet
  /// MobileNetV2 features (out_relu, averaged) on the 103 demo photos and 4 copies of each
  /// (tools/doctor_threshold.py, docs/doctor.md): at 0.92, 403 of the 412 copies (JPEG
  /// quality 75 and 90, resized to 90 % and 80 %) and none of the 5,253 pairs of distinct
  /// photos (the closest is 0.905).
  public static let defaultThreshold = 0.92

  /// Exact pairs by file hash, then by pixel hash, then near pairs by cosine similarity of
  /// `features` (rows), each pair once, strongest kind first; within a kind in index order.
  public static func pairs(
    fileHashes: [String], pixelHashes: [String], features: [[Float]], threshold: Double
  ) -> [(kind: DuplicatePair.Kind, a: Int, b: Int, similarity: Double)] {
    var out: [(DuplicatePair.Kind, Int, Int, Double)] = []
    var paired = Set<[Int]>()
    for (kind, hashes) in [(DuplicatePair.Kind.file, fileHashes), (.pixels, pixelHashes)] {
      var groups: [String: [Int]] = [:]
      for (i, h) in hashes.enumerated() { groups[h, default: []].append(i) }
      for members in groups.values.sorted(by: { $0[0] < $1[0] }) where members.count > 1 {
        for x in members.indices {
          for y in (x + 1)..<members.count where paired.insert([members[x], members[y]]).inserted {
            out.append((kind, members[x], members[y], 1))
          }
        }
      }
    }
    forEachSimilarity(features) { i, j, s in
      if j > i, Double(s) >= threshold, paired.insert([i, j]).inserted {
        out.append((.near, i, j, Double(s)))
      }
    }
    return out.map { (kind: $0.0, a: $0.1, b: $0.2, similarity: $0.3) }
  }

  /// Calls `body(i, j, cosine)` for every ordered pair of rows (i ≠ j), a block of rows at a
  /// time (one GEMM each), so memory stays at 256 rows × n however many images there are.
  static func forEachSimilarity(_ rows: [[Float]], _ body: (Int, Int, Float) -> Void) {
    let n = rows.count, d = rows.first?.count ?? 0
    guard n > 1, d > 0 else { return }
    let unit = rows.flatMap { row -> [Float] in
      let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
      return norm > 0 ? row.map { $0 / norm } : row
    }
    let block = 256
    var c = [Float](repeating: 0, count: block * n)
    for r0 in stride(from: 0, to: n, by: block) {
      let m = min(block, n - r0)
      unit.withUnsafeBufferPointer { u in
        c.withUnsafeMutableBufferPointer { out in
          guard let all = u.baseAddress, let dst = out.baseAddress else { return }
          sgemm(transB: true, m: m, n: n, k: d, a: all + r0 * d, b: all, c: dst)
        }
      }
      for i in 0..<m {
        for j in 0..<n where j != r0 + i { body(r0 + i, j, c[i * n + j]) }
      }
    }
  }
}
