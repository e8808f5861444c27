import Kernels
import TensorCore

/// `LayerNormalization` over the last axis (Keras's default `axis=-1`), as Keras 2 and 3:
/// y = (x − μ)·γ/√(σ² + ε) + β with μ, σ² (biased) over each sample's last axis. Weights in
/// Keras order: gamma (`scale`), beta (`center`).
public final class LayerNormalization: Layer {
  public let name: String
  public var kerasClassName: String { "LayerNormalization" }
  public let epsilon: Float
  public let center: Bool
  public let scale: Bool
  public private(set) var gamma: Parameter?
  public private(set) var beta: Parameter?
  public var isFrozen = false {
    didSet { weights.forEach { $0.isFrozen = isFrozen } }
  }

  public init(_ name: String, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true) {
    self.name = name
    self.epsilon = epsilon
    self.center = center
    self.scale = scale
  }

  public var weights: [Parameter] { [gamma, beta].compactMap { $0 } }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard let c = s.last else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs a feature axis")
    }
    if gamma == nil && beta == nil {
      if scale { gamma = Parameter(name: "gamma", value: Tensor(zeros: [c], value: 1)) }
      if center { beta = Parameter(name: "beta", value: Tensor(zeros: [c])) }
      weights.forEach { $0.isFrozen = isFrozen }
    }
    return s
  }

  /// x̂ and 1/√(σ² + ε) per row, kept for backward.
  private var record: (xHat: Tensor, invStd: [Float])?

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let c = x.shape.last ?? 0
    guard c > 0, gamma.map({ $0.value.count == c }) ?? true,
      beta.map({ $0.value.count == c }) ?? true
    else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs the built feature count")
    }
    let rows = x.count / c
    var xHat = x
    var invStd = [Float](repeating: 0, count: rows)
    xHat.withUnsafeMutableBufferPointer { p in
      for r in 0..<rows {
        let o = r * c
        var sum: Double = 0
        for j in 0..<c { sum += Double(p[o + j]) }
        let mean = sum / Double(c)
        var sq: Double = 0
        for j in 0..<c { sq += (Double(p[o + j]) - mean) * (Double(p[o + j]) - mean) }
        let inv = Float(1 / (sq / Double(c) + Double(epsilon)).squareRoot())
        invStd[r] = inv
        for j in 0..<c { p[o + j] = (p[o + j] - Float(mean)) * inv }
      }
    }
    let g = gamma?.value.scalars
    let b = beta?.value.scalars
    let y = ChannelAffine.map(xHat, channels: c, scale: g, shift: b, activation: .linear)
    record = mode.recordForBackward ? (xHat, invStd) : nil
    return y
  }

  /// dγ = Σ dy·x̂, dβ = Σ dy; per row, with g = dy·γ:
  /// dx = 1/σ · (g − mean(g) − x̂·mean(g·x̂)).
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let (xHat, invStd) = try recorded(record)
    record = nil
    try checkGradient(outputGradient, xHat.shape)
    let c = xHat.shape.last ?? 1
    let rows = xHat.count / c
    let dy = outputGradient.scalars
    if let gp = gamma, gp.needsGradient {
      var dg = [Float](repeating: 0, count: c)
      for i in 0..<dy.count { dg[i % c] += dy[i] * xHat.scalars[i] }
      gp.accumulate(Tensor(shape: [c]) { dg[$0] })
    }
    if let bp = beta, bp.needsGradient { bp.accumulate(Conv2DKernel.sumRows(outputGradient, columns: c)) }
    guard needsInputGradient else { return [] }
    let gammaValues = gamma?.value.scalars ?? [Float](repeating: 1, count: c)
    var dx = outputGradient
    dx.withUnsafeMutableBufferPointer { d in
      xHat.withUnsafeBufferPointer { h in
        for r in 0..<rows {
          let o = r * c
          var sumG: Double = 0
          var sumGX: Double = 0
          for j in 0..<c {
            let g = Double(d[o + j] * gammaValues[j])
            sumG += g
            sumGX += g * Double(h[o + j])
          }
          let (mg, mgx) = (Float(sumG / Double(c)), Float(sumGX / Double(c)))
          for j in 0..<c {
            d[o + j] = invStd[r] * (d[o + j] * gammaValues[j] - mg - h[o + j] * mgx)
          }
        }
      }
    }
    return [dx]
  }
}
