import Kernels
import TensorCore

/// `GlobalAveragePooling2D`: [N, H, W, C] -> [N, C] (or [N, 1, 1, C] with keepDims).
public final class GlobalAveragePooling2D: Layer {
  public let name: String
  public var kerasClassName: String { "GlobalAveragePooling2D" }
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

  private var recordedShape: [Int]?

  /// `[N, H, W, C]` → mean over H, W.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    guard x.rank == 4 else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs [N, H, W, C]")
    }
    recordedShape = mode.recordForBackward ? x.shape : nil
    let y = GlobalPoolingKernel.averageForward(x)
    return keepDims ? try y.reshaped([x.shape[0], 1, 1, x.shape[3]]) : y
  }

  /// dx = dy / (H·W) at every pixel.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let s = try recorded(recordedShape)
    recordedShape = nil
    guard needsInputGradient else { return [] }
    let dy = try outputGradient.reshaped([s[0], s[3]])
    return [GlobalPoolingKernel.averageBackward(dy, inputShape: s)]
  }
}
