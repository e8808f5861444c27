import Layers
import TensorCore

extension Trainer {
  /// One optimizer step on `batch` (global sample indices): this rank's slice forward and
  /// backward, the gradients summed over the ranks, the update. Returns the batch's mean
  /// loss and its correct predictions over all ranks.
  func step(
    _ batch: [Int], _ train: any BatchProvider, epoch: Int, step s: Int, rate: Float
  ) throws -> (loss: Float, hits: Int) {
    reseedDropout(epoch: epoch, step: s)
    let indices = localSlice(batch)
    let labels = indices.map { train.labels[$0] }
    var value: Float = 0
    var hits = 0
    // A rank whose slice is empty (batch smaller than the group) only joins the reduction.
    if !indices.isEmpty {
      let x = try train.inputs(indices, epoch: epoch)
      let out = try graph.forward(
        seeds: [feedNode: x], mode: .training, through: logitsNode ?? graph.nodes.count - 1)
      try checkOutput(out, batch: indices.count)
      let gradient: Tensor
      (value, gradient) =
        logitsNode == nil
        ? try CategoricalCrossentropy(classWeights: options.classWeights)(out, labels: labels)
        : try SoftmaxCrossEntropy(classWeights: options.classWeights)(
          logits: out, labels: .indices(labels))
      if value.isFinite { try graph.backward(gradient, from: logitsNode) }
      let probs = logitsNode == nil ? out : softmax(out)
      hits = zip(argmax(probs), labels).filter { $0 == $1 }.count
    }
    let (params, multipliers) = trainableParameters()
    // Every rank reaches this reduction, so a non-finite loss stops them all together.
    (value, hits) = try reduceStep(
      params, local: indices.count, global: batch.count, loss: value, hits: hits)
    guard value.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, step: s + 1) }
    try optimizer.update(params, learningRate: rate, multipliers: multipliers)
    graph.parameters.forEach { $0.zeroGrad() }
    return (value, hits)
  }

  /// Dropout masks depend on (seed, epoch, step, layer) only, so a run resumed at any
  /// batch draws the same ones.
  private func reseedDropout(epoch: Int, step: Int) {
    for (i, node) in graph.nodes.enumerated() {
      if let d = node.layer as? Dropout {
        d.rng = SeededRNG(seed: rankSeed ^ 0x0D0D).derived(UInt64(epoch << 20 | i))
          .derived(UInt64(step))
      }
    }
  }
}
