import Augment
import Dispatch
import Foundation
import ImageIO
import Models
import TensorCore

/// Decodes and augments batches on background threads while the caller computes on the
/// previous batch.
///
/// Determinism: image `i` of epoch `e` is produced with `SeededRNG.forImage(seed:epoch:index:)`
/// and the epoch's order is a seeded shuffle, so the batches are identical bytes for any
/// `threads` and any timing.
public final class BatchLoader: @unchecked Sendable {
  /// Produces the image of sample `index` using `rng`, or `nil` to skip it (a bad file under
  /// a skip policy). Called concurrently for different indices.
  public typealias Transform = @Sendable (_ index: Int, _ rng: inout SeededRNG) throws -> Image?

  /// One batch: NHWC images, their labels and the sample indices they came from.
  public struct Batch: Sendable {
    public let images: Tensor
    public let labels: [Int]
    public let indices: [Int]
  }

  /// How batches are made.
  public struct Configuration: Sendable {
    public var batchSize: Int
    public var seed: UInt64
    public var shuffle: Bool
    /// Worker threads decoding in parallel (at least 1).
    public var threads: Int
    /// Batches prepared ahead of the consumer.
    public var prefetch: Int
    public var dropLast: Bool
    /// Applied to each finished batch on the loader thread (so it overlaps compute too).
    public var preprocessing: Preprocessing

    public init(batchSize: Int = 16, seed: UInt64 = 0, shuffle: Bool = true, threads: Int = 2,
                prefetch: Int = 2, dropLast: Bool = false, preprocessing: Preprocessing = .none) {
      self.preprocessing = preprocessing
      self.batchSize = batchSize
      self.seed = seed
      self.shuffle = shuffle
      self.threads = threads
      self.prefetch = prefetch
      self.dropLast = dropLast
    }
  }

  private let state: LoaderState

  /// Starts producing the batches of `epoch` over samples `0..<labels.count`, in the
  /// loader's own seeded order.
  public convenience init(labels: [Int], epoch: Int, configuration: Configuration,
                          transform: @escaping Transform) {
    let order = BatchLoader.order(
      count: labels.count, epoch: epoch, seed: configuration.seed,
      shuffle: configuration.shuffle)
    var batches = [[Int]]()
    var start = 0
    let size = max(configuration.batchSize, 1)
    while start < order.count {
      let end = min(start + size, order.count)
      if end - start == size || !configuration.dropLast {
        batches.append(Array(order[start..<end]))
      }
      start = end
    }
    self.init(batches: batches, labels: labels, epoch: epoch, configuration: configuration,
              transform: transform)
  }

  /// Starts producing exactly `batches` (sample indices into `labels`), in that order: for a
  /// caller that plans its own order (the trainer's shuffle, the feature cache's missing
  /// items). `configuration`'s batch size, shuffle and dropLast are not used; image `i`
  /// still draws from `SeededRNG.forImage(seed:epoch:index: i)`.
  public init(batches: [[Int]], labels: [Int], epoch: Int, configuration: Configuration,
              transform: @escaping Transform) {
    state = LoaderState(capacity: max(configuration.prefetch, 1))
    let state = self.state
    let planned = batches
    let threads = max(configuration.threads, 1)
    let seed = configuration.seed
    let preprocessing = configuration.preprocessing
    DispatchQueue.global().async {
      for batch in planned {
        if state.isCancelled { return }
        do {
          if let bad = batch.first(where: { !labels.indices.contains($0) }) {
            throw AugmentError.invalidParameter(
              "loader asked for sample \(bad) of \(labels.count); plan batches within the set")
          }
          let made = try BatchLoader.make(
            batch, labels: labels, epoch: epoch, seed: seed, threads: threads,
            preprocessing: preprocessing, transform: transform)
          if let made, !state.push(made) { return }
        } catch {
          state.fail(error)
          return
        }
      }
      state.finish()
    }
  }

  deinit { state.cancel() }

  /// The next batch, waiting for it if needed; `nil` at the end of the epoch. Rethrows the
  /// first error a transform threw.
  public func next() throws -> Batch? { try state.pop() }

  /// The sample order of an epoch: a seeded shuffle (or identity).
  public static func order(count: Int, epoch: Int, seed: UInt64, shuffle: Bool) -> [Int] {
    var order = Array(0..<count)
    if shuffle {
      var rng = SeededRNG(seed: seed ^ 0x5348_5546_464C_4521).derived(UInt64(epoch))
      order.shuffle(using: &rng)
    }
    return order
  }

  private static func make(
    _ indices: [Int], labels: [Int], epoch: Int, seed: UInt64, threads: Int,
    preprocessing: Preprocessing, transform: Transform
  ) throws -> Batch? {
    let results = ResultSlots(count: indices.count)
    DispatchQueue.concurrentPerform(iterations: min(threads, indices.count)) { worker in
      var i = worker
      while i < indices.count {
        var rng = SeededRNG.forImage(seed: seed, epoch: epoch, index: indices[i])
        results.set(i, Result { try transform(indices[i], &rng) })
        i += threads
      }
    }
    var images = [Image](), kept = [Int]()
    for (slot, index) in indices.enumerated() {
      if let image = try results.get(slot)?.get() {
        images.append(image)
        kept.append(index)
      }
    }
    guard !images.isEmpty else { return nil }
    var tensor = try Image.batch(images)
    try preprocessing.apply(to: &tensor)
    return Batch(images: tensor, labels: kept.map { labels[$0] }, indices: kept)
  }
}

/// Per-slot results written by disjoint workers.
private final class ResultSlots: @unchecked Sendable {
  private var slots: [Result<Image?, any Error>?]
  private let lock = NSLock()
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ value: Result<Image?, any Error>) {
    lock.lock()
    slots[i] = value
    lock.unlock()
  }
  func get(_ i: Int) -> Result<Image?, any Error>? {
    lock.lock()
    defer { lock.unlock() }
    return slots[i]
  }
}

/// The bounded queue between the producer and the consumer.
private final class LoaderState: @unchecked Sendable {
  private let condition = NSCondition()
  private var queue = [BatchLoader.Batch]()
  private var done = false
  private var error: (any Error)?
  private var cancelled = false
  private let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  var isCancelled: Bool {
    condition.lock()
    defer { condition.unlock() }
    return cancelled
  }

  /// Waits for room; false when the consumer went away.
  func push(_ batch: BatchLoader.Batch) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while queue.count >= capacity && !cancelled { condition.wait() }
    if cancelled { return false }
    queue.append(batch)
    condition.broadcast()
    return true
  }

  func pop() throws -> BatchLoader.Batch? {
    condition.lock()
    defer { condition.unlock() }
    while queue.isEmpty && !done && error == nil { condition.wait() }
    if !queue.isEmpty {
      let batch = queue.removeFirst()
      condition.broadcast()
      return batch
    }
    if let error { throw error }
    return nil
  }

  func finish() {
    condition.lock()
    done = true
    condition.broadcast()
    condition.unlock()
  }

  func fail(_ error: any Error) {
    condition.lock()
    self.error = error
    condition.broadcast()
    condition.unlock()
  }

  func cancel() {
    condition.lock()
    cancelled = true
    condition.broadcast()
    condition.unlock()
  }
}
