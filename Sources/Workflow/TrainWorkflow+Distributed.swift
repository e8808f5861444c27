import Dataset
import Features
import Foundation
import ImageIO
import Training

extension TrainWorkflow {
  /// Under `mpirun -n P`: rank r first computes the features of shard r+1/P (every P-th
  /// batch, as `ftune cache --shard`, so the values equal a single-process run's) into the
  /// shared store, then all ranks wait for each other, so the full pass
  /// that follows reads what the others computed instead of each rank featurising every
  /// image. (Without a shared store the full pass computes the rest locally: correct, just
  /// slower.) One process skips this.
  func shareFeaturing(
    _ samples: [ImageDataset.Sample], _ compute: ([ImageDataset.Sample]) throws -> Void
  ) throws {
    let (p, r) = (communicator.size, communicator.rank)
    guard p > 1 else { return }
    let spec = try ShardSpec(index: r + 1, count: p, block: max(1, settings.training.batchSize))
    let mine = samples.enumerated().filter { spec.contains($0.offset) }.map(\.element)
    if !mine.isEmpty { try compute(mine) }
    try communicator.barrier()
  }

  /// The run directory every rank agrees on: `--out`, else rank 0's timestamped default
  /// (ranks start at slightly different times, so rank 0's name is broadcast).
  func sharedOut(_ s: TrainSettings) throws -> String {
    if let out = s.out { return out }
    let mine = Array(Self.defaultOut(s.base).utf8)
    return String(decoding: try communicator.broadcast(mine, root: 0), as: UTF8.self)
  }
}
