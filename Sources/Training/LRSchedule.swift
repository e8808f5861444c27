import Foundation

/// How the learning rate moves over a run; evaluated per optimizer step.
///
/// Every schedule starts from the base rate `lr`; `warmupEpochs` (any schedule) ramps it
/// linearly from `lr / steps` up to `lr` over the first epochs, as in Goyal et al. 2017.
public enum LRSchedule: Equatable, Sendable, CustomStringConvertible {
  /// The base rate throughout.
  case constant
  /// Multiplies the rate by `gamma` every `every` epochs (Keras `ExponentialDecay` staircase).
  case step(every: Int, gamma: Float)
  /// Cosine decay from `lr` to `lr * minFactor` over the run (Keras `CosineDecay` alpha).
  case cosine(minFactor: Float)
  /// Smith's one-cycle: up from `lr / 25` to `lr` over the first `warmFraction` of the run,
  /// then cosine down to `lr / 1e4` (PyTorch `OneCycleLR` defaults).
  case oneCycle(warmFraction: Float)

  /// Parses `constant`, `step:EVERY:GAMMA`, `cosine[:MIN]`, `onecycle[:FRACTION]`.
  public init(parsing text: String) throws {
    let parts = text.lowercased().split(separator: ":").map(String.init)
    func number(_ i: Int, _ fallback: Float) throws -> Float {
      guard i < parts.count else { return fallback }
      guard let v = Float(parts[i]), v.isFinite, v >= 0 else {
        throw TrainingError.badOption(
          option: "--schedule", value: text,
          hint: "use constant, step:EVERY:GAMMA, cosine[:MIN_FACTOR] or onecycle[:FRACTION]")
      }
      return v
    }
    switch parts.first ?? "" {
    case "constant", "none": self = .constant
    case "step":
      let every = Int(try number(1, 10))
      self = .step(every: max(1, every), gamma: try number(2, 0.1))
    case "cosine": self = .cosine(minFactor: try number(1, 0))
    case "onecycle", "one-cycle": self = .oneCycle(warmFraction: min(1, try number(1, 0.3)))
    default:
      throw TrainingError.badOption(
        option: "--schedule", value: text,
        hint: "use constant, step:EVERY:GAMMA, cosine[:MIN_FACTOR] or onecycle[:FRACTION]")
    }
  }

  /// The spelling `init(parsing:)` reads back (used in `config.yaml`).
  public var description: String {
    switch self {
    case .constant: return "constant"
    case .step(let every, let gamma): return "step:\(every):\(gamma)"
    case .cosine(let minFactor): return "cosine:\(minFactor)"
    case .oneCycle(let fraction): return "onecycle:\(fraction)"
    }
  }

  /// The rate at optimizer step `step` (0-based) of `totalSteps`, `stepsPerEpoch` per epoch.
  public func rate(
    base lr: Float, step: Int, totalSteps: Int, stepsPerEpoch: Int, warmupEpochs: Int = 0
  ) -> Float {
    let total = max(1, totalSteps)
    let progress = Double(min(step, total)) / Double(total)
    var value: Float
    switch self {
    case .constant:
      value = lr
    case .step(let every, let gamma):
      let epoch = step / max(1, stepsPerEpoch)
      value = lr * powf(gamma, Float(epoch / max(1, every)))
    case .cosine(let minFactor):
      let c = Float(0.5 * (1 + cos(Double.pi * progress)))
      value = lr * ((1 - minFactor) * c + minFactor)
    case .oneCycle(let fraction):
      let peak = Double(fraction)
      if progress < peak {
        let t = progress / max(peak, 1e-12)
        value = Float(Double(lr) / 25 + (Double(lr) - Double(lr) / 25) * t)
      } else {
        let t = (progress - peak) / max(1 - peak, 1e-12)
        let lo = Double(lr) / 1e4
        value = Float(lo + (Double(lr) - lo) * 0.5 * (1 + cos(Double.pi * t)))
      }
    }
    let warmSteps = warmupEpochs * stepsPerEpoch
    if warmSteps > 0 && step < warmSteps {
      value *= Float(step + 1) / Float(warmSteps)
    }
    return value
  }
}
