import Augment
import Dispatch
import Foundation
import ImageIO
import TensorCore
import Testing

@testable import Dataset

/// The loader yields the same batches for any thread count, seeded by (seed, epoch, index).
@Suite struct LoaderDeterminismTests {
  @Test func loaderBatchesAreIdenticalForAnyThreadCount() throws {
    let photo = try Image.decode(file: Fixtures.path("photo.png"))
    let pipeline = try AugmentSpec.parse("flip,crop,color,pca", size: 8)
    let labels = (0..<23).map { $0 % 3 }
    func epoch(threads: Int, epoch: Int) throws -> [BatchLoader.Batch] {
      let loader = BatchLoader(
        labels: labels, epoch: epoch,
        configuration: .init(batchSize: 5, seed: 42, threads: threads, prefetch: 2)
      ) { _, rng in try pipeline.apply(photo, rng: &rng) }
      var batches = [BatchLoader.Batch]()
      while let batch = try loader.next() { batches.append(batch) }
      return batches
    }
    let one = try epoch(threads: 1, epoch: 0)
    let four = try epoch(threads: 4, epoch: 0)
    #expect(one.map(\.images) == four.map(\.images))
    #expect(one.map(\.labels) == four.map(\.labels))
    #expect(one.map(\.images.shape) == [[5, 8, 8, 3], [5, 8, 8, 3], [5, 8, 8, 3],
                                        [5, 8, 8, 3], [3, 8, 8, 3]])
    // Every sample once per epoch, shuffled, with its own label.
    let indices = one.flatMap(\.indices)
    #expect(indices.sorted() == Array(0..<23) && indices != Array(0..<23))
    #expect(one.flatMap(\.labels) == indices.map { labels[$0] })
    // Another epoch: another order and other augmentations.
    let next = try epoch(threads: 2, epoch: 1)
    #expect(next.flatMap(\.indices) != indices)
  }

  @Test func loaderSkipsNilAndRethrowsErrors() throws {
    let image = Image(width: 2, height: 2, filledWith: 9)
    let skipping = BatchLoader(
      labels: Array(0..<6), epoch: 0, configuration: .init(batchSize: 3, shuffle: false)
    ) { index, _ in index == 1 ? nil : image }
    #expect(try skipping.next()?.indices == [0, 2])
    #expect(try skipping.next()?.indices == [3, 4, 5])
    #expect(try skipping.next() == nil)

    let failing = BatchLoader(
      labels: Array(0..<6), epoch: 0, configuration: .init(batchSize: 3, shuffle: false)
    ) { index, _ in
      if index == 4 { throw ImageError.empty(path: "four.jpg") }
      return image
    }
    #expect(try failing.next()?.indices == [0, 1, 2])
    #expect(throws: ImageError.empty(path: "four.jpg")) { try failing.next() }
  }
}

/// Counts transform calls across loader threads, and wakes a waiter at the `target`-th.
private final class CallCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var calls = 0
  let target: Int
  let reachedTarget = DispatchSemaphore(value: 0)
  init(target: Int = 0) { self.target = target }
  func tick() {
    lock.lock()
    calls += 1
    if calls == target { reachedTarget.signal() }
    lock.unlock()
  }
  var value: Int {
    lock.lock()
    defer { lock.unlock() }
    return calls
  }
}

@Suite struct LoaderOverlapTests {
  /// The loader works ahead of the consumer (overlap with compute) but only `prefetch`
  /// batches ahead (bounded memory): with batch 2, prefetch 2 and one thread, batches 1 and
  /// 2 fill the queue and batch 3 is made and waits for room: 6 images before the first
  /// `next()`, and no 7th until it (nothing is popped to make room for it).
  @Test func loaderPrefetchesBoundedlyBeforeTheConsumerAsks() throws {
    let counter = CallCounter(target: 6)
    let image = Image(width: 2, height: 2, filledWith: 1)
    let loader = BatchLoader(
      labels: Array(0..<20), epoch: 0,
      configuration: .init(batchSize: 2, threads: 1, prefetch: 2)
    ) { _, _ in
      counter.tick()
      return image
    }
    // The wait is for the loader's sixth call, not a timing: 60 s only bounds a hang.
    #expect(counter.reachedTarget.wait(timeout: .now() + 60) == .success, "never made 6")
    #expect(counter.value == 6, "\(counter.value) images made before the first next()")
    var seen = 0
    while let batch = try loader.next() { seen += batch.labels.count }
    #expect(seen == 20 && counter.value == 20)
  }

