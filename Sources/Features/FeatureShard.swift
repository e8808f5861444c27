import Foundation
import TensorCore

/// `--shard i/n`: cut the data set's sorted order into blocks of `block` images (the
/// forward batch) and take every n-th block, from the i-th. Shards of one data set are
/// disjoint and cover it, and `FeatureFile.merge` interleaves them back into the
/// single-process order.
///
/// Why whole batches rather than every n-th image: an image's features depend, in the last
/// bits, on its position in the batch it ran in (GEMM tiling over batch × pixels), so only a
/// shard that runs exactly the single-process batches reproduces that run bit for bit.
public struct ShardSpec: Equatable, Sendable, CustomStringConvertible {
  /// 1-based, as written on the command line.
  public var index: Int
  public var count: Int
  /// Images per block (the batch size of the cache run); 1 deals out single images.
  public var block: Int

  public init(index: Int, count: Int, block: Int = 1) throws {
    guard count >= 1, index >= 1, index <= count, block >= 1 else {
      throw ShardError.badSpec("\(index)/\(count)")
    }
    self.index = index
    self.count = count
    self.block = block
  }

  /// Parses `i/n` with 1 ≤ i ≤ n.
  public init(parsing text: String, block: Int = 1) throws {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
      throw ShardError.badSpec(text)
    }
    try self.init(index: i, count: n, block: block)
  }

  /// Whether the image at `position` of the sorted data set belongs to this shard.
  public func contains(_ position: Int) -> Bool { (position / block) % count == index - 1 }

  /// How many of `total` images this shard holds.
  public func size(of total: Int) -> Int {
    let full = total / block
    let mine = full / count + (full % count >= index ? 1 : 0)
    let tail = full % count == index - 1 ? total % block : 0
    return mine * block + tail
  }

  /// Where the image at `position` of the whole sits in its shard.
  func offset(of position: Int) -> Int {
    (position / block / count) * block + position % block
  }

  public var description: String { "\(index)/\(count)" }

  /// The file attributes a shard adds: which shard, and the size of the whole, so a merge
  /// can tell a missing or foreign shard.
  static let attribute = "shard"
  static let totalAttribute = "shard_total_images"
  static let blockAttribute = "shard_block"
}

/// Merging shard files that do not make one cache.
public enum ShardError: Error, CustomStringConvertible, Equatable {
  case badSpec(String)
  case notAShard(path: String)
  case incompatible(path: String, attribute: String, expected: String, got: String)
  case missingShards(expected: Int, got: [String])
  case duplicate(shard: String, paths: [String])

  public var description: String {
    switch self {
    case .badSpec(let text):
      return "--shard \(text): write i/n with 1 ≤ i ≤ n, e.g. --shard 2/4 for the second of four"
    case .notAShard(let path):
      return "\(path) is a whole feature file, not a shard: write shards with ftune cache"
        + " --shard i/n"
    case .incompatible(let path, let attribute, let expected, let got):
      return "\(path) comes from another cache run ('\(attribute)' is '\(got)', the first shard"
        + " has '\(expected)'): merge shards of one run (same base, weights, cut, data)"
    case .missingShards(let expected, let got):
      return "merging needs all \(expected) shards; got \(got.joined(separator: ", ")):"
        + " add the missing ones"
    case .duplicate(let shard, let paths):
      return "shard \(shard) given twice (\(paths.joined(separator: ", "))): give each once"
    }
  }
}

extension FeatureFile {
  /// This file's shard, or nil for a whole cache.
  public var shard: ShardSpec? {
    let block = attributes[ShardSpec.blockAttribute].flatMap { Int($0) } ?? 1
    return attributes[ShardSpec.attribute].flatMap { try? ShardSpec(parsing: $0, block: block) }
  }

