import TensorCore

/// `Dropout(rate)`: in training, zeroes with probability `rate` and scales the rest by
/// 1/(1-rate); seeded.
public final class Dropout: Layer {
  public let name: String
  public var kerasClassName: String { "Dropout" }
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

  /// Kept-and-scaled mask of the last training forward (nil: the pass was the identity).
  private var mask: [Float]?
  private var recordedIdentity = false

  /// Training: each element is kept with probability 1 − rate and scaled by 1/(1 − rate),
  /// as Keras; otherwise the identity. The mask comes from the layer's own seeded `rng`.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    mask = nil
    recordedIdentity = mode.recordForBackward
    guard mode.training, rate > 0 else { return x }
    let keep = 1 - rate
    let scale: Float = keep > 0 ? 1 / keep : 0
    var m = [Float](repeating: 0, count: x.count)
    for i in 0..<m.count where rng.uniform() >= rate { m[i] = scale }
    var y = x
    y.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] *= m[i] }
    }
    if mode.recordForBackward {
      mask = m
      recordedIdentity = false
    }
    return y
  }

  /// dx = dy ⊙ mask (or dy when the forward pass was the identity).
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    guard mask != nil || recordedIdentity else {
      throw LayerError.noRecordedForward(layer: name)
    }
    defer { (mask, recordedIdentity) = (nil, false) }
    guard needsInputGradient else { return [] }
    guard let m = mask else { return [outputGradient] }
    guard m.count == outputGradient.count else {
      throw LayerError.badInputShape(
        layer: name, shape: outputGradient.shape, reason: "gradient must match the input")
    }
    var dx = outputGradient
    dx.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] *= m[i] }
    }
    return [dx]
  }
}
