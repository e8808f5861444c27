import Foundation
import Layers
import Models
import TensorCore

/// The training loop: shuffled seeded batches, forward/backward through a `Graph`, loss,
/// optimizer step, schedules, gradual unfreezing, early stopping, checkpoints.
///
/// Inputs enter at `feedNode`: node 0 for images, or the cut node when the provider holds
/// cached features of a frozen prefix (that prefix then never runs at all). Nodes before
/// `headStart` are the base: their trainable parameters learn at `baseLRMultiplier` × rate.
public final class Trainer {
  public let graph: Graph
  public let feedNode: Int
  public let headStart: Int
  public let optimizer: any TrainerOptimizer
  public var options: TrainingOptions
  public var progress: any TrainingProgress = SilentProgress()
  /// Re-freezes the graph to its first N weight layers (the zoo's freezing); gradual
  /// unfreezing (`options.unfreezeAt`) needs it.
  public var refreeze: ((Int) throws -> Void)?
  /// Where the per-epoch checkpoint goes (and `--resume` reads it); nil writes none.
  public var checkpointURL: URL?
  /// The ranks training together (data-parallel, see `Trainer+DataParallel`); only rank 0
  /// writes checkpoints. One process by default.
  public var communicator: any Communicator = SingleProcess()
  /// Size of one gradient all-reduce bucket.
  public var bucketBytes = 4 << 20

  public init(
    graph: Graph, optimizer: any TrainerOptimizer, options: TrainingOptions,
    feedNode: Int = 0, headStart: Int
  ) {
    self.graph = graph
    self.optimizer = optimizer
    self.options = options
    self.feedNode = feedNode
    self.headStart = headStart
  }

  /// The outcome of `fit`.
  public struct Result {
    public var history: [EpochMetrics]
    /// Epoch (1-based) whose weights the graph holds at the end.
    public var bestEpoch: Int
    public var stoppedEarly: Bool
  }

  /// Loss, accuracy and per-sample predictions over a set, in inference mode.
  public struct Evaluation {
    public var loss: Float
    public var accuracy: Float
    public var predictions: [Int]
    /// `[N, K]` softmax outputs.
    public var probabilities: Tensor
  }

  private var bestURL: URL? {
    checkpointURL.map {
      $0.deletingLastPathComponent().appendingPathComponent(
        $0.deletingPathExtension().lastPathComponent + "-best.ftck")
    }
  }

