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

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    throw LayerError.notImplemented(layer: name, what: "forward")
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    throw LayerError.notImplemented(layer: name, what: "backward")
  }
}
