import Kernels
import TensorCore

/// `GlobalMaxPooling2D`: [N, H, W, C] -> [N, C] (or [N, 1, 1, C] with keepDims).
public final class GlobalMaxPooling2D: Layer {
  public let name: String
  public var kerasClassName: String { "GlobalMaxPooling2D" }
  public var isFrozen = false
  public let keepDims: Bool

  public init(_ name: String, keepDims: Bool = false) {
    self.name = name
    self.keepDims = keepDims
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard s.count == 3 else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs [H, W, C]")
    }
    return keepDims ? [1, 1, s[2]] : [s[2]]
  }

  private var argmax: [Int32]?
  private var recordedShape: [Int]?

  /// `[N, H, W, C]` → max over H, W.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    guard x.rank == 4 else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs [N, H, W, C]")
    }
    let (y, idx) = GlobalPoolingKernel.maxForward(x)
    argmax = mode.recordForBackward ? idx : nil
    recordedShape = mode.recordForBackward ? x.shape : nil
    return keepDims ? try y.reshaped([x.shape[0], 1, 1, x.shape[3]]) : y
  }

  /// Routes each gradient to its channel's maximum.
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
