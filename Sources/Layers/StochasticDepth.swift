import TensorCore

/// ConvNeXt's `StochasticDepth(drop_path_rate)`: the identity at inference; in training, as
/// Keras's, each sample's whole residual branch is kept with probability 1 − rate (and
/// scaled by 1/(1 − rate)) or zeroed. The draws come from the layer's own seeded `rng`.
public final class StochasticDepth: Layer {
  public let name: String
  public var kerasClassName: String { "StochasticDepth" }
  public var isFrozen = false
  public let rate: Float
  public var rng: SeededRNG

  public init(_ name: String, rate: Float, seed: UInt64 = 0) {
    self.name = name
    self.rate = rate
    self.rng = SeededRNG(seed: seed)
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try singleShape(inputShapes)
  }

  /// Per-sample factor of the last training pass (0 or 1/keep); nil: identity or none.
  private var factors: [Float]?
  private var recordedIdentity = false

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    factors = nil
    recordedIdentity = mode.recordForBackward
    guard mode.training, rate > 0, let n = x.shape.first, n > 0 else { return x }
    let keep = 1 - rate
    // Keras: floor(keep + U[0, 1)) is 1 with probability keep.
    let f: [Float] = (0..<n).map { _ in (keep + rng.uniform()).rounded(.down) > 0 ? 1 / keep : 0 }
    let y = Self.scaleSamples(x, f)
    if mode.recordForBackward {
      factors = f
      recordedIdentity = false
    }
    return y
  }

  static func scaleSamples(_ x: Tensor, _ f: [Float]) -> Tensor {
    var y = x
    let per = x.count / max(f.count, 1)
    y.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] *= f[i / per] }
    }
    return y
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    guard factors != nil || recordedIdentity else { throw LayerError.noRecordedForward(layer: name) }
    defer { (factors, recordedIdentity) = (nil, false) }
    guard needsInputGradient else { return [] }
    guard let f = factors else { return [outputGradient] }
    return [Self.scaleSamples(outputGradient, f)]
  }
}
