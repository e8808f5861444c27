import Layers
import TensorCore

/// The loop's view of SGD and Adam: the schedule's rate and per-parameter multipliers are
/// applied, then one `step`. State is saved per parameter in the given order (an empty
/// array for a parameter without state), so a checkpoint restores onto the same list.
extension OptimizerBase {
  func prepare(_ parameters: [Parameter], learningRate: Float, multipliers: [Float]) {
    self.learningRate = learningRate
    for (i, p) in parameters.enumerated() {
      setLearningRateMultiplier(i < multipliers.count ? multipliers[i] : 1, for: [p])
    }
  }
}

extension SGD: TrainerOptimizer {
  public func update(_ parameters: [Parameter], learningRate: Float, multipliers: [Float])
    throws
  {
    prepare(parameters, learningRate: learningRate, multipliers: multipliers)
    step(parameters)
  }

  /// `[iterations]`, then each parameter's velocity.
  public func saveState(_ parameters: [Parameter]) -> [[Float]] {
    [[Float(iterations)]] + parameters.map { velocity[ObjectIdentifier($0)] ?? [] }
  }

  public func restoreState(_ state: [[Float]], parameters: [Parameter]) throws {
    guard state.count == parameters.count + 1, let it = state.first?.first else {
      throw OptimizerError.stateMismatch(
        optimizer: "SGD", expected: parameters.count + 1, got: state.count)
    }
    iterations = Int(it)
    velocity = [:]
    for (p, v) in zip(parameters, state.dropFirst()) where !v.isEmpty {
      guard v.count == p.value.count else {
        throw OptimizerError.stateShape(optimizer: "SGD", parameter: p.name)
      }
      velocity[ObjectIdentifier(p)] = v
    }
  }
}

extension Adam: TrainerOptimizer {
  public func update(_ parameters: [Parameter], learningRate: Float, multipliers: [Float])
    throws
  {
    prepare(parameters, learningRate: learningRate, multipliers: multipliers)
    step(parameters)
  }

  /// `[iterations]`, then each parameter's first moment and second moment.
  public func saveState(_ parameters: [Parameter]) -> [[Float]] {
    var out: [[Float]] = [[Float(iterations)]]
    for p in parameters {
      let s = moments[ObjectIdentifier(p)]
      out.append(s?.m ?? [])
      out.append(s?.v ?? [])
    }
    return out
  }

  public func restoreState(_ state: [[Float]], parameters: [Parameter]) throws {
    guard state.count == 2 * parameters.count + 1, let it = state.first?.first else {
      throw OptimizerError.stateMismatch(
        optimizer: "Adam", expected: 2 * parameters.count + 1, got: state.count)
    }
    iterations = Int(it)
    moments = [:]
    for (i, p) in parameters.enumerated() {
      let (m, v) = (state[1 + 2 * i], state[2 + 2 * i])
      guard !m.isEmpty else { continue }
      guard m.count == p.value.count, v.count == p.value.count else {
        throw OptimizerError.stateShape(optimizer: "Adam", parameter: p.name)
      }
      moments[ObjectIdentifier(p)] = (m, v)
    }
  }
}

/// A checkpoint's optimizer state does not fit the model it is restored onto.
public enum OptimizerError: Error, CustomStringConvertible {
  case stateMismatch(optimizer: String, expected: Int, got: Int)
  case stateShape(optimizer: String, parameter: String)

  public var description: String {
    switch self {
    case .stateMismatch(let o, let e, let g):
      return "\(o) checkpoint state has \(g) arrays, the model needs \(e): resume with the"
        + " same model and optimizer, or start without --resume"
    case .stateShape(let o, let p):
      return "\(o) checkpoint state for parameter '\(p)' has the wrong size: resume with the"
        + " same model, or start without --resume"
    }
  }
}
