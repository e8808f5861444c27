import Layers
import TensorCore

/// Keras 3's Adam: `m ← m + (g − m)(1 − β₁)`, `v ← v + (g² − v)(1 − β₂)`,
/// `p ← p − α·m / (√v + ε)` with `α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)`: the bias correction is
/// folded into the step size and ε sits outside the square root, unscaled (Keras's
/// "epsilon hat", default 1e-7). With `weightDecay` it is AdamW (decoupled decay).
public final class Adam: OptimizerBase, Optimizer {
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  var moments: [ObjectIdentifier: (m: [Float], v: [Float])] = [:]

  public init(
    learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-7, weightDecay: Float = 0
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    super.init(learningRate: learningRate, weightDecay: weightDecay)
  }

  /// AdamW with Keras 3's default decay (0.004).
  public static func adamW(learningRate: Float = 0.001, weightDecay: Float = 0.004) -> Adam {
    Adam(learningRate: learningRate, weightDecay: weightDecay)
  }

  public var stateCount: Int { moments.count }

  public func step(_ parameters: [Parameter]) {
    let t = Double(iterations + 1)
    let b1Power = Float(pow(Double(beta1), t))
    let b2Power = Float(pow(Double(beta2), t))
    for (p, g) in participants(parameters) {
      let lr = rate(for: p)
      decay(p, lr: lr)
      let alpha = lr * (1 - b2Power).squareRoot() / (1 - b1Power)
      let id = ObjectIdentifier(p)
      let zeros = [Float](repeating: 0, count: g.count)
      var (m, v) = moments[id] ?? (zeros, zeros)
      let (b1, b2, eps) = (beta1, beta2, epsilon)
      p.value.withUnsafeMutableBufferPointer { w in
        g.withUnsafeBufferPointer { gp in
          for i in 0..<w.count {
            m[i] += (gp[i] - m[i]) * (1 - b1)
            v[i] += (gp[i] * gp[i] - v[i]) * (1 - b2)
            w[i] -= alpha * m[i] / (v[i].squareRoot() + eps)
          }
        }
      }
      moments[id] = (m, v)
    }
    iterations += 1
  }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
