import Layers
import TensorCore

/// Keras 3's SGD: with momentum μ, `v ← μ·v − lr·g`, then `p ← p + v`, or with Nesterov
/// `p ← p + μ·v − lr·g` (the updated v). Without momentum `p ← p − lr·g` and no state.
public final class SGD: OptimizerBase, Optimizer {
  public let momentum: Float
  public let nesterov: Bool
  var velocity: [ObjectIdentifier: [Float]] = [:]

  public init(
    learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false,
    weightDecay: Float = 0
  ) {
    self.momentum = momentum
    self.nesterov = nesterov
    super.init(learningRate: learningRate, weightDecay: weightDecay)
  }

  public var stateCount: Int { velocity.count }

  public func step(_ parameters: [Parameter]) {
    for (p, g) in participants(parameters) {
      let lr = rate(for: p)
      decay(p, lr: lr)
      guard momentum != 0 else {
        p.value.withUnsafeMutableBufferPointer { v in
          for i in 0..<v.count { v[i] -= lr * g.scalars[i] }
        }
        continue
      }
      let id = ObjectIdentifier(p)
      var m = velocity[id] ?? [Float](repeating: 0, count: g.count)
      let (mu, nest) = (momentum, nesterov)
      p.value.withUnsafeMutableBufferPointer { v in
        g.withUnsafeBufferPointer { gp in
          for i in 0..<v.count {
            m[i] = m[i] * mu - lr * gp[i]
            v[i] += nest ? m[i] * mu - lr * gp[i] : m[i]
          }
        }
      }
      velocity[id] = m
    }
    iterations += 1
  }
}
