import Kernels
import TensorCore

/// `AveragePooling2D`: pool size, strides (default: the pool size) and padding as Keras.
public final class AveragePooling2D: Layer {
  public let name: String
  public var kerasClassName: String { "AveragePooling2D" }
  public var isFrozen = false
  public let poolSize: (Int, Int)
  public let strides: (Int, Int)
  public let padding: Padding

  public init(
    _ name: String, poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil,
    padding: Padding = .valid
  ) {
    self.name = name
    self.poolSize = poolSize
    self.strides = strides ?? poolSize
    self.padding = padding
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard s.count == 3 else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs [H, W, C]")
    }
    let h = try ConvGeometry.outputSize(s[0], poolSize.0, strides.0, padding, layer: name)
    let w = try ConvGeometry.outputSize(s[1], poolSize.1, strides.1, padding, layer: name)
    return [h, w, s[2]]
  }

  private var geometry: WindowGeometry?

  /// Mean over each window's real pixels ('same' padding is not counted, as TensorFlow).
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let g = try ConvGeometry.window(
      input: x.shape, kernel: poolSize, strides: strides, padding: padding, layer: name)
    geometry = mode.recordForBackward ? g : nil
    return PoolingKernel.averageForward(x, geometry: g)
  }

  /// Spreads each gradient over its window's real pixels.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let g = try recorded(geometry)
    geometry = nil
    guard needsInputGradient else { return [] }
    try checkGradient(outputGradient, [g.batch, g.outH, g.outW, g.channels])
    return [PoolingKernel.averageBackward(outputGradient, geometry: g)]
  }
}
