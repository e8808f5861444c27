import Kernels
import TensorCore

/// `Normalization` over the last axis (Keras's default `axis=-1`), exactly as Keras 2 and 3
/// compute it: y = (x − mean) / max(√variance, 1e-7), or with `invert` (Keras 3)
/// y = mean + x·max(√variance, 1e-7). Mean and variance are given (the config's `mean` and
/// `variance`) or are the layer's weights, in Keras order `mean`, `variance`, `count`
/// (all state, never trained; `count` is kept only so the weights match Keras's).
public final class Normalization: Layer {
  public let name: String
  public var kerasClassName: String { "Normalization" }
  public var isFrozen = false {
    didSet { weights.forEach { $0.isFrozen = isFrozen } }
  }
  public let invert: Bool
  /// Keras's `backend.epsilon()`, the floor of the standard deviation.
  public static let epsilon: Float = 1e-7
  /// The config's values (one, or one per channel); nil: the statistics are weights.
  public let givenMean: [Float]?
  public let givenVariance: [Float]?
  public private(set) var mean: Parameter?
  public private(set) var variance: Parameter?
  public private(set) var count: Parameter?

  public init(
    _ name: String, mean: [Float]? = nil, variance: [Float]? = nil, invert: Bool = false
  ) {
    self.name = name
    self.givenMean = mean
    self.givenVariance = variance
    self.invert = invert
  }

  public var weights: [Parameter] { [mean, variance, count].compactMap { $0 } }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard let c = s.last else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs a channel axis")
    }
    if givenMean == nil, mean == nil {
      mean = Parameter(name: "mean", value: Tensor(zeros: [c]), isTrainable: false)
      variance = Parameter(name: "variance", value: Tensor(zeros: [c], value: 1), isTrainable: false)
      count = Parameter(name: "count", value: Tensor(zeros: []), isTrainable: false)
    }
    _ = try statistics(channels: c)
    return s
  }

  /// Per-channel mean and max(√variance, ε).
  private func statistics(channels c: Int) throws -> (mean: [Float], std: [Float]) {
    let m = givenMean ?? mean?.value.scalars ?? []
    let v = givenVariance ?? variance?.value.scalars ?? []
    func expand(_ a: [Float], _ what: String) throws -> [Float] {
      if a.count == c { return a }
      guard a.count == 1 else {
        throw LayerError.badInputShape(
          layer: name, shape: [c], reason: "Normalization has \(a.count) \(what) values for \(c) channels")
      }
      return [Float](repeating: a[0], count: c)
    }
    let std = try expand(v, "variance").map { max($0.squareRoot(), Self.epsilon) }
    return (try expand(m, "mean"), std)
  }

  private var recordedScale: [Float]?

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let c = x.shape.last ?? 1
    let (m, d) = try statistics(channels: c)
    var y = x
    // Divides as Keras does (not a multiply by 1/d), so results match to the last bit or two.
    y.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count {
        let j = i % c
        p[i] = invert ? m[j] + p[i] * d[j] : (p[i] - m[j]) / d[j]
      }
    }
    recordedScale = mode.recordForBackward ? (invert ? d : d.map { 1 / $0 }) : nil
    return y
  }

  /// dx = dy / d (or dy·d with `invert`).
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let s = try recorded(recordedScale)
    recordedScale = nil
    guard needsInputGradient else { return [] }
    return [ChannelAffine.map(outputGradient, channels: s.count, scale: s, shift: nil, activation: .linear)]
  }
}
