import Foundation
import Layers
import Models
import Runtime
import TensorCore

/// The training loop: shuffled seeded batches, forward/backward through a `Graph`, loss,
/// optimizer step, schedules, gradual unfreezing, early stopping, checkpoints.
///
/// Inputs enter at `feedNode`: node 0 for images, or the cut node when the provider holds
/// cached features of a frozen prefix (that prefix then never runs at all). Nodes before
/// `headStart` are the base: their trainable parameters learn at `baseLRMultiplier` × rate.
///
/// `fit` is the loop over epochs; each concern is a part of its own: resuming and
/// checkpoints (`Trainer+Checkpoints`), one epoch's steps with progress and the Ctrl-C stop
/// (`Trainer+Epoch`), one step (`Trainer+Step`), the best epoch and early stopping
/// (`BestEpoch`), the ranks' slices (`Trainer+DataParallel`), evaluation (`Trainer+Evaluate`).
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
    /// Epoch (1-based) whose weights the graph holds at the end (with `alreadyFinished`:
    /// the epoch the finished run kept, which the graph holds only if its best-weights file
    /// was still there).
    public var bestEpoch: Int
    public var stoppedEarly: Bool
    /// `resume` found a run that had already ended (every epoch trained, or stopped early):
    /// nothing was trained.
    public var alreadyFinished = false
  }

  /// Trains for `options.epochs`, or continues from the checkpoint when `resume` is set and
  /// one exists. Returns the history (including epochs before a resume).
  public func fit(
    train: any BatchProvider, validation: (any BatchProvider)?, resume: Bool = false
  ) throws -> Result {
    try checkCanFit(train)
    var run = resume ? try resumed() ?? RunState() : RunState()
    let ended = run.hasEnded(options)
    var stoppedEarly = ended && run.nextEpoch <= options.epochs
    var epoch = run.nextEpoch
    while !ended && epoch <= options.epochs {
      try unfreeze(at: epoch, &run)
      let started = Date()
      var metrics = try trainEpoch(epoch, train, &run, started: started)
      if let validation, validation.count > 0 {
        let v = try evaluate(validation)
        (metrics.valLoss, metrics.valAccuracy, metrics.hasValidation) = (v.loss, v.accuracy, true)
      }
      metrics.seconds = Date().timeIntervalSince(started)
      run.history.append(metrics)
      progress.epochDone(metrics, epochs: options.epochs)
      if run.best.record(metrics.valLoss, epoch: epoch) { try saveBestWeights(epoch, run) }
      try writeCheckpoint(epoch: epoch, run)
      if let signal = Interruption.requested, epoch < options.epochs {
        throw Interrupted(
          signal: signal, what: "training after epoch \(epoch)", checkpoint: checkpointURL?.path)
      }
      if run.best.shouldStop(
        after: epoch, patience: options.earlyStoppingPatience, epochs: options.epochs)
      {
        progress.message(
          "early stopping: no better val_loss for \(options.earlyStoppingPatience ?? 0)"
            + " epoch(s) since epoch \(run.best.epoch)")
        stoppedEarly = true
        break
      }
      epoch += 1
    }
    let bestEpoch = try restoreBestWeights(run)
    guard ended else {
      return Result(history: run.history, bestEpoch: bestEpoch, stoppedEarly: stoppedEarly)
    }
    let kept = options.restoreBestWeights && run.best.epoch > 0 ? run.best.epoch : bestEpoch
    return Result(
      history: run.history, bestEpoch: kept, stoppedEarly: stoppedEarly, alreadyFinished: true)
  }

  /// The options `fit` needs, checked before any work.
  private func checkCanFit(_ train: any BatchProvider) throws {
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
  }

  /// Gradual unfreezing: applies the `unfreezeAt` steps of `epoch`, in their order.
  private func unfreeze(at epoch: Int, _ run: inout RunState) throws {
    for step in options.unfreezeAt where step.epoch == epoch {
      try refreeze?(step.freeze)
      run.freeze = step.freeze
      progress.message("epoch \(epoch): unfreezing, first \(step.freeze) weight layers frozen")
    }
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

  func checkOutput(_ probs: Tensor, batch: Int) throws {
    guard probs.rank == 2, probs.shape[0] == batch else {
      throw TrainingError.outputShape(expected: -1, got: probs.shape)
    }
  }
}
