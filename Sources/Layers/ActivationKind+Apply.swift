import Kernels
import TensorCore

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

extension ActivationKind {
  /// Applies the activation in place; softmax runs over the last axis. Formulas as Keras's
  /// (TensorFlow backend), in Float32.
  public func apply(_ t: inout Tensor) {
    switch self {
    case .linear:
      return
    case .relu, .relu6:
      ChannelAffine.apply(&t, channels: t.shape.last ?? 1, activation: self)
    case .softmax:
      Self.softmaxRows(&t)
    case .sigmoid: Self.map(&t) { Self.sigmoid($0) }
    case .tanh: Self.map(&t) { tanhf($0) }
    case .silu: Self.map(&t) { $0 * Self.sigmoid($0) }
    case .hardSigmoid: Self.map(&t) { min(max($0 + 3, 0), 6) / 6 }
    case .hardSigmoidKeras2: Self.map(&t) { min(max(0.2 * $0 + 0.5, 0), 1) }
    case .hardSilu: Self.map(&t) { $0 * (min(max($0 + 3, 0), 6) / 6) }
    case .gelu: Self.map(&t) { 0.5 * $0 * (1 + erff($0 * Self.invSqrt2)) }
    case .geluApproximate: Self.map(&t) { x in 0.5 * x * (1 + tanhf(Self.geluInner(x))) }
    case .elu: Self.map(&t) { $0 > 0 ? $0 : expm1f($0) }
    case .selu:
      Self.map(&t) { $0 > 0 ? Self.seluScale * $0 : Self.seluScale * Self.seluAlpha * expm1f($0) }
    case .softplus: Self.map(&t) { max($0, 0) + log1pf(expf(-abs($0))) }
    case .leakyRelu: Self.map(&t) { $0 > 0 ? $0 : Self.leakySlope * $0 }
    }
  }

  /// Whether backward needs the activation's *input* (its gradient is not a function of
  /// its output: silu, hard_silu and gelu are not monotone).
  public var gradientNeedsInput: Bool {
    [.silu, .hardSilu, .gelu, .geluApproximate].contains(self)
  }

  /// Whether backward needs anything recorded (everything but `linear`).
  public var needsOutput: Bool { self != .linear }

  /// Applies the activation to `z` in place and returns what `backward(_:recorded:)` needs
  /// when `record` is set: the output, or the input where `gradientNeedsInput` (nil for
  /// `linear` and when not recording).
  public func apply(_ z: inout Tensor, recording record: Bool) -> Tensor? {
    let input = record && gradientNeedsInput ? z : nil
    apply(&z)
    guard record, needsOutput else { return nil }
    return input ?? z
  }

  /// dLoss/dInput from dLoss/dOutput and what `apply(_:recording:)` returned (the input for
  /// `gradientNeedsInput` kinds, else the output). At kinks the gradient is TensorFlow's:
  /// ReLU's is 0 at 0, ReLU6's 0 at 0 and 6, leaky_relu's the slope at 0.
  public func backward(_ dy: Tensor, recorded r: Tensor) -> Tensor {
    var dx = dy
    switch self {
    case .linear:
      return dy
    case .relu:
      // One SIMD pass into a new buffer (no copy of dy first).
      return ClampBackward.gradient(dy, output: r, lower: 0, upper: .infinity)
    case .relu6:
      return ClampBackward.gradient(dy, output: r, lower: 0, upper: 6)
    case .softmax:
      Self.softmaxBackward(&dx, output: r)
    case .sigmoid: Self.scale(&dx, by: r) { y in y * (1 - y) }
    case .tanh: Self.scale(&dx, by: r) { y in 1 - y * y }
    case .silu:
      Self.scale(&dx, by: r) { x in
        let s = Self.sigmoid(x)
        return s * (1 + x * (1 - s))
      }
    case .hardSigmoid: Self.scale(&dx, by: r) { y in y > 0 && y < 1 ? 1 / 6 : 0 }
    case .hardSigmoidKeras2: Self.scale(&dx, by: r) { y in y > 0 && y < 1 ? 0.2 : 0 }
    case .hardSilu:
      Self.scale(&dx, by: r) { x in x < -3 ? 0 : x > 3 ? 1 : (2 * x + 3) / 6 }
    case .gelu:
      Self.scale(&dx, by: r) { x in
        0.5 * (1 + erff(x * Self.invSqrt2)) + x * expf(-0.5 * x * x) * Self.invSqrt2Pi
      }
    case .geluApproximate:
      Self.scale(&dx, by: r) { x in
        let t = tanhf(Self.geluInner(x))
        return 0.5 * (1 + t)
          + 0.5 * x * (1 - t * t) * Self.sqrt2OverPi * (1 + 3 * Self.geluCubic * x * x)
      }
    case .elu: Self.scale(&dx, by: r) { y in y > 0 ? 1 : y + 1 }
    case .selu:
      Self.scale(&dx, by: r) { y in y > 0 ? Self.seluScale : y + Self.seluScale * Self.seluAlpha }
    // σ(x) = 1 − exp(−y), written −expm1(−y) to keep precision where y is tiny.
    case .softplus: Self.scale(&dx, by: r) { y in -expm1f(-y) }
    case .leakyRelu: Self.scale(&dx, by: r) { y in y > 0 ? 1 : Self.leakySlope }
    }
    return dx
  }

  // Keras's constants (keras/src/backend/tensorflow/nn.py, tf.nn).
  static let seluScale: Float = 1.0507009873554804934193349852946
  static let seluAlpha: Float = 1.6732632423543772848170429916717
  static let leakySlope: Float = 0.2
  static let invSqrt2: Float = 0.70710678118654752440
  static let invSqrt2Pi: Float = 0.39894228040143267794
  static let sqrt2OverPi: Float = 0.79788456080286535588
  static let geluCubic: Float = 0.044715

  @inline(__always) static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
  @inline(__always) static func geluInner(_ x: Float) -> Float {
    sqrt2OverPi * (x + geluCubic * x * x * x)
  }

  /// Element-wise `f` over `t`, in chunks spread over the cores for large tensors.
  @inline(__always)
  static func map(_ t: inout Tensor, _ f: (Float) -> Float) {
    t.withUnsafeMutableBufferPointer { p in
      guard let base = p.baseAddress else { return }
      let n = p.count
      let chunk = 1 << 15
      Parallel.forEach((n + chunk - 1) / chunk) { c in
        for i in (c * chunk)..<min(n, (c + 1) * chunk) { base[i] = f(base[i]) }
      }
    }
  }

  /// `d[i] *= g(r[i])` element-wise.
  @inline(__always)
  static func scale(_ d: inout Tensor, by r: Tensor, _ g: (Float) -> Float) {
    d.withUnsafeMutableBufferPointer { dp in
      r.withUnsafeBufferPointer { rp in
        guard let db = dp.baseAddress, let rb = rp.baseAddress else { return }
        let n = min(dp.count, rp.count)
        let chunk = 1 << 15
        Parallel.forEach((n + chunk - 1) / chunk) { c in
          for i in (c * chunk)..<min(n, (c + 1) * chunk) { db[i] *= g(rb[i]) }
        }
      }
    }
  }

  /// Softmax over the last axis, rows shifted by their maximum.
  static func softmaxRows(_ t: inout Tensor) {
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

  /// dx = y ⊙ (dy − Σ dy·y) per row of the last axis.
  static func softmaxBackward(_ d: inout Tensor, output y: Tensor) {
    let c = y.shape.last ?? 1
    guard c > 0 else { return }
    d.withUnsafeMutableBufferPointer { d in
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
}
