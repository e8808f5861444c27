import TensorCore

/// `Dropout(rate, noise_shape)`: in training, zeroes with probability `rate` and scales the
/// rest by 1/(1-rate); seeded. With `noiseShape` (Keras's, batch axis included, nil entries
/// meaning the input's size) one draw covers each broadcast block: EfficientNet's
/// `(None, 1, 1, 1)` drops whole samples.
public final class Dropout: Layer, InferenceOnlyCapable {
  public let name: String
  public var kerasClassName: String { "Dropout" }
  public var isFrozen = false
  /// Keras's `training=False` on its (or an enclosing model's) call: never drops.
  public var inferenceOnly = false
  public let rate: Float
  public let noiseShape: [Int?]?
  public var rng: SeededRNG

  public init(_ name: String, rate: Float, noiseShape: [Int?]? = nil, seed: UInt64 = 0) {
    self.name = name
    self.rate = rate
    self.noiseShape = noiseShape
    self.rng = SeededRNG(seed: seed)
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    _ = try maskShape([1] + s)
    return s
  }

  /// The shape of one mask draw for an input of `shape` (with batch).
  private func maskShape(_ shape: [Int]) throws -> [Int] {
    guard let noiseShape else { return shape }
    let m = zip(noiseShape, shape).map { $0.0 ?? $0.1 }
    guard noiseShape.count == shape.count, Broadcast.shape(m, shape) == shape else {
      throw LayerError.badInputShape(
        layer: name, shape: shape, reason: "noise_shape \(noiseShape) does not broadcast to it")
    }
    return m
  }

  /// Kept-and-scaled mask of the last training forward (nil: the pass was the identity).
  private var mask: Tensor?
  private var recordedIdentity = false

  /// Training: each element is kept with probability 1 − rate and scaled by 1/(1 − rate),
  /// as Keras; otherwise the identity. The mask comes from the layer's own seeded `rng`.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    mask = nil
    recordedIdentity = mode.recordForBackward
    guard mode.training, !inferenceOnly, rate > 0 else { return x }
    let keep = 1 - rate
    let scale: Float = keep > 0 ? 1 / keep : 0
    var m = Tensor(zeros: try maskShape(x.shape))
    for i in 0..<m.count where rng.uniform() >= rate { m.scalars[i] = scale }
    let y = try BinaryOperation.multiply.apply(x, m, layer: name)
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
    guard Broadcast.shape(m.shape, outputGradient.shape) == outputGradient.shape else {
      throw LayerError.badInputShape(
        layer: name, shape: outputGradient.shape, reason: "gradient must match the input")
    }
    return [try BinaryOperation.multiply.apply(outputGradient, m, layer: name)]
  }
}