  /// Trains for `options.epochs`, or continues from the checkpoint when `resume` is set and
  /// one exists. Returns the history (including epochs before a resume).
  public func fit(
    train: any BatchProvider, validation: (any BatchProvider)?, resume: Bool = false
  ) throws -> Result {
    guard train.count > 0 else { throw TrainingError.emptyDataset(what: "training") }
    guard options.batchSize > 0, options.epochs > 0 else {
      throw TrainingError.badOption(
        option: "--batch/--epochs", value: "\(options.batchSize)/\(options.epochs)",
        hint: "both must be at least 1")
    }
    if !options.unfreezeAt.isEmpty && refreeze == nil {
      throw TrainingError.badOption(
        option: "--unfreeze-at",
        value: options.unfreezeAt.map(\.description).joined(separator: ","),
        hint: "gradual unfreezing needs the base's freezing; it is not available here")
    }
    let loss = CategoricalCrossentropy(classWeights: options.classWeights)
    let stepsPerEpoch = (train.count + options.batchSize - 1) / options.batchSize
    let totalSteps = stepsPerEpoch * options.epochs

    var history: [EpochMetrics] = []
    var best: Float?
    var bestEpoch = 0
    var freeze: Int?
    var firstEpoch = 1
    var partial: Checkpoint.PartialEpoch?
    if resume, let url = checkpointURL, FileManager.default.fileExists(atPath: url.path) {
      let cp = try Checkpoint.read(from: url)
      if let f = cp.freeze, let refreeze { try refreeze(f) }
      freeze = cp.freeze
      try cp.restore(into: graph, path: url.path)
      try optimizer.restoreState(cp.optimizerState, parameters: trainableParameters().0)
      history = cp.history
      best = cp.bestValLoss
      bestEpoch = cp.bestEpoch
      firstEpoch = cp.epoch + 1
      partial = cp.partial.flatMap { $0.epoch == firstEpoch ? $0 : nil }
      if let p = partial {
        progress.message("resuming epoch \(p.epoch) after batch \(p.step) from \(url.path)")
      } else {
        progress.message("resuming after epoch \(cp.epoch) from \(url.path)")
      }
    }

    var stoppedEarly = false
    var epoch = firstEpoch
    while epoch <= options.epochs {
      for step in options.unfreezeAt where step.epoch == epoch {
        try refreeze?(step.freeze)
        freeze = step.freeze
        progress.message("epoch \(epoch): unfreezing, first \(step.freeze) weight layers frozen")
      }
      let started = Date()
      var order = Array(0..<train.count)
      var rng = SeededRNG(seed: options.seed).derived(UInt64(epoch))
      order.shuffle(using: &rng)
      // A run stopped inside this epoch continues it with its running sums.
      var lossSum = partial?.lossSum ?? 0
      var correct = partial?.correct ?? 0
      var seen = partial?.seen ?? 0
      let firstStep = partial?.step ?? 0
      partial = nil
      // This rank's slices only (all of each batch with one process).
      train.willRequest(
        stride(from: firstStep * options.batchSize, to: train.count, by: options.batchSize).map {
          localSlice(Array(order[$0..<min(train.count, $0 + options.batchSize)]))
        }.filter { !$0.isEmpty }, epoch: epoch)
      var rate = options.learningRate
      for s in firstStep..<stepsPerEpoch {
        reseedDropout(epoch: epoch, step: s)
        let batch = Array(
          order[(s * options.batchSize)..<min(train.count, (s + 1) * options.batchSize)])
        let indices = localSlice(batch)
        let labels = indices.map { train.labels[$0] }
        let globalStep = (epoch - 1) * stepsPerEpoch + s
        rate = options.schedule.rate(
          base: options.learningRate, step: globalStep, totalSteps: totalSteps,
          stepsPerEpoch: stepsPerEpoch, warmupEpochs: options.warmupEpochs)
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
            ? try loss(out, labels: labels)
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

        lossSum += Double(value) * Double(batch.count)
        correct += hits
        seen += batch.count
        let elapsed = Date().timeIntervalSince(started)
        let perSecond = Double(seen) / max(elapsed, 1e-9)
        let remaining =
          Double(train.count - seen) / max(perSecond, 1e-9)
          + Double(options.epochs - epoch) * Double(train.count) / max(perSecond, 1e-9)
        progress.batchDone(
          epoch: epoch, epochs: options.epochs, step: s + 1, steps: stepsPerEpoch,
          loss: Float(lossSum / Double(seen)), accuracy: Float(correct) / Float(seen),
          imagesPerSecond: perSecond, etaSeconds: remaining)
        if let signal = Interruption.requested, s + 1 < stepsPerEpoch {
          let state = Checkpoint.PartialEpoch(
            epoch: epoch, step: s + 1, lossSum: lossSum, correct: correct, seen: seen)
          try writeCheckpoint(
            epoch: epoch - 1, history: history, best: best, bestEpoch: bestEpoch,
            freeze: freeze, partial: state)
          throw Interrupted(
            signal: signal, what: "training in epoch \(epoch), after batch \(s + 1)",
            checkpoint: checkpointURL?.path)
        }
      }
      try averageMovingStatistics()
      let trainSeconds = Date().timeIntervalSince(started)
      let trainLoss = Float(lossSum / Double(seen))
      let trainAccuracy = Float(correct) / Float(seen)
      var metrics = EpochMetrics(
        epoch: epoch, trainLoss: trainLoss, trainAccuracy: trainAccuracy,
        valLoss: trainLoss, valAccuracy: trainAccuracy, hasValidation: false,
        learningRate: rate, seconds: 0, imagesPerSecond: Double(seen) / max(trainSeconds, 1e-9))
      if let validation, validation.count > 0 {
        let v = try evaluate(validation)
        metrics.valLoss = v.loss
        metrics.valAccuracy = v.accuracy
        metrics.hasValidation = true
      }
      metrics.seconds = Date().timeIntervalSince(started)
      history.append(metrics)
      progress.epochDone(metrics, epochs: options.epochs)

      let improved = best.map { metrics.valLoss < $0 } ?? true
      if improved {
        best = metrics.valLoss
        bestEpoch = epoch
        if options.restoreBestWeights, communicator.isRoot, let url = bestURL {
          var snapshot = Checkpoint(
            epoch: epoch, history: [], bestValLoss: best, bestEpoch: epoch, freeze: freeze)
          snapshot.capture(graph)
          try snapshot.write(to: url)
        }
      }
      try writeCheckpoint(
        epoch: epoch, history: history, best: best, bestEpoch: bestEpoch, freeze: freeze,
        partial: nil)
      if let signal = Interruption.requested, epoch < options.epochs {
        throw Interrupted(
          signal: signal, what: "training after epoch \(epoch)", checkpoint: checkpointURL?.path)
      }
      if let patience = options.earlyStoppingPatience, epoch - bestEpoch >= patience,
        epoch < options.epochs
      {
        progress.message(
          "early stopping: no better val_loss for \(patience) epoch(s) since epoch \(bestEpoch)")
        stoppedEarly = true
        break
      }
      epoch += 1
    }

    let finalEpoch = history.last?.epoch ?? 0
    // Only rank 0 wrote the best weights; the other ranks' final models are not used.
    if options.restoreBestWeights, bestEpoch != finalEpoch, communicator.isRoot,
      let url = bestURL,
      FileManager.default.fileExists(atPath: url.path)
    {
      try Checkpoint.read(from: url).restore(into: graph, path: url.path)
      progress.message("restored the weights of epoch \(bestEpoch) (best val_loss)")
    } else {
      bestEpoch = finalEpoch
    }
    return Result(history: history, bestEpoch: bestEpoch, stoppedEarly: stoppedEarly)
  }

