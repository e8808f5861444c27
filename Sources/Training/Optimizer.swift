import Layers
import TensorCore

/// Updates parameters from their accumulated gradients, as Keras 3's optimizers do.
///
/// A step touches only parameters with `needsGradient` and a gradient; frozen parameters
/// and state (BatchNorm moving statistics) are skipped before any optimizer state exists.
/// Weight decay is decoupled (AdamW style, Keras 3's `weight_decay`): before the update,
/// `p −= p · weightDecay · lr`. Per-parameter learning-rate multipliers (for
/// `--base-lr-mult`) scale both the step and the decay of that parameter.
public protocol Optimizer: AnyObject {
  /// The base learning rate (schedules set it between steps).
  var learningRate: Float { get set }
  /// Decoupled weight decay coefficient; 0 disables it.
  var weightDecay: Float { get set }
  /// Number of completed steps.
  var iterations: Int { get }
  /// Applies one update to every parameter that needs a gradient and has one.
  func step(_ parameters: [Parameter])
  /// Scales the learning rate of these parameters by `multiplier` (1 restores the default).
  func setLearningRateMultiplier(_ multiplier: Float, for parameters: [Parameter])
  /// Number of parameters holding optimizer state (for tests and memory reports).
  var stateCount: Int { get }
}

/// Shared bookkeeping: multipliers, decay, and which parameters take part in a step.
public class OptimizerBase {
  public var learningRate: Float
  public var weightDecay: Float
  public internal(set) var iterations = 0
  var multipliers: [ObjectIdentifier: Float] = [:]

  init(learningRate: Float, weightDecay: Float) {
    self.learningRate = learningRate
    self.weightDecay = weightDecay
  }

  public func setLearningRateMultiplier(_ multiplier: Float, for parameters: [Parameter]) {
    for p in parameters {
      multipliers[ObjectIdentifier(p)] = multiplier == 1 ? nil : multiplier
    }
  }

  /// The learning rate for `p` after its multiplier.
  func rate(for p: Parameter) -> Float {
    learningRate * (multipliers[ObjectIdentifier(p)] ?? 1)
  }

  /// Parameters this step updates, with their gradients.
  func participants(_ parameters: [Parameter]) -> [(Parameter, Tensor)] {
    parameters.compactMap { p in
      guard p.needsGradient, let g = p.grad, g.count == p.value.count else { return nil }
      return (p, g)
    }
  }

  /// Keras 3's decoupled decay, applied before the update.
  func decay(_ p: Parameter, lr: Float) {
    guard weightDecay != 0 else { return }
    let f = 1 - weightDecay * lr
    p.value.withUnsafeMutableBufferPointer { v in
      for i in 0..<v.count { v[i] *= f }
    }
  }
}
