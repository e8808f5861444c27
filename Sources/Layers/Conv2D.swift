import Kernels
import TensorCore

/// `Conv2D`: NHWC input, kernel `[kh, kw, in, out]`, optional bias `[out]`, fused activation.
/// Padding 'same' pads as Keras/TensorFlow do: total = max((ceil(H/s)-1)·s + kh - H, 0),
/// with the extra row/column on the bottom/right. With `groups` > 1 the kernel is
/// `[kh, kw, in/groups, out]` (`Conv2D+Groups.swift`).
public final class Conv2D: Layer {
  public let name: String
  public var kerasClassName: String { "Conv2D" }
  public let filters: Int
  public let kernelSize: (Int, Int)
  public let strides: (Int, Int)
  public let padding: Padding
  public let useBias: Bool
  public let activation: ActivationKind
  /// Keras's `groups`: 1, or a divisor of the input channels and of `filters`.
  public let groups: Int
  public private(set) var kernel: Parameter?
  public private(set) var bias: Parameter?
  public var isFrozen = false {
    didSet { weights.forEach { $0.isFrozen = isFrozen } }
  }

  public init(
    _ name: String, filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1),
    padding: Padding = .valid, useBias: Bool = true, activation: ActivationKind = .linear,
    groups: Int = 1
  ) {
    self.name = name
    self.filters = filters
    self.kernelSize = kernelSize
    self.strides = strides
    self.padding = padding
    self.useBias = useBias
    self.activation = activation
    self.groups = groups
  }

  public var weights: [Parameter] { [kernel, bias].compactMap { $0 } }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard s.count == 3 else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "Conv2D needs [H, W, C]")
    }
    guard groups >= 1, s[2] % groups == 0, filters % groups == 0 else {
      throw LayerError.badInputShape(
        layer: name, shape: s, reason: "groups \(groups) must divide the channels and filters \(filters)")
    }
    if kernel == nil {
      let shape = [kernelSize.0, kernelSize.1, s[2] / groups, filters]
      kernel = Parameter(name: "kernel", value: Initializer.glorotUniform(shape, rng: &rng))
      if useBias { bias = Parameter(name: "bias", value: Tensor(zeros: [filters])) }
      weights.forEach { $0.isFrozen = isFrozen }
    }
    let h = try ConvGeometry.outputSize(s[0], kernelSize.0, strides.0, padding, layer: name)
    let w = try ConvGeometry.outputSize(s[1], kernelSize.1, strides.1, padding, layer: name)
    return [h, w, filters]
  }

  // Recorded by a forward pass that feeds backward.
  private var savedInput: Tensor?
  /// What the activation's backward needs (`ActivationKind.apply(_:recording:)`).
  private var activationRecord: Tensor?
  private var geometry: WindowGeometry?
  /// The kernel in the Winograd domain and the kernel version it was computed from.
  private var winogradCache: (version: Int, filter: WinogradFilter)?

  /// The cached Winograd filter, (re)computed when the kernel changed, or nil to let the
  /// kernel transform it per call. The cache holds 4x the kernel's memory, so it is kept only
  /// where recomputing would cost noticeably: few tiles per call (small batches or images),
  /// and weights that are not being trained (they change every step).
  private func winogradFilter(
    _ k: Parameter, _ g: WindowGeometry, _ mode: ForwardMode
  ) -> WinogradFilter? {
    if let c = winogradCache, c.version == k.version, c.filter.matchesCurrentPath {
      return c.filter
    }
    winogradCache = nil
    guard WinogradKernel.tileCount(g) < WinogradKernel.cachedFilterTileLimit,
      !(mode.recordForBackward && k.needsGradient),
      let f = WinogradFilter(kernel: k.value)
    else { return nil }
    winogradCache = (k.version, f)
    return f
  }

  /// x `[N, H, W, in]` → y `[N, OH, OW, filters]`, y = act(conv(x, kernel) + bias).
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let k = try recorded(kernel)
    let g = try ConvGeometry.window(
      input: x.shape, kernel: kernelSize, strides: strides, padding: padding, layer: name)
    guard g.channels == k.value.shape[2] * groups else {
      throw LayerError.badInputShape(
        layer: name, shape: x.shape, reason: "kernel expects \(k.value.shape[2] * groups) channels")
    }
    if groups > 1 {
      var y = try GroupedConvolution.forward(
        x, kernel: k.value, bias: bias?.value, groups: groups, geometry: g)
      activationRecord = activation.apply(&y, recording: mode.recordForBackward)
      savedInput = mode.recordForBackward ? x : nil
      geometry = g
      return y
    }
    // ReLU/ReLU6 fused into the kernel's output pass (Conv2DKernel.choice picks the kernel).
    let fused = activation.epilogue
    let cached = Conv2DKernel.choice(g) == .winograd ? winogradFilter(k, g, mode) : nil
    var y = Conv2DKernel.forward(
      x, kernel: k.value, filter: cached, bias: bias?.value, activation: fused, geometry: g)
    activationRecord = fused == activation
      ? (mode.recordForBackward && activation.needsOutput ? y : nil)
      : activation.apply(&y, recording: mode.recordForBackward)
    savedInput = mode.recordForBackward ? x : nil
    geometry = g
    return y
  }

  /// dy `[N, OH, OW, filters]` → dx `[N, H, W, in]`; accumulates dKernel and dBias.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let x = try recorded(savedInput)
    let g = try recorded(geometry)
    let k = try recorded(kernel)
    defer { (savedInput, activationRecord) = (nil, nil) }
    try checkGradient(outputGradient, [g.batch, g.outH, g.outW, filters])
    if activation.fusableInEpilogue, groups == 1, Conv2DBackward.isApplicable(g, filters: filters) {
      return try strideOneBackward(
        outputGradient, input: x, kernel: k, activation: activation, geometry: g,
        needsInputGradient: needsInputGradient)
    }
    let dz = activation.needsOutput
      ? activation.backward(outputGradient, recorded: try recorded(activationRecord))
      : outputGradient
    let (dx, dw) = groups > 1
      ? try GroupedConvolution.backward(
        x, kernel: k.value, outputGradient: dz, groups: groups, geometry: g,
        needInput: needsInputGradient, needKernel: k.needsGradient)
      : Conv2DKernel.backward(
        x, kernel: k.value, outputGradient: dz, geometry: g, needInput: needsInputGradient,
        needKernel: k.needsGradient)
    if let dw { k.accumulate(dw) }
    if let b = bias, b.needsGradient { b.accumulate(Conv2DKernel.sumRows(dz, columns: filters)) }
    return needsInputGradient ? [dx ?? Tensor(zeros: x.shape)] : []
  }

  /// 3×3 stride-1 backward (`Conv2DBackward`): the activation mask, padding and bias sums
  /// in one pass over dy, dW as per-tap GEMMs, dX as a Winograd convolution. The recorded
  /// output is dropped as soon as the mask is applied, before dX is allocated.
  private func strideOneBackward(
    _ dy: Tensor, input x: Tensor, kernel k: Parameter, activation: ActivationKind,
    geometry g: WindowGeometry, needsInputGradient: Bool
  ) throws -> [Tensor] {
    let needBias = bias?.needsGradient ?? false
    let (dz, db) = Conv2DBackward.paddedGradient(
      dy, output: activation == .linear ? nil : try recorded(activationRecord),
      activation: activation, geometry: g, biasGradient: needBias)
    activationRecord = nil
    if let db { bias?.accumulate(db) }
    if k.needsGradient {
      k.accumulate(
        Conv2DBackward.kernelGradient(
          x, paddedGradient: dz, geometry: g, kernelShape: k.value.shape))
    }
    savedInput = nil
    guard needsInputGradient else { return [] }
    return [WinogradKernel.inputGradient(dz, kernel: k.value, geometry: g)]
  }
}
