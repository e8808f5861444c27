import Kernels
import TensorCore

/// `BatchNormalization` over the last axis. Weights in Keras order: gamma, beta (trainable),
/// moving_mean, moving_variance (state, updated in training mode with `momentum`, never by
/// an optimizer). Frozen, it runs in inference mode, as Keras does for `trainable=False`.
public final class BatchNormalization: Layer {
  public let name: String
  public var kerasClassName: String { "BatchNormalization" }
  public let epsilon: Float
  public let momentum: Float
  public let center: Bool
  public let scale: Bool
  public private(set) var gamma: Parameter?
  public private(set) var beta: Parameter?
  public private(set) var movingMean: Parameter?
  public private(set) var movingVariance: Parameter?
  public var isFrozen = false {
    didSet { weights.forEach { $0.isFrozen = isFrozen } }
  }

  public init(
    _ name: String, epsilon: Float = 1e-3, momentum: Float = 0.99,
    center: Bool = true, scale: Bool = true
  ) {
    self.name = name
    self.epsilon = epsilon
    self.momentum = momentum
    self.center = center
    self.scale = scale
  }

  public var weights: [Parameter] {
    [gamma, beta, movingMean, movingVariance].compactMap { $0 }
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard let c = s.last else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs a channel axis")
    }
    if movingMean == nil {
      if scale { gamma = Parameter(name: "gamma", value: Tensor(zeros: [c], value: 1)) }
      if center { beta = Parameter(name: "beta", value: Tensor(zeros: [c])) }
      movingMean = Parameter(name: "moving_mean", value: Tensor(zeros: [c]), isTrainable: false)
      movingVariance = Parameter(
        name: "moving_variance", value: Tensor(zeros: [c], value: 1), isTrainable: false)
      weights.forEach { $0.isFrozen = isFrozen }
    }
    return s
  }

  /// The statistics a pass normalised with and its per-channel affine map
  /// `y = x·scale + shift`: what backward needs besides the input.
  public struct Normalisation: Sendable {
    public var mean: [Float]
    public var invStd: [Float]
    public var scale: [Float]
    public var shift: [Float]
    public var usedBatchStatistics: Bool
  }

  /// What backward needs: the input (x̂ is recomputed from it, which costs less memory
  /// traffic than writing and reading it back) and the normalisation used.
  private var record: (x: Tensor, normalisation: Normalisation)?

  /// Whether a pass in `mode` normalises with batch statistics (and updates the moving
  /// ones): only in training and only when not frozen, as Keras's `training and trainable`.
  public func usesBatchStatistics(_ mode: ForwardMode) -> Bool { mode.training && !isFrozen }

  /// y = γ·(x − μ)/√(σ² + ε) + β over the last axis. Training: μ, σ² are the batch's
  /// (biased variance) and the moving statistics become `moving·momentum + batch·(1 −
  /// momentum)` with the *biased* batch variance, exactly as Keras 3's BatchNormalization
  /// (`ops.moments`). (tf_keras's fused kernel uses the unbiased variance here instead.)
  /// Inference or frozen: μ, σ² are the moving statistics.
  /// Computed as Keras does, `x·s + (β − μ·s)` with `s = γ/√(σ² + ε)`, in one SIMD pass
  /// after one pass for the batch statistics.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let n = try normalisation(x, mode: mode)
    let y = Self.affine(x, scale: n.scale, shift: n.shift)
    record = mode.recordForBackward ? (x, n) : nil
    return y
  }

  /// The normalisation a pass in `mode` applies to `x`; in training (not frozen) it takes
  /// the batch's statistics and moves the moving ones towards them (the forward pass's
  /// first half, for plan steps that apply the map themselves: Plan/Rules/NormActivation).
  public func normalisation(_ x: Tensor, mode: ForwardMode) throws -> Normalisation {
    let mm = try recorded(movingMean)
    let mv = try recorded(movingVariance)
    let c = mm.value.count
    guard x.shape.last == c, c > 0 else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs \(c) channels")
    }
    let mean: [Float]
    let invStd: [Float]
    let batchStats = usesBatchStatistics(mode)
    if batchStats {
      let (m, v) = BatchNormKernel.moments(x, channels: c)
      mean = m.map { Float($0) }
      invStd = v.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
      let variance = v.map { Float($0) }
      mm.value.withUnsafeMutableBufferPointer { p in
        for j in 0..<c { p[j] = p[j] * momentum + mean[j] * (1 - momentum) }
      }
      mv.value.withUnsafeMutableBufferPointer { p in
        for j in 0..<c { p[j] = p[j] * momentum + variance[j] * (1 - momentum) }
      }
    } else {
      mean = mm.value.scalars
      invStd = mv.value.scalars.map { 1 / ($0 + epsilon).squareRoot() }
    }
    let g = gamma?.value.scalars ?? [Float](repeating: 1, count: c)
    let b = beta?.value.scalars ?? [Float](repeating: 0, count: c)
    let scale = (0..<c).map { g[$0] * invStd[$0] }
    let shift = (0..<c).map { b[$0] - mean[$0] * scale[$0] }
    return Normalisation(
      mean: mean, invStd: invStd, scale: scale, shift: shift, usedBatchStatistics: batchStats)
  }

  /// `x·scale + shift` per channel (last axis): one SIMD pass over the cores.
  static func affine(_ x: Tensor, scale: [Float], shift: [Float]) -> Tensor {
    ChannelAffine.map(x, channels: scale.count, scale: scale, shift: shift, activation: .linear)
  }

  /// dγ = Σ dy·x̂, dβ = Σ dy. With batch statistics
  /// dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)); with fixed statistics (inference, frozen)
  /// the layer is the affine map dx = γ/σ · dy. Two SIMD passes: the reductions, then dx.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let (x, n) = try recorded(record)
    record = nil
    return try gradients(
      outputGradient, input: x, n, mask: nil, needsInputGradient: needsInputGradient)
  }

  /// The backward pass over `x` normalised by `n`: accumulates dγ, dβ and returns dx.
  /// `mask` first zeroes dy where a clamp after the affine map was active, for a plan step
  /// that applies one in the same output pass (Plan/Rules/NormActivation); nil for the
  /// layer alone.
  public func gradients(
    _ outputGradient: Tensor, input x: Tensor, _ rec: Normalisation, mask: ClampMask?,
    needsInputGradient: Bool
  ) throws -> [Tensor] {
    try checkGradient(outputGradient, x.shape)
    let c = rec.invStd.count
    let rows = outputGradient.count / c
    let needGamma = gamma?.needsGradient ?? false
    let needBeta = beta?.needsGradient ?? false
    var sumDy = [Double](repeating: 0, count: c)
    var sumDyXc = [Double](repeating: 0, count: c)
    if needGamma || needBeta || (needsInputGradient && rec.usedBatchStatistics) {
      (sumDy, sumDyXc) = BatchNormKernel.backwardSums(
        outputGradient, x, channels: c, mean: rec.mean, mask: mask)
    }
    // Σ dy·x̂ = Σ dy·(x − μ) / σ.
    let sumDyXHat = (0..<c).map { sumDyXc[$0] * Double(rec.invStd[$0]) }
    if let gp = gamma, needGamma { gp.accumulate(Tensor(shape: [c]) { Float(sumDyXHat[$0]) }) }
    if let bp = beta, needBeta { bp.accumulate(Tensor(shape: [c]) { Float(sumDy[$0]) }) }
    guard needsInputGradient else { return [] }
    let g = gamma?.value.scalars ?? [Float](repeating: 1, count: c)
    let a = (0..<c).map { g[$0] * rec.invStd[$0] }
    var b: [Float]? = nil
    var k: [Float]? = nil
    if rec.usedBatchStatistics {
      // dx = a·dy − a·mean(dy) − a/σ·mean(dy·x̂)·(x − μ).
      let m = Double(max(rows, 1))
      b = (0..<c).map {
        Float(-Double(a[$0]) * Double(rec.invStd[$0]) * sumDyXHat[$0] / m)
      }
      k = (0..<c).map { Float(-Double(a[$0]) * sumDy[$0] / m) }
    }
    let dx = BatchNormKernel.inputGradient(
      outputGradient, x, channels: c, mean: rec.mean, a: a, b: b, k: k, mask: mask)
    return [dx]
  }
}
