import Layers
import TensorCore

/// Synchronous data-parallel training over a `Communicator` (ranks of `mpirun -n P`).
///
/// Every rank draws the same global batches (the shuffle depends on the run seed only) and
/// runs forward/backward on its own contiguous slice of each one. The gradients of the
/// trainable parameters — never the frozen ones — are weighted by slice/batch size (the loss
/// is a mean over the batch) and summed over the ranks, in flat buckets of about
/// `bucketBytes` each, after backward (no overlap: the heads this tool trains are small and
/// the fine-tuned tails short, so the reduction is a small part of a step; see docs/mpi.md).
/// Every rank then applies the same optimizer step to the same weights, so the models stay
/// identical without ever sending weights.
///
/// BatchNormalization uses each rank's own batch statistics, as Keras's MirroredStrategy
/// does by default (not SyncBatchNormalization). The moving mean/variance are averaged over
/// the ranks at the end of each epoch; the moving average is linear, so this equals Keras's
/// per-step MEAN aggregation of those variables, and every rank validates the same model.
extension Trainer {
  /// This rank's part of a global batch: contiguous, sizes differ by at most one (a rank
  /// may get none when the batch is smaller than the group).
  func localSlice(_ batch: [Int]) -> [Int] {
    let (p, r) = (communicator.size, communicator.rank)
    guard p > 1 else { return batch }
    let lo = batch.count * r / p
    let hi = batch.count * (r + 1) / p
    return Array(batch[lo..<hi])
  }

  /// Sums the batch-size-weighted gradients of `params` over the ranks into their `grad`,
  /// and the step's loss and hit count; returns the global mean loss and hits.
  func reduceStep(
    _ params: [Parameter], local: Int, global: Int, loss: Float, hits: Int
  ) throws -> (loss: Float, hits: Int) {
    guard communicator.size > 1 else { return (loss, hits) }
    let weight = Float(local) / Float(max(global, 1))
    // Buckets of whole parameters, about `bucketBytes` each; the last carries the metrics.
    var buckets: [[Parameter]] = [[]]
    var filled = 0
    for p in params {
      if filled > 0 && (filled + p.value.count) * 4 > bucketBytes {
        buckets.append([])
        filled = 0
      }
      buckets[buckets.count - 1].append(p)
      filled += p.value.count
    }
    var metrics: [Float] = [loss * Float(local), Float(hits)]
    for (b, bucket) in buckets.enumerated() {
      var flat = [Float]()
      flat.reserveCapacity(bucket.reduce(0) { $0 + $1.value.count } + 2)
      for p in bucket {
        if let g = p.grad {
          g.withUnsafeBufferPointer { src in flat.append(contentsOf: src.lazy.map { $0 * weight }) }
        } else {
          flat.append(contentsOf: repeatElement(0, count: p.value.count))
        }
      }
      let last = b == buckets.count - 1
      if last { flat.append(contentsOf: metrics) }
      try communicator.allreduceSum(&flat)
      var at = 0
      for p in bucket {
        let n = p.value.count
        var g = Tensor(zeros: p.value.shape)
        g.withUnsafeMutableBufferPointer { dst in
          for i in 0..<n { dst[i] = flat[at + i] }
        }
        p.grad = g
        at += n
      }
      if last { metrics = Array(flat[at...]) }
    }
    return (metrics[0] / Float(max(global, 1)), Int(metrics[1].rounded()))
  }

  /// Averages the moving statistics of every BatchNormalization still learning them, so all
  /// ranks hold the same model (see the type comment).
  func averageMovingStatistics() throws {
    let p = communicator.size
    guard p > 1 else { return }
    let state = graph.nodes.compactMap { $0.layer as? BatchNormalization }
      .filter { !$0.isFrozen }
      .flatMap { [$0.movingMean, $0.movingVariance].compactMap { $0 } }
    guard !state.isEmpty else { return }
    var flat = state.flatMap(\.value.scalars)
    try communicator.allreduceSum(&flat)
    var at = 0
    for s in state {
      let n = s.value.count
      s.value.withUnsafeMutableBufferPointer { dst in
        for i in 0..<n { dst[i] = flat[at + i] / Float(p) }
      }
      at += n
    }
  }

  /// Dropout's seed on this rank: the run seed on rank 0 (so one process draws what it
  /// always drew), a value derived from the seed and rank elsewhere, so ranks draw
  /// independent masks.
  var rankSeed: UInt64 {
    let r = communicator.rank
    guard r > 0 else { return options.seed }
    var rng = SeededRNG(seed: options.seed).derived(0x5EED_0000 | UInt64(r))
    return rng.next()
  }
}