  /// Runs `data` through the graph in inference mode; loss without class weights, as Keras.
  public func evaluate(_ data: any BatchProvider) throws -> Evaluation {
    let value: Float
    let probabilities: Tensor
    if logitsNode != nil {
      let logits = try predict(data, logits: true)
      value = try SoftmaxCrossEntropy()(logits: logits, labels: .indices(data.labels)).loss
      probabilities = softmax(logits)
    } else {
      probabilities = try predict(data)
      value = try CategoricalCrossentropy()(probabilities, labels: data.labels).loss
    }
    let predictions = argmax(probabilities)
    let correct = zip(predictions, data.labels).filter { $0 == $1 }.count
    return Evaluation(
      loss: value, accuracy: Float(correct) / Float(max(1, data.count)),
      predictions: predictions, probabilities: probabilities)
  }

  /// The node whose output the loss reads as logits: the one before a final softmax
  /// `Activation`, or nil when the graph ends otherwise (the loss then reads probabilities).
  public var logitsNode: Int? {
    guard let last = graph.nodes.last, let a = last.layer as? Activation, a.kind == .softmax,
      last.inputs.count == 1
    else { return nil }
    return last.inputs[0]
  }

  /// Softmax outputs `[N, K]` (or the logits before them) for every sample, in order.
  public func predict(_ data: any BatchProvider, logits: Bool = false) throws -> Tensor {
    let end = logits ? (logitsNode ?? graph.nodes.count - 1) : graph.nodes.count - 1
    var out: [Float] = []
    var k = 0
    var start = 0
    data.willRequest(
      stride(from: 0, to: data.count, by: max(1, options.batchSize)).map {
        Array($0..<min(data.count, $0 + max(1, options.batchSize)))
      }, epoch: 0)
    while start < data.count {
      let indices = Array(start..<min(data.count, start + options.batchSize))
      let probs = try graph.forward(
        seeds: [feedNode: try data.inputs(indices, epoch: 0)], mode: .inference, through: end)
      try checkOutput(probs, batch: indices.count)
      k = probs.shape[1]
      out.append(contentsOf: probs.scalars)
      start += indices.count
    }
    return try Tensor(shape: [data.count, k], scalars: out)
  }

  /// Trainable parameters in graph order, with each one's rate multiplier.
  func trainableParameters() -> ([Parameter], [Float]) {
    var params: [Parameter] = []
    var multipliers: [Float] = []
    for (i, node) in graph.nodes.enumerated() {
      for p in node.layer.weights where p.needsGradient {
        params.append(p)
        multipliers.append(i < headStart ? options.baseLRMultiplier : 1)
      }
    }
    return (params, multipliers)
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

  /// The checkpoint `--resume` reads: weights, optimizer state, history, and `partial` when
  /// the run stops inside an epoch. No-op without `checkpointURL`.
  private func writeCheckpoint(
    epoch: Int, history: [EpochMetrics], best: Float?, bestEpoch: Int, freeze: Int?,
    partial: Checkpoint.PartialEpoch?
  ) throws {
    // Only rank 0 writes (every rank holds the same weights and optimizer state).
    guard communicator.isRoot, let url = checkpointURL else { return }
    var cp = Checkpoint(
      epoch: epoch, history: history, bestValLoss: best, bestEpoch: bestEpoch, freeze: freeze)
    cp.partial = partial
    cp.capture(graph)
    cp.optimizerState = optimizer.saveState(trainableParameters().0)
    try cp.write(to: url)
  }

  private func checkOutput(_ probs: Tensor, batch: Int) throws {
    guard probs.rank == 2, probs.shape[0] == batch else {
      throw TrainingError.outputShape(expected: -1, got: probs.shape)
    }
  }
}

/// Row-wise softmax of `[N, K]` logits (max-subtracted).
public func softmax(_ logits: Tensor) -> Tensor {
  guard logits.rank == 2, logits.shape[1] > 0 else { return logits }
  let k = logits.shape[1]
  var out = logits
  for i in 0..<logits.shape[0] {
    let row = logits.scalars[(i * k)..<((i + 1) * k)]
    let m = row.max() ?? 0
    var sum: Float = 0
    for j in 0..<k {
      let e = expf(logits.scalars[i * k + j] - m)
      out.scalars[i * k + j] = e
      sum += e
    }
    for j in 0..<k { out.scalars[i * k + j] /= sum }
  }
  return out
}

/// Index of the largest value in each row of `[N, K]`.
public func argmax(_ t: Tensor) -> [Int] {
  guard t.rank == 2, t.shape[1] > 0 else { return [] }
  let k = t.shape[1]
  return (0..<t.shape[0]).map { i in
    var best = 0
    for j in 1..<k where t.scalars[i * k + j] > t.scalars[i * k + best] { best = j }
    return best
  }
}
