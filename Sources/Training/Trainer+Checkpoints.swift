import Foundation
import TensorCore

/// What a run carries from epoch to epoch: all a checkpoint saves besides the weights and
/// the optimizer state, so that `--resume` continues exactly.
struct RunState {
  var history: [EpochMetrics] = []
  var best = BestEpoch()
  /// The freeze gradual unfreezing put in force (nil: the graph's own).
  var freeze: Int?
  /// The first epoch still to train.
  var nextEpoch = 1
  /// Where a run stopped inside `nextEpoch`: it continues there with these running sums.
  var partial: Checkpoint.PartialEpoch?

  /// True for a resumed run that had ended at its checkpoint: every epoch trained, or early
  /// stopping would have stopped it there. Resuming it must not train another epoch.
  func hasEnded(_ options: TrainingOptions) -> Bool {
    let last = nextEpoch - 1
    guard last > 0, partial == nil else { return false }
    return last >= options.epochs
      || best.shouldStop(after: last, patience: options.earlyStoppingPatience, epochs: options.epochs)
  }
}

extension Trainer {
  /// The state of the run `checkpointURL` holds, its weights and optimizer state restored;
  /// nil when there is no checkpoint (the run starts afresh).
  func resumed() throws -> RunState? {
    guard let url = checkpointURL, FileManager.default.fileExists(atPath: url.path) else {
      return nil
    }
    let cp = try Checkpoint.read(from: url)
    if let f = cp.freeze, let refreeze { try refreeze(f) }
    try cp.restore(into: graph, path: url.path)
    try optimizer.restoreState(cp.optimizerState, parameters: trainableParameters().0)
    let next = cp.epoch + 1
    let run = RunState(
      history: cp.history, best: BestEpoch(loss: cp.bestValLoss, epoch: cp.bestEpoch),
      freeze: cp.freeze, nextEpoch: next,
      partial: cp.partial.flatMap { $0.epoch == next ? $0 : nil })
    if let p = run.partial {
      progress.message("resuming epoch \(p.epoch) after batch \(p.step) from \(url.path)")
    } else {
      progress.message("resuming after epoch \(cp.epoch) from \(url.path)")
    }
    return run
  }

  /// The checkpoint `--resume` reads after `epoch` whole epochs: weights, optimizer state,
  /// history, and `partial` when the run stops inside the next one. Only rank 0 writes
  /// (every rank holds the same weights and optimizer state); no-op without `checkpointURL`.
  func writeCheckpoint(
    epoch: Int, _ run: RunState, partial: Checkpoint.PartialEpoch? = nil
  ) throws {
    guard communicator.isRoot, let url = checkpointURL else { return }
    var cp = Checkpoint(
      epoch: epoch, history: run.history, bestValLoss: run.best.loss,
      bestEpoch: run.best.epoch, freeze: run.freeze)
    cp.partial = partial
    cp.capture(graph)
    cp.optimizerState = optimizer.saveState(trainableParameters().0)
    try cp.write(to: url)
  }

  /// Beside the checkpoint: the weights of the best epoch, for `restoreBestWeights`.
  private var bestURL: URL? {
    checkpointURL.map {
      $0.deletingLastPathComponent().appendingPathComponent(
        $0.deletingPathExtension().lastPathComponent + "-best.ftck")
    }
  }

  /// Saves the weights of `epoch`, the best so far (rank 0, with `restoreBestWeights`).
  func saveBestWeights(_ epoch: Int, _ run: RunState) throws {
    guard options.restoreBestWeights, communicator.isRoot, let url = bestURL else { return }
    var snapshot = Checkpoint(
      epoch: epoch, history: [], bestValLoss: run.best.loss, bestEpoch: epoch,
      freeze: run.freeze)
    snapshot.capture(graph)
    try snapshot.write(to: url)
  }

  /// Puts the best epoch's weights back when a later epoch ended the run; returns the epoch
  /// whose weights the graph now holds. Only rank 0 saved them; the other ranks' final
  /// models are not used.
  func restoreBestWeights(_ run: RunState) throws -> Int {
    let finalEpoch = run.history.last?.epoch ?? 0
    guard options.restoreBestWeights, run.best.epoch != finalEpoch, communicator.isRoot,
      let url = bestURL
    else { return finalEpoch }
    // Gone when an earlier, finished run removed it and `--resume --epochs` trained on.
    guard FileManager.default.fileExists(atPath: url.path) else {
      progress.message(
        "the weights of epoch \(run.best.epoch) (best val_loss) were removed when the run"
          + " first finished; keeping epoch \(finalEpoch)'s")
      return finalEpoch
    }
    try Checkpoint.read(from: url).restore(into: graph, path: url.path)
    progress.message("restored the weights of epoch \(run.best.epoch) (best val_loss)")
    return run.best.epoch
  }
}

/// The epoch with the lowest val_loss so far, and early stopping's rule on it.
public struct BestEpoch: Equatable, Sendable {
  /// Its val_loss; nil before the first epoch.
  public var loss: Float?
  /// 1-based; 0 before the first epoch.
  public var epoch: Int

  public init(loss: Float? = nil, epoch: Int = 0) {
    self.loss = loss
    self.epoch = epoch
  }

  /// Records an epoch's val_loss; true when it is better than every earlier one (the first
  /// always is).
  public mutating func record(_ valLoss: Float, epoch: Int) -> Bool {
    guard loss.map({ valLoss < $0 }) ?? true else { return false }
    (loss, self.epoch) = (valLoss, epoch)
    return true
  }

  /// Early stopping after `epoch`: `patience` epochs without a better val_loss, and epochs
  /// of the `epochs` still to train (stopping after the last one is just the end).
  public func shouldStop(after epoch: Int, patience: Int?, epochs: Int) -> Bool {
    guard let patience else { return false }
    return epoch - self.epoch >= patience && epoch < epochs
  }
}
