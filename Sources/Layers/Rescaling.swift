import Kernels
import TensorCore

/// `Rescaling(scale, offset)`: y = x·scale + offset. Each of `scale` and `offset` is one
/// value or one per channel (last axis), as Keras accepts a scalar or a list (EfficientNet
/// rescales by 1/√variance per channel).
public final class Rescaling: Layer {
  public let name: String
  public var kerasClassName: String { "Rescaling" }
  public var isFrozen = false
  public let scale: [Float]
  public let offset: [Float]

  public init(_ name: String, scale: [Float], offset: [Float] = [0]) {
    self.name = name
    self.scale = scale
    self.offset = offset
  }

  public convenience init(_ name: String, scale: Float, offset: Float = 0) {
    self.init(name, scale: [scale], offset: [offset])
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    _ = try perChannel(s)
    return s
  }

  /// Scale and offset expanded to the channel count of `shape`.
  private func perChannel(_ shape: [Int]) throws -> (scale: [Float], offset: [Float]) {
    let c = shape.last ?? 1
    func expand(_ v: [Float]) throws -> [Float] {
      if v.count == c { return v }
      guard v.count == 1 else {
        throw LayerError.badInputShape(
          layer: name, shape: shape, reason: "Rescaling has \(v.count) values for \(c) channels")
      }
      return [Float](repeating: v[0], count: c)
    }
    return (try expand(scale), try expand(offset))
  }

  private var recordedScale: [Float]?

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let (s, o) = try perChannel(x.shape)
    recordedScale = mode.recordForBackward ? s : nil
    return ChannelAffine.map(x, channels: s.count, scale: s, shift: o, activation: .linear)
  }

  /// dx = dy·scale.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let s = try recorded(recordedScale)
    recordedScale = nil
    guard needsInputGradient else { return [] }
    return [ChannelAffine.map(outputGradient, channels: s.count, scale: s, shift: nil, activation: .linear)]
  }
}
