import Foundation
import Layers
import Models
import Runtime
import TensorCore

/// One sample to featurise: its image content hash and augmentation variant (0 = none).
public struct FeatureItem: Hashable, Sendable {
  /// SHA-256 of the image file's bytes.
  public var image: String
  public var variant: Int

  public init(image: String, variant: Int = 0) {
    self.image = image
    self.variant = variant
  }

  /// The content hash of a file, for `image`.
  public static func hash(fileAt url: URL) throws -> String {
    SHA256.hex([UInt8](try Data(contentsOf: url)))
  }
}

/// Runs a network up to its cut for the items the store does not hold yet, in fixed
/// batches, saving each batch's entries as soon as it is computed (so an interrupted run resumes
/// where it stopped), and returns every item's features in order.
public final class FeatureExtractor {
  public let graph: Graph
  public let cut: Int
  public let key: FeatureKey
  public let store: FeatureStore
  public var batchSize: Int
  /// Called after each computed batch with (items ready, total items).
  public var onProgress: ((Int, Int) -> Void)?
  /// Applied to each item's features as they are collected (the store keeps them whole), so
  /// `ftune cache --pool` holds C floats per image in memory rather than H×W×C.
  public var pooling: FeaturePooling = .none

  /// How many entries came from the store and how many were computed.
  public struct Stats: Equatable, Sendable {
    public var reused = 0
    public var computed = 0

    public init(reused: Int = 0, computed: Int = 0) {
      self.reused = reused
      self.computed = computed
    }
  }

  public init(graph: Graph, cut: Int, key: FeatureKey, store: FeatureStore, batchSize: Int = 16) {
    self.graph = graph
    self.cut = cut
    self.key = key
    self.store = store
    self.batchSize = max(1, batchSize)
  }

  /// Features `[N] + cut shape` (pooled: `[N, C]`) for `items`. `load(indices)` returns the
  /// network inputs of those items (decoded, resized, preprocessed, augmented for their
  /// variant); `plan` is told every batch `load` will be asked for, in order, before the
  /// first (so a loader can decode ahead while the network computes).
  public func features(
    for items: [FeatureItem], plan: ([[Int]]) -> Void = { _ in },
    load: ([Int]) throws -> Tensor
  ) throws -> (features: Tensor, stats: Stats) {
    let shape = graph.nodes[cut].outputShape
    let per = shape.reduce(1, *)
    let pooled = pooling != .none && shape.count == 3 ? [shape[2]] : shape
    let outPer = pooled.reduce(1, *)
    var out = [Float](repeating: 0, count: outPer * items.count)
    func collect(_ i: Int, _ scalars: [Float]) throws {
      let item =
        pooled == shape
        ? scalars : pooling.apply(try Tensor(shape: [1] + shape, scalars: scalars)).scalars
      out.replaceSubrange((i * outPer)..<((i + 1) * outPer), with: item)
    }
    var stats = Stats()
    var missing: [Int] = []
    for (i, item) in items.enumerated() {
      if let t = store.load(key: key, image: item.image, variant: item.variant), t.shape == shape {
        try collect(i, t.scalars)
        stats.reused += 1
      } else {
        missing.append(i)
      }
    }
    // Batches are fixed runs of `batchSize` items, computed whole when any member is
    // missing: a float result depends on the batch it was computed in (GEMM blocking), so
    // this makes every entry the same whether a run was interrupted or not.
    let batchSize = max(1, self.batchSize)
    let isMissing = Set(missing)
    let chunks = stride(from: 0, to: items.count, by: batchSize).map {
      Array($0..<min(items.count, $0 + batchSize))
    }.filter { $0.contains(where: isMissing.contains) }
    if !chunks.isEmpty { plan(chunks) }
    for chunk in chunks {
      let todo = chunk.filter { isMissing.contains($0) }
      let x = try load(chunk)
      guard x.rank >= 1, x.shape[0] == chunk.count else {
        throw FeatureError.countMismatch(
          what: "loaded batch", expected: chunk.count, got: x.shape.first ?? 0)
      }
      let y = try graph.forward(x, mode: .inference, through: cut)
      for (j, i) in chunk.enumerated() where isMissing.contains(i) {
        let scalars = Array(y.scalars[(j * per)..<((j + 1) * per)])
        try collect(i, scalars)
        let entry = try Tensor(shape: shape, scalars: scalars)
        try store.save(entry, key: key, image: items[i].image, variant: items[i].variant)
      }
      stats.computed += todo.count
      onProgress?(stats.reused + stats.computed, items.count)
      // Ctrl-C: this batch's entries are saved; a rerun reuses them and goes on from here.
      if let signal = Interruption.requested, stats.reused + stats.computed < items.count {
        throw Interrupted(
          signal: signal,
          what: "caching features after \(stats.reused + stats.computed) of \(items.count) images")
      }
    }
    return (try Tensor(shape: [items.count] + pooled, scalars: out), stats)
  }
}

/// Spatial pooling of `[N, H, W, C]` features to `[N, C]` (`ftune cache --pool`).
public enum FeaturePooling: String, Sendable, CaseIterable {
  case none, avg, max

  public func apply(_ t: Tensor) -> Tensor {
    guard self != .none, t.rank == 4 else { return t }
    let (n, hw, c) = (t.shape[0], t.shape[1] * t.shape[2], t.shape[3])
    var out = Tensor(zeros: [n, c], value: self == .max ? -.infinity : 0)
    for i in 0..<n {
      for p in 0..<hw {
        let base = (i * hw + p) * c
        for k in 0..<c {
          let v = t.scalars[base + k]
          if self == .max {
            out.scalars[i * c + k] = Swift.max(out.scalars[i * c + k], v)
          } else {
            out.scalars[i * c + k] += v / Float(hw)
          }
        }
      }
    }
    return out
  }
}
