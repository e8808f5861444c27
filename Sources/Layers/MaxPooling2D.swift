import Kernels
import TensorCore

/// `MaxPooling2D`: pool size, strides (default: the pool size) and padding as Keras.
public final class MaxPooling2D: Layer {
  public let name: String
  public var kerasClassName: String { "MaxPooling2D" }
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

  private var argmax: [Int32]?
  private var recordedShape: [Int]?

  /// Max over each window; 'same' padding never wins.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    let g = try ConvGeometry.window(
      input: x.shape, kernel: poolSize, strides: strides, padding: padding, layer: name)
    // Nothing to record: the SIMD kernel, without the argmax backward needs.
    guard mode.recordForBackward else {
      (argmax, recordedShape) = (nil, nil)
      return PoolingKernel.maxForwardFast(x, geometry: g)
    }
    let (y, idx) = PoolingKernel.maxForward(x, geometry: g)
    argmax = mode.recordForBackward ? idx : nil
    recordedShape = mode.recordForBackward ? x.shape : nil
    return y
  }

  /// Inference output of `ZeroPadding2D(top, bottom, left, right)` followed by this pool
  /// ('valid' only), without the padded copy: the padding's cells count as zeros, exactly
  /// as Keras pads then pools. Nothing is recorded for backward.
  public func forwardZeroPadded(
    _ x: Tensor, top: Int, bottom: Int, left: Int, right: Int
  ) throws -> Tensor {
    guard padding == .valid, x.rank == 4 else {
      throw LayerError.badInputShape(
        layer: name, shape: x.shape, reason: "a folded zero padding needs 'valid' pooling")
    }
    let padded = [x.shape[0], x.shape[1] + top + bottom, x.shape[2] + left + right, x.shape[3]]
    var g = try ConvGeometry.window(
      input: padded, kernel: poolSize, strides: strides, padding: .valid, layer: name)
    (g.inH, g.inW) = (x.shape[1], x.shape[2])
    g.padTop += top
    g.padLeft += left
    (argmax, recordedShape) = (nil, nil)
    return PoolingKernel.maxForwardFast(x, geometry: g, zeroPadding: true)
  }

  /// Routes each gradient to its window's maximum.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let idx = try recorded(argmax)
    let s = try recorded(recordedShape)
    defer { (argmax, recordedShape) = (nil, nil) }
    guard needsInputGradient else { return [] }
    guard outputGradient.count == idx.count else {
      throw LayerError.badInputShape(
        layer: name, shape: outputGradient.shape, reason: "gradient must match the output")
    }
    return [PoolingKernel.maxBackward(outputGradient, argmax: idx, inputShape: s)]
  }
}
