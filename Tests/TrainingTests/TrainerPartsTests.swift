import Foundation
import Testing

@testable import Training

/// The parts `Trainer.fit` is made of, each alone (the loop itself: `TrainerTests`).
@Suite struct TrainerPartsTests {
  /// val_loss 0.9, 0.5, 0.7, 0.5, 0.6 with patience 2: epoch 2 is best (an equal loss is
  /// no improvement), and training stops after epoch 4, not after the last one.
  @Test func bestEpochAndEarlyStopping() {
    var best = BestEpoch()
    let improved = [0.9, 0.5, 0.7, 0.5, 0.6].enumerated().map { i, loss in
      best.record(Float(loss), epoch: i + 1)
    }
    #expect(improved == [true, true, false, false, false])
    #expect(best == BestEpoch(loss: 0.5, epoch: 2))
    #expect(!best.shouldStop(after: 3, patience: 2, epochs: 5))
    #expect(best.shouldStop(after: 4, patience: 2, epochs: 5))
    #expect(!best.shouldStop(after: 5, patience: 2, epochs: 5))  // the end anyway
    #expect(!best.shouldStop(after: 4, patience: nil, epochs: 5))
  }

  /// Every sample once per epoch, in batches of the batch size with a shorter last one;
  /// the order depends on the seed and epoch only.
  @Test func epochBatchesCoverTheSetOnce() {
    let b = EpochBatches(count: 10, batchSize: 4, seed: 3, epoch: 2)
    #expect(b.steps == 3)
    let all = (0..<b.steps).map(b.batch)
    #expect(all.map(\.count) == [4, 4, 2])
    #expect(all.flatMap { $0 }.sorted() == Array(0..<10))
    #expect(EpochBatches(count: 10, batchSize: 4, seed: 3, epoch: 2).order == b.order)
    #expect(EpochBatches(count: 10, batchSize: 4, seed: 3, epoch: 3).order != b.order)
  }

  /// 10 images seen of 40 in 2 s: 5 images/s; 30 left in this epoch and 40 in each of the
  /// 2 later ones: 110 images, 22 s.
  @Test func etaCountsThisEpochAndTheLaterOnes() {
    let eta = ETA(seen: 10, count: 40, epoch: 1, epochs: 3, elapsed: 2)
    #expect(eta.imagesPerSecond == 5)
    #expect(eta.secondsLeft == 22)
  }

  /// A resumed epoch continues the running sums its checkpoint kept, bit for bit.
  @Test func epochSumsResumeFromTheCheckpoint() {
    var sums = EpochSums(resuming: nil)
    sums.add(loss: 0.25, hits: 3, batch: 4)
    let partial = Checkpoint.PartialEpoch(
      epoch: 1, step: 1, lossSum: sums.loss, correct: sums.correct, seen: sums.seen)
    var resumed = EpochSums(resuming: partial)
    sums.add(loss: 0.5, hits: 1, batch: 2)
    resumed.add(loss: 0.5, hits: 1, batch: 2)
    #expect(resumed.loss.bitPattern == sums.loss.bitPattern)
    #expect((resumed.correct, resumed.seen) == (4, 6))
    #expect(resumed.meanLoss == Float(2.0 / 6) && resumed.accuracy == Float(4) / 6)
  }
}
