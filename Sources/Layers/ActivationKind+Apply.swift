import TensorCore

extension ActivationKind {
  /// Applies the activation in place; softmax runs over the last axis.
  public func apply(_ t: inout Tensor) {
    switch self {
    case .linear:
      return
    case .relu, .relu6:
      ChannelAffine.apply(&t, channels: t.shape.last ?? 1, activation: self)
    case .sigmoid:
      t.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { p[i] = 1 / (1 + expf(-p[i])) }
      }
    case .softmax:
      let c = t.shape.last ?? 1
      guard c > 0 else { return }
      t.withUnsafeMutableBufferPointer { p in
        for r in 0..<(p.count / c) {
          let o = r * c
          var m = -Float.infinity
          for j in 0..<c { m = max(m, p[o + j]) }
          var s: Float = 0
          for j in 0..<c {
            p[o + j] = expf(p[o + j] - m)
            s += p[o + j]
          }
          for j in 0..<c { p[o + j] /= s }
        }
      }
    }
  }

  /// Whether `backward` needs the activation's output (everything but `linear`).
  public var needsOutput: Bool { self != .linear }

  /// dLoss/dInput from dLoss/dOutput and the activation's *output* `y`.
  /// ReLU's gradient at 0 is 0 and ReLU6's is 0 at 0 and at 6, as TensorFlow's.
  public func backward(_ dy: Tensor, output y: Tensor) -> Tensor {
    var dx = dy
    switch self {
    case .linear:
      return dy
    case .relu:
      // One SIMD pass into a new buffer (no copy of dy first).
      return ClampBackward.gradient(dy, output: y, lower: 0, upper: .infinity)
    case .relu6:
      return ClampBackward.gradient(dy, output: y, lower: 0, upper: 6)
    case .sigmoid:
      dx.withUnsafeMutableBufferPointer { d in
        y.withUnsafeBufferPointer { o in
          for i in 0..<d.count { d[i] *= o[i] * (1 - o[i]) }
        }
      }
    case .softmax:
      // dx = y ⊙ (dy − Σ dy·y) per row.
      let c = y.shape.last ?? 1
      guard c > 0 else { return dx }
      dx.withUnsafeMutableBufferPointer { d in
        y.withUnsafeBufferPointer { o in
          for r in 0..<(d.count / c) {
            let b = r * c
            var dot: Float = 0
            for j in 0..<c { dot += d[b + j] * o[b + j] }
            for j in 0..<c { d[b + j] = o[b + j] * (d[b + j] - dot) }
          }
        }
      }
    }
    return dx
  }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