  @Test func datasetLoaderDecodesResizesGreysAndPreprocesses() throws {
    let samples = [
      ImageDataset.Sample(path: Fixtures.path("photo.png"), label: 1),
      ImageDataset.Sample(path: Fixtures.path("truncated.jpg"), label: 0),
      ImageDataset.Sample(path: Fixtures.path("gray.png"), label: 2),
    ]
    let skipped = CallCounter()
    let loader = BatchLoader(
      samples: samples, pipeline: nil, size: 5, channels: 1, epoch: 0,
      configuration: .init(batchSize: 3, shuffle: false, preprocessing: .tf),
      badImages: .skip, report: { _ in skipped.tick() })
    let batch = try #require(try loader.next())
    #expect(batch.labels == [1, 2] && skipped.value == 1)
    #expect(batch.images.shape == [2, 5, 5, 1])
    let photo = try Image.decode(file: samples[0].path).resized(width: 5, height: 5).grayscale()
    #expect(Array(batch.images.scalars.prefix(25)) == photo.floats.map { $0 / 127.5 - 1 })
    let failing = BatchLoader(
      samples: samples, pipeline: nil, size: 5, epoch: 0,
      configuration: .init(batchSize: 3, shuffle: false))
    #expect(throws: DatasetError.self) { try failing.next() }
  }
}

@Suite struct PlannedLoaderTests {
  /// A loader given the caller's batches yields exactly those, in order, with the bytes the
  /// self-ordering loader gives the same images in the same epoch.
  @Test func plannedBatchesComeInTheCallersOrderWithTheSameBytes() throws {
    let photo = try Image.decode(file: Fixtures.path("photo.png"))
    let pipeline = try AugmentSpec.parse("flip,crop,color", size: 6)
    let labels = (0..<9).map { $0 % 2 }
    let configuration = BatchLoader.Configuration(batchSize: 3, seed: 3, threads: 2)
    let own = BatchLoader(labels: labels, epoch: 4, configuration: configuration) { _, rng in
      try pipeline.apply(photo, rng: &rng)
    }
    var byIndex = [Int: [Float]]()
    while let batch = try own.next() {
      for (row, i) in batch.indices.enumerated() {
        byIndex[i] = Array(batch.images.scalars[(row * 108)..<((row + 1) * 108)])
      }
    }
    let plan = [[8, 0], [3], [1, 2, 4, 5, 6, 7]]
    let planned = BatchLoader(
      batches: plan, labels: labels, epoch: 4, configuration: configuration
    ) { _, rng in try pipeline.apply(photo, rng: &rng) }
    var seen = [[Int]]()
    while let batch = try planned.next() {
      seen.append(batch.indices)
      #expect(batch.labels == batch.indices.map { labels[$0] })
      #expect(batch.images.scalars == batch.indices.flatMap { byIndex[$0] ?? [] })
    }
    #expect(seen == plan)
  }

  @Test func aPlanOutsideTheSetIsAnErrorNotACrash() throws {
    let loader = BatchLoader(
      batches: [[0], [5]], labels: [0, 1], epoch: 0, configuration: .init()
    ) { _, _ in Image(width: 2, height: 2, filledWith: 0) }
    #expect(try loader.next()?.indices == [0])
    #expect(throws: AugmentError.self) { try loader.next() }
  }
}
