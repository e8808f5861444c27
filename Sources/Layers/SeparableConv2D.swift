import Kernels
import TensorCore

/// `SeparableConv2D`: depthwise `[kh, kw, in, mult]` then pointwise `[1, 1, in·mult, out]`,
/// optional bias `[out]`; Keras saves depthwise_kernel, pointwise_kernel, bias in that order.
public final class SeparableConv2D: Layer {
  public let name: String
  public var kerasClassName: String { "SeparableConv2D" }
  public let filters: Int
  public let kernelSize: (Int, Int)
  public let strides: (Int, Int)
  public let padding: Padding
  public let depthMultiplier: Int
  public let useBias: Bool
  public let activation: ActivationKind
  public private(set) var depthwiseKernel: Parameter?
  public private(set) var pointwiseKernel: Parameter?
  public private(set) var bias: Parameter?
  public var isFrozen = false {
    didSet { weights.forEach { $0.isFrozen = isFrozen } }
  }

  public init(
    _ name: String, filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1),
    padding: Padding = .valid, depthMultiplier: Int = 1, useBias: Bool = true,
    activation: ActivationKind = .linear
  ) {
    self.name = name
    self.filters = filters
    self.kernelSize = kernelSize
    self.strides = strides
    self.padding = padding
    self.depthMultiplier = depthMultiplier
    self.useBias = useBias
    self.activation = activation
  }

  public var weights: [Parameter] {
    [depthwiseKernel, pointwiseKernel, bias].compactMap { $0 }
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard s.count == 3 else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs [H, W, C]")
    }
    if depthwiseKernel == nil {
      let dShape = [kernelSize.0, kernelSize.1, s[2], depthMultiplier]
      let pShape = [1, 1, s[2] * depthMultiplier, filters]
      depthwiseKernel = Parameter(
        name: "depthwise_kernel", value: Initializer.glorotUniform(dShape, rng: &rng))
      pointwiseKernel = Parameter(
        name: "pointwise_kernel", value: Initializer.glorotUniform(pShape, rng: &rng))
      if useBias { bias = Parameter(name: "bias", value: Tensor(zeros: [filters])) }
      weights.forEach { $0.isFrozen = isFrozen }
    }
    let h = try ConvGeometry.outputSize(s[0], kernelSize.0, strides.0, padding, layer: name)
    let w = try ConvGeometry.outputSize(s[1], kernelSize.1, strides.1, padding, layer: name)
    return [h, w, filters]
  }

  private var savedInput: Tensor?
  private var savedMiddle: Tensor?
  /// What the activation's backward needs (`ActivationKind.apply(_:recording:)`).
  private var activationRecord: Tensor?
  private var geometry: WindowGeometry?

  /// Pointwise step as a 1×1 convolution over the depthwise output.
  private func pointwiseGeometry(_ g: WindowGeometry) -> WindowGeometry {
    WindowGeometry(
      batch: g.batch, inH: g.outH, inW: g.outW, channels: g.channels * depthMultiplier,
      kH: 1, kW: 1, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, outH: g.outH, outW: g.outW)
  }

  /// x `[N, H, W, in]` → depthwise `[N, OH, OW, in·mult]` → pointwise `[N, OH, OW, filters]`.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let dk = try recorded(depthwiseKernel)
    let pk = try recorded(pointwiseKernel)
    let g = try ConvGeometry.window(
      input: x.shape, kernel: kernelSize, strides: strides, padding: padding, layer: name)
    guard g.channels == dk.value.shape[2] else {
      throw LayerError.badInputShape(
        layer: name, shape: x.shape, reason: "kernel expects \(dk.value.shape[2]) channels")
    }
    let mid = DepthwiseConvKernel.forward(
      x, kernel: dk.value, bias: nil, multiplier: depthMultiplier, geometry: g)
    var y = Conv2DKernel.forward(
      mid, kernel: pk.value, bias: bias?.value, geometry: pointwiseGeometry(g))
    activationRecord = activation.apply(&y, recording: mode.recordForBackward)
    savedInput = mode.recordForBackward ? x : nil
    savedMiddle = mode.recordForBackward ? mid : nil
    geometry = g
    return y
  }

  /// dy `[N, OH, OW, filters]` → dx `[N, H, W, in]`; accumulates all three gradients.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let x = try recorded(savedInput)
    let mid = try recorded(savedMiddle)
    let g = try recorded(geometry)
    let dk = try recorded(depthwiseKernel)
    let pk = try recorded(pointwiseKernel)
    defer { (savedInput, savedMiddle, activationRecord) = (nil, nil, nil) }
    try checkGradient(outputGradient, [g.batch, g.outH, g.outW, filters])
    let dz = activation.needsOutput
      ? activation.backward(outputGradient, recorded: try recorded(activationRecord))
      : outputGradient
    if let b = bias, b.needsGradient { b.accumulate(Conv2DKernel.sumRows(dz, columns: filters)) }
    // The depthwise step needs dMid whenever it or anything before it learns.
    let needMid = needsInputGradient || dk.needsGradient
    let (dMid, dpw) = Conv2DKernel.backward(
      mid, kernel: pk.value, outputGradient: dz, geometry: pointwiseGeometry(g),
      needInput: needMid, needKernel: pk.needsGradient)
    if let dpw { pk.accumulate(dpw) }
    guard let dMid else { return [] }
    let (dx, ddw) = DepthwiseConvKernel.backward(
      x, kernel: dk.value, outputGradient: dMid, multiplier: depthMultiplier, geometry: g,
      needInput: needsInputGradient, needKernel: dk.needsGradient)
    if let ddw { dk.accumulate(ddw) }
    return needsInputGradient ? [dx ?? Tensor(zeros: x.shape)] : []
  }
}
