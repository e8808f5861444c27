import Kernels
import TensorCore

/// `Dense`: input `[N, …, in]`, kernel `[in, out]`, optional bias `[out]`, fused activation.
/// Like Keras, it acts on the last axis, so `[N, H, W, C]` gives `[N, H, W, units]`
/// (ConvNeXt's pointwise layers).
public final class Dense: Layer {
  public let name: String
  public var kerasClassName: String { "Dense" }
  public let units: Int
  public let useBias: Bool
  public let activation: ActivationKind
  public private(set) var kernel: Parameter?
  public private(set) var bias: Parameter?
  public var isFrozen = false {
    didSet { weights.forEach { $0.isFrozen = isFrozen } }
  }

  public init(
    _ name: String, units: Int, useBias: Bool = true, activation: ActivationKind = .linear
  ) {
    self.name = name
    self.units = units
    self.useBias = useBias
    self.activation = activation
  }

  public var weights: [Parameter] { [kernel, bias].compactMap { $0 } }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard let fanIn = s.last else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "Dense needs [..., features]")
    }
    if kernel == nil {
      kernel = Parameter(name: "kernel", value: Initializer.glorotUniform([fanIn, units], rng: &rng))
      if useBias { bias = Parameter(name: "bias", value: Tensor(zeros: [units])) }
      weights.forEach { $0.isFrozen = isFrozen }
    }
    return s.dropLast() + [units]
  }

  private var savedInput: Tensor?
  /// What the activation's backward needs (`ActivationKind.apply(_:recording:)`).
  private var activationRecord: Tensor?

  /// x `[N, …, in]` → y `[N, …, units]`, y = act(x · kernel + bias).
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let k = try recorded(kernel)
    let fanIn = k.value.shape[0]
    guard x.rank >= 2, x.shape.last == fanIn else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs [N, ..., \(fanIn)]")
    }
    let n = x.count / fanIn
    var y = Tensor(zeros: x.shape.dropLast() + [units])
    if let b = bias?.value {
      y.withUnsafeMutableBufferPointer { o in
        for r in 0..<n {
          for j in 0..<units { o[r * units + j] = b.scalars[j] }
        }
      }
    }
    let beta: Float = bias == nil ? 0 : 1
    y.withUnsafeMutableBufferPointer { o in
      x.withUnsafeBufferPointer { xp in
        k.value.withUnsafeBufferPointer { w in
          sgemm(m: n, n: units, k: fanIn, a: xp, b: w, beta: beta, c: o)
        }
      }
    }
    activationRecord = activation.apply(&y, recording: mode.recordForBackward)
    savedInput = mode.recordForBackward ? x : nil
    return y
  }

  /// dy `[N, …, units]` → dx `[N, …, in]`; accumulates dKernel = xᵀ·dz and dBias = Σ dz.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let x = try recorded(savedInput)
    let k = try recorded(kernel)
    defer { (savedInput, activationRecord) = (nil, nil) }
    let fanIn = k.value.shape[0]
    let n = x.count / fanIn
    try checkGradient(outputGradient, x.shape.dropLast() + [units])
    let dz = activation.needsOutput
      ? activation.backward(outputGradient, recorded: try recorded(activationRecord))
      : outputGradient
    if k.needsGradient {
      var dw = Tensor(zeros: k.value.shape)
      dw.withUnsafeMutableBufferPointer { w in
        x.withUnsafeBufferPointer { xp in
          dz.withUnsafeBufferPointer { d in
            sgemm(transA: true, m: fanIn, n: units, k: n, a: xp, b: d, c: w)
          }
        }
      }
      k.accumulate(dw)
    }
    if let b = bias, b.needsGradient { b.accumulate(Conv2DKernel.sumRows(dz, columns: units)) }
    guard needsInputGradient else { return [] }
    var dx = Tensor(zeros: x.shape)
    dx.withUnsafeMutableBufferPointer { o in
      dz.withUnsafeBufferPointer { d in
        k.value.withUnsafeBufferPointer { w in
          sgemm(transB: true, m: n, n: fanIn, k: units, a: d, b: w, c: o)
        }
      }
    }
    return [dx]
  }
}
