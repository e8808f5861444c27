import Layers

/// What the training loop needs from an optimizer: one update of the given parameters from
/// their accumulated gradients. SGD and Adam (the optimizer files of this module) conform.
///
/// `multipliers[i]` scales the rate for `parameters[i]` (`--base-lr-mult` for fine-tuned base
/// layers). Implementations skip parameters whose `needsGradient` is false and allocate no
/// state for them.
public protocol TrainerOptimizer: AnyObject {
  func update(_ parameters: [Parameter], learningRate: Float, multipliers: [Float]) throws
  /// State to checkpoint (momenta, moments, step count), one array per state tensor, in an
  /// order `restoreState` reads back for the same parameters.
  func saveState(_ parameters: [Parameter]) -> [[Float]]
  func restoreState(_ state: [[Float]], parameters: [Parameter]) throws
}

extension TrainerOptimizer {
  public func saveState(_ parameters: [Parameter]) -> [[Float]] { [] }
  public func restoreState(_ state: [[Float]], parameters: [Parameter]) throws {}
}
