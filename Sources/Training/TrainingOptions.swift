/// Everything the loop needs besides the model and the data (the CLI's training flags).
public struct TrainingOptions: Sendable, Equatable {
  public var epochs = 10
  public var batchSize = 16
  public var learningRate: Float = 1e-3
  public var schedule = LRSchedule.constant
  public var warmupEpochs = 0
  /// Rate multiplier for trainable parameters of the base (nodes before the head).
  public var baseLRMultiplier: Float = 1
  /// Stop after this many epochs without a better validation loss; nil never stops early.
  public var earlyStoppingPatience: Int?
  /// Restore the weights of the best validation epoch when stopping early or finishing.
  public var restoreBestWeights = true
  /// One weight per class for the loss; nil means all 1.
  public var classWeights: [Float]?
  /// Gradual unfreezing: at the start of `epoch` (1-based), re-freeze to `freeze` weight layers.
  public var unfreezeAt: [UnfreezeStep] = []
  public var seed: UInt64 = 0

  public init() {}
}

/// `--unfreeze-at EPOCH:N`: from epoch `epoch` on, only the first `freeze` weight layers stay
/// frozen.
public struct UnfreezeStep: Sendable, Equatable, Codable, CustomStringConvertible {
  public var epoch: Int
  public var freeze: Int

  public init(epoch: Int, freeze: Int) {
    self.epoch = epoch
    self.freeze = freeze
  }

  /// Parses `EPOCH:N`.
  public init(parsing text: String) throws {
    let parts = text.split(separator: ":")
    guard parts.count == 2, let e = Int(parts[0]), let n = Int(parts[1]), e >= 1, n >= 0 else {
      throw TrainingError.badOption(
        option: "--unfreeze-at", value: text,
        hint: "write EPOCH:N, e.g. 5:10 to keep only the first 10 weight layers frozen"
          + " from epoch 5 on")
    }
    self.init(epoch: e, freeze: n)
  }

  public var description: String { "\(epoch):\(freeze)" }
}
