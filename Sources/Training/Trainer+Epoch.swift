import Foundation
import Runtime
import TensorCore

/// One epoch's batches: a seeded shuffle of the whole set (the same on every rank and on
/// every resume) cut into `batchSize` pieces, the last one shorter.
struct EpochBatches {
  let order: [Int]
  let batchSize: Int

  init(count: Int, batchSize: Int, seed: UInt64, epoch: Int) {
    var order = Array(0..<count)
    var rng = SeededRNG(seed: seed).derived(UInt64(epoch))
    order.shuffle(using: &rng)
    self.order = order
    self.batchSize = batchSize
  }

  var steps: Int { (order.count + batchSize - 1) / batchSize }

  /// The sample indices of step `s` (0-based).
  func batch(_ s: Int) -> [Int] {
    Array(order[(s * batchSize)..<min(order.count, (s + 1) * batchSize)])
  }
}

/// The running sums of an epoch's batches, which a checkpoint inside the epoch keeps.
struct EpochSums {
  var loss: Double = 0
  var correct = 0
  var seen = 0

  init(resuming partial: Checkpoint.PartialEpoch?) {
    guard let partial else { return }
    (loss, correct, seen) = (partial.lossSum, partial.correct, partial.seen)
  }

  mutating func add(loss value: Float, hits: Int, batch: Int) {
    loss += Double(value) * Double(batch)
    correct += hits
    seen += batch
  }

  var meanLoss: Float { Float(loss / Double(seen)) }
  var accuracy: Float { Float(correct) / Float(seen) }
}

/// Throughput and time left: this epoch's images still to come and the later epochs', at
/// the rate of this epoch so far.
struct ETA: Equatable {
  var imagesPerSecond: Double
  var secondsLeft: Double

  init(seen: Int, count: Int, epoch: Int, epochs: Int, elapsed: TimeInterval) {
    imagesPerSecond = Double(seen) / max(elapsed, 1e-9)
    secondsLeft =
      Double(count - seen) / max(imagesPerSecond, 1e-9)
      + Double(epochs - epoch) * Double(count) / max(imagesPerSecond, 1e-9)
  }
}

extension Trainer {
  /// Trains epoch `epoch` (from inside it when `run.partial` says a run stopped there) and
  /// returns its training metrics, validation not yet filled in. When asked to stop
  /// (`Interruption`) before its last batch, writes a checkpoint that continues after the
  /// current batch and throws `Interrupted`.
  func trainEpoch(
    _ epoch: Int, _ train: any BatchProvider, _ run: inout RunState, started: Date
  ) throws -> EpochMetrics {
    let batches = EpochBatches(
      count: train.count, batchSize: options.batchSize, seed: options.seed, epoch: epoch)
    var sums = EpochSums(resuming: run.partial)
    let firstStep = run.partial?.step ?? 0
    run.partial = nil
    // This rank's slices only (all of each batch with one process).
    train.willRequest(
      (firstStep..<batches.steps).map { localSlice(batches.batch($0)) }.filter { !$0.isEmpty },
      epoch: epoch)
    var rate = options.learningRate
    for s in firstStep..<batches.steps {
      let batch = batches.batch(s)
      rate = options.schedule.rate(
        base: options.learningRate, step: (epoch - 1) * batches.steps + s,
        totalSteps: batches.steps * options.epochs, stepsPerEpoch: batches.steps,
        warmupEpochs: options.warmupEpochs)
      let (value, hits) = try step(batch, train, epoch: epoch, step: s, rate: rate)
      sums.add(loss: value, hits: hits, batch: batch.count)
      let eta = ETA(
        seen: sums.seen, count: train.count, epoch: epoch, epochs: options.epochs,
        elapsed: Date().timeIntervalSince(started))
      progress.batchDone(
        epoch: epoch, epochs: options.epochs, step: s + 1, steps: batches.steps,
        loss: sums.meanLoss, accuracy: sums.accuracy, imagesPerSecond: eta.imagesPerSecond,
        etaSeconds: eta.secondsLeft)
      if let signal = Interruption.requested, s + 1 < batches.steps {
        try writeCheckpoint(
          epoch: epoch - 1, run,
          partial: Checkpoint.PartialEpoch(
            epoch: epoch, step: s + 1, lossSum: sums.loss, correct: sums.correct,
            seen: sums.seen))
        throw Interrupted(
          signal: signal, what: "training in epoch \(epoch), after batch \(s + 1)",
          checkpoint: checkpointURL?.path)
      }
    }
    try averageMovingStatistics()
    let seconds = Date().timeIntervalSince(started)
    return EpochMetrics(
      epoch: epoch, trainLoss: sums.meanLoss, trainAccuracy: sums.accuracy,
      valLoss: sums.meanLoss, valAccuracy: sums.accuracy, hasValidation: false,
      learningRate: rate, seconds: 0, imagesPerSecond: Double(sums.seen) / max(seconds, 1e-9))
  }
}
