import Kernels
import TensorCore

/// ConvNeXt's `LayerScale(init_values, projection_dim)`: y = x·γ over the last axis, one
/// trainable weight `gamma` `[projection_dim]` initialised to `init_values`.
public final class LayerScale: Layer {
  public let name: String
  public var kerasClassName: String { "LayerScale" }
  public let initValue: Float
  public let projectionDim: Int
  public private(set) var gamma: Parameter?
  public var isFrozen = false {
    didSet { gamma?.isFrozen = isFrozen }
  }

  public init(_ name: String, initValue: Float, projectionDim: Int) {
    self.name = name
    self.initValue = initValue
    self.projectionDim = projectionDim
  }

  public var weights: [Parameter] { gamma.map { [$0] } ?? [] }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard s.last == projectionDim else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs \(projectionDim) channels")
    }
    if gamma == nil {
      gamma = Parameter(name: "gamma", value: Tensor(zeros: [projectionDim], value: initValue))
      gamma?.isFrozen = isFrozen
    }
    return s
  }

  private var savedInput: Tensor?

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let g = try recorded(gamma)
    guard x.shape.last == projectionDim else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs \(projectionDim) channels")
    }
    savedInput = mode.recordForBackward ? x : nil
    return ChannelAffine.map(x, channels: projectionDim, scale: g.value.scalars, shift: nil, activation: .linear)
  }

  /// dγ = Σ dy·x per channel; dx = dy·γ.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let x = try recorded(savedInput)
    let g = try recorded(gamma)
    savedInput = nil
    try checkGradient(outputGradient, x.shape)
    if g.needsGradient {
      var dg = [Float](repeating: 0, count: projectionDim)
      for i in 0..<x.count { dg[i % projectionDim] += outputGradient.scalars[i] * x.scalars[i] }
      g.accumulate(Tensor(shape: [projectionDim]) { dg[$0] })
    }
    guard needsInputGradient else { return [] }
    return [
      ChannelAffine.map(
        outputGradient, channels: projectionDim, scale: g.value.scalars, shift: nil, activation: .linear)
    ]
  }
}
