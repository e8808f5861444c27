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

  /// What backward needs: x̂ (normalised input), 1/σ per channel, and which statistics
  /// the forward pass used.
  private struct Record {
    var xHat: Tensor
    var invStd: [Float]
    var usedBatchStatistics: Bool
  }
  private var record: Record?

  /// Whether a pass in `mode` normalises with batch statistics (and updates the moving
  /// ones): only in training and only when not frozen, as Keras's `training and trainable`.
  public func usesBatchStatistics(_ mode: ForwardMode) -> Bool { mode.training && !isFrozen }

  /// y = γ·(x − μ)/√(σ² + ε) + β over the last axis. Training: μ, σ² are the batch's
  /// (biased variance) and the moving statistics become `moving·momentum + batch·(1 −
  /// momentum)` with the *biased* batch variance, exactly as Keras 3's BatchNormalization
  /// (`ops.moments`). (tf_keras's fused kernel uses the unbiased variance here instead.)
  /// Inference or frozen: μ, σ² are the moving statistics.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let mm = try recorded(movingMean)
    let mv = try recorded(movingVariance)
    let c = mm.value.count
    guard x.shape.last == c, c > 0 else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs \(c) channels")
    }
    let rows = x.count / c
    var mean = [Float](repeating: 0, count: c)
    var variance = [Float](repeating: 0, count: c)
    let batchStats = usesBatchStatistics(mode)
    if batchStats {
      // Two passes in Double: the mean, then the mean squared deviation.
      var sum = [Double](repeating: 0, count: c)
      var sq = [Double](repeating: 0, count: c)
      x.withUnsafeBufferPointer { p in
        for r in 0..<rows { for j in 0..<c { sum[j] += Double(p[r * c + j]) } }
        for j in 0..<c { sum[j] /= Double(max(rows, 1)) }
        for r in 0..<rows {
          for j in 0..<c {
            let d = Double(p[r * c + j]) - sum[j]
            sq[j] += d * d
          }
        }
      }
      for j in 0..<c {
        mean[j] = Float(sum[j])
        variance[j] = Float(sq[j] / Double(max(rows, 1)))
      }
      mm.value.withUnsafeMutableBufferPointer { m in
        for j in 0..<c { m[j] = m[j] * momentum + mean[j] * (1 - momentum) }
      }
      mv.value.withUnsafeMutableBufferPointer { v in
        for j in 0..<c { v[j] = v[j] * momentum + variance[j] * (1 - momentum) }
      }
    } else {
      mean = mm.value.scalars
      variance = mv.value.scalars
    }
    let invStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
    let g = gamma?.value.scalars ?? [Float](repeating: 1, count: c)
    let b = beta?.value.scalars ?? [Float](repeating: 0, count: c)
    if !mode.recordForBackward {
      // Nothing to keep for backward (inference, frozen prefix): one fused pass
      // y = x·scale + shift into one new buffer, instead of two copies and two passes.
      record = nil
      return Self.affine(x, scale: (0..<c).map { g[$0] * invStd[$0] },
        shift: (0..<c).map { b[$0] - mean[$0] * g[$0] * invStd[$0] })
    }
    var xHat = x
    xHat.withUnsafeMutableBufferPointer { p in
      for r in 0..<rows {
        for j in 0..<c { p[r * c + j] = (p[r * c + j] - mean[j]) * invStd[j] }
      }
    }
    var y = xHat
    y.withUnsafeMutableBufferPointer { p in
      for r in 0..<rows {
        for j in 0..<c { p[r * c + j] = p[r * c + j] * g[j] + b[j] }
      }
    }
    record = mode.recordForBackward
      ? Record(xHat: xHat, invStd: invStd, usedBatchStatistics: batchStats) : nil
    return y
  }

  /// `x·scale + shift` per channel (last axis): one SIMD pass over the cores.
  static func affine(_ x: Tensor, scale: [Float], shift: [Float]) -> Tensor {
    ChannelAffine.map(x, channels: scale.count, scale: scale, shift: shift, clamp: nil)
  }

  /// dγ = Σ dy·x̂, dβ = Σ dy. With batch statistics
  /// dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)); with fixed statistics (inference, frozen)
  /// the layer is the affine map dx = γ/σ · dy.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let rec = try recorded(record)
    record = nil
    try checkGradient(outputGradient, rec.xHat.shape)
    let c = rec.invStd.count
    let rows = outputGradient.count / c
    var sumDy = [Float](repeating: 0, count: c)
    var sumDyXHat = [Float](repeating: 0, count: c)
    outputGradient.withUnsafeBufferPointer { d in
      rec.xHat.withUnsafeBufferPointer { h in
        for r in 0..<rows {
          for j in 0..<c {
            sumDy[j] += d[r * c + j]
            sumDyXHat[j] += d[r * c + j] * h[r * c + j]
          }
        }
      }
    }
    if let gp = gamma, gp.needsGradient { gp.accumulate(Tensor(shape: [c]) { sumDyXHat[$0] }) }
    if let bp = beta, bp.needsGradient { bp.accumulate(Tensor(shape: [c]) { sumDy[$0] }) }
    guard needsInputGradient else { return [] }
    let g = gamma?.value.scalars ?? [Float](repeating: 1, count: c)
    let scale = (0..<c).map { g[$0] * rec.invStd[$0] }
    var dx = outputGradient
    if rec.usedBatchStatistics {
      let m = Float(max(rows, 1))
      let meanDy = sumDy.map { $0 / m }
      let meanDyXHat = sumDyXHat.map { $0 / m }
      dx.withUnsafeMutableBufferPointer { d in
        rec.xHat.withUnsafeBufferPointer { h in
          for r in 0..<rows {
            for j in 0..<c {
              let i = r * c + j
              d[i] = scale[j] * (d[i] - meanDy[j] - h[i] * meanDyXHat[j])
            }
          }
        }
      }
    } else {
      dx.withUnsafeMutableBufferPointer { d in
        for r in 0..<rows { for j in 0..<c { d[r * c + j] *= scale[j] } }
      }
    }
    return [dx]
  }
}
