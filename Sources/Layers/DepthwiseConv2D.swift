import Kernels
import TensorCore

/// `DepthwiseConv2D`: kernel `[kh, kw, in, multiplier]`, optional bias `[in·multiplier]`;
/// output channel `c·multiplier + m` reads input channel `c` (Keras's order).
public final class DepthwiseConv2D: Layer {
  public let name: String
  public var kerasClassName: String { "DepthwiseConv2D" }
  public let kernelSize: (Int, Int)
  public let strides: (Int, Int)
  public let padding: Padding
  public let depthMultiplier: Int
  public let useBias: Bool
  public let activation: ActivationKind
  public private(set) var kernel: Parameter?
  public private(set) var bias: Parameter?
  public var isFrozen = false {
    didSet { weights.forEach { $0.isFrozen = isFrozen } }
  }

  public init(
    _ name: String, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1),
    padding: Padding = .valid, depthMultiplier: Int = 1, useBias: Bool = true,
    activation: ActivationKind = .linear
  ) {
    self.name = name
    self.kernelSize = kernelSize
    self.strides = strides
    self.padding = padding
    self.depthMultiplier = depthMultiplier
    self.useBias = useBias
    self.activation = activation
  }

  public var weights: [Parameter] { [kernel, bias].compactMap { $0 } }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard s.count == 3 else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs [H, W, C]")
    }
    let outC = s[2] * depthMultiplier
    if kernel == nil {
      let shape = [kernelSize.0, kernelSize.1, s[2], depthMultiplier]
      kernel = Parameter(
        name: "depthwise_kernel", value: Initializer.glorotUniform(shape, rng: &rng))
      if useBias { bias = Parameter(name: "bias", value: Tensor(zeros: [outC])) }
      weights.forEach { $0.isFrozen = isFrozen }
    }
    let h = try ConvGeometry.outputSize(s[0], kernelSize.0, strides.0, padding, layer: name)
    let w = try ConvGeometry.outputSize(s[1], kernelSize.1, strides.1, padding, layer: name)
    return [h, w, outC]
  }

  private var savedInput: Tensor?
  /// What the activation's backward needs (`ActivationKind.apply(_:recording:)`).
  private var activationRecord: Tensor?
  private var geometry: WindowGeometry?

  /// x `[N, H, W, in]` → y `[N, OH, OW, in·mult]`.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let g = try ConvGeometry.window(
      input: x.shape, kernel: kernelSize, strides: strides, padding: padding, layer: name)
    return try forward(x, window: g, mode: mode)
  }

  /// The forward pass over the window `g` of `x` (the layer's own, or one a plan step
  /// widened with a ZeroPadding2D's zeros: Plan/Rules/PaddedDepthwise); backward returns
  /// the gradient of this `x`.
  public func forward(_ x: Tensor, window g: WindowGeometry, mode: ForwardMode) throws -> Tensor {
    let k = try recorded(kernel)
    guard g.channels == k.value.shape[2] else {
      throw LayerError.badInputShape(
        layer: name, shape: x.shape, reason: "kernel expects \(k.value.shape[2]) channels")
    }
    // ReLU/ReLU6 run in the kernel's output pass; other activations after it.
    let fused = activation.epilogue
    var y = DepthwiseConvKernel.forward(
      x, kernel: k.value, bias: bias?.value, multiplier: depthMultiplier, geometry: g,
      activation: fused)
    activationRecord = fused == activation
      ? (mode.recordForBackward && activation.needsOutput ? y : nil)
      : activation.apply(&y, recording: mode.recordForBackward)
    savedInput = mode.recordForBackward ? x : nil
    geometry = g
    return y
  }

  /// dy `[N, OH, OW, in·mult]` → dx `[N, H, W, in]`; accumulates kernel and bias gradients.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let x = try recorded(savedInput)
    let g = try recorded(geometry)
    let k = try recorded(kernel)
    defer { (savedInput, activationRecord) = (nil, nil) }
    let outC = g.channels * depthMultiplier
    try checkGradient(outputGradient, [g.batch, g.outH, g.outW, outC])
    let dz = activation.needsOutput
      ? activation.backward(outputGradient, recorded: try recorded(activationRecord))
      : outputGradient
    let (dx, dw) = DepthwiseConvKernel.backward(
      x, kernel: k.value, outputGradient: dz, multiplier: depthMultiplier, geometry: g,
      needInput: needsInputGradient, needKernel: k.needsGradient)
    if let dw { k.accumulate(dw) }
    if let b = bias, b.needsGradient { b.accumulate(Conv2DKernel.sumRows(dz, columns: outC)) }
    return needsInputGradient ? [dx ?? Tensor(zeros: x.shape)] : []
  }
}