  /// Marks a file as shard `spec` of a data set of `total` images.
  public mutating func markShard(_ spec: ShardSpec, totalImages total: Int) {
    attributes[ShardSpec.attribute] = spec.description
    attributes[ShardSpec.totalAttribute] = "\(total)"
    attributes[ShardSpec.blockAttribute] = "\(spec.block)"
  }

  /// The single-process file the shards were cut from: same order, same values, same
  /// attributes. Every shard of one run must be given once, in any order; `names` (file
  /// paths) only label errors.
  public static func merge(_ shards: [FeatureFile], names: [String]) throws -> FeatureFile {
    guard let first = shards.first else { throw ShardError.missingShards(expected: 1, got: []) }
    let label = { (i: Int) in i < names.count ? names[i] : "shard #\(i + 1)" }
    var specs: [ShardSpec] = []
    for (i, s) in shards.enumerated() {
      guard let spec = s.shard, s.attributes[ShardSpec.totalAttribute] != nil else {
        throw ShardError.notAShard(path: label(i))
      }
      specs.append(spec)
      for key in Set(first.attributes.keys).union(s.attributes.keys)
      where key != ShardSpec.attribute {
        let (a, b) = (first.attributes[key] ?? "", s.attributes[key] ?? "")
        guard a == b else {
          throw ShardError.incompatible(path: label(i), attribute: key, expected: a, got: b)
        }
      }
      guard s.classNames == first.classNames else {
        throw ShardError.incompatible(
          path: label(i), attribute: "class_names",
          expected: first.classNames.joined(separator: ","),
          got: s.classNames.joined(separator: ","))
      }
      guard Array(s.features.shape.dropFirst()) == Array(first.features.shape.dropFirst()) else {
        throw ShardError.incompatible(
          path: label(i), attribute: "features shape",
          expected: "\(first.features.shape.dropFirst())", got: "\(s.features.shape.dropFirst())")
      }
    }
    let n = specs[0].count
    var byIndex = [Int: Int]()
    for (i, spec) in specs.enumerated() {
      guard spec.count == n else {
        throw ShardError.incompatible(
          path: label(i), attribute: ShardSpec.attribute, expected: "i/\(n)", got: "\(spec)")
      }
      if let j = byIndex[spec.index] {
        throw ShardError.duplicate(shard: "\(spec)", paths: [label(j), label(i)])
      }
      byIndex[spec.index] = i
    }
    guard byIndex.count == n else {
      throw ShardError.missingShards(expected: n, got: (0..<shards.count).map(label))
    }
    let total = Int(first.attributes[ShardSpec.totalAttribute] ?? "") ?? -1
    for (i, spec) in specs.enumerated() where shards[i].paths.count != spec.size(of: total) {
      throw FeatureError.countMismatch(
        what: "images in shard \(spec) (\(label(i)))", expected: spec.size(of: total),
        got: shards[i].paths.count)
    }
    // Position j of the whole is in block j / b, which shard (j / b) % n + 1 holds.
    let block = specs[0].block
    let per = first.features.shape.dropFirst().reduce(1, *)
    var scalars = [Float](repeating: 0, count: total * per)
    var paths = [String]()
    var labels = [Int]()
    paths.reserveCapacity(total)
    labels.reserveCapacity(total)
    for j in 0..<total {
      guard let at = byIndex[(j / block) % n + 1] else { continue }
      let s = shards[at]
      let k = specs[at].offset(of: j)
      paths.append(s.paths[k])
      labels.append(s.labels[k])
      s.features.withUnsafeBufferPointer { src in
        for e in 0..<per { scalars[j * per + e] = src[k * per + e] }
      }
    }
    var attributes = first.attributes
    attributes[ShardSpec.attribute] = nil
    attributes[ShardSpec.totalAttribute] = nil
    attributes[ShardSpec.blockAttribute] = nil
    return FeatureFile(
      features: try Tensor(shape: [total] + first.features.shape.dropFirst(), scalars: scalars),
      paths: paths, labels: labels, classNames: first.classNames, attributes: attributes)
  }
}
