import Kernels
import TensorCore

/// `ZeroPadding2D`: ((top, bottom), (left, right)) zeros around H and W.
public final class ZeroPadding2D: Layer {
  public let name: String
  public var kerasClassName: String { "ZeroPadding2D" }
  public var isFrozen = false
  public let top: Int, bottom: Int, left: Int, right: Int

  public init(_ name: String, padding: ((Int, Int), (Int, Int))) {
    self.name = name
    (top, bottom) = padding.0
    (left, right) = padding.1
  }

  public convenience init(_ name: String, padding: Int) {
    self.init(name, padding: ((padding, padding), (padding, padding)))
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    guard s.count == 3 else {
      throw LayerError.badInputShape(layer: name, shape: s, reason: "needs [H, W, C]")
    }
    return [s[0] + top + bottom, s[1] + left + right, s[2]]
  }

  private var recordedShape: [Int]?

  /// `[N, H, W, C]` → `[N, top+H+bottom, left+W+right, C]`.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    guard x.rank == 4 else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs [N, H, W, C]")
    }
    recordedShape = mode.recordForBackward ? x.shape : nil
    return ZeroPaddingKernel.pad(x, top: top, bottom: bottom, left: left, right: right)
  }

  /// Crops the gradient back to the input's extent.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let s = try recorded(recordedShape)
    recordedShape = nil
    guard needsInputGradient else { return [] }
    try checkGradient(
      outputGradient, [s[0], s[1] + top + bottom, s[2] + left + right, s[3]])
    return [
      ZeroPaddingKernel.crop(outputGradient, top: top, bottom: bottom, left: left, right: right)
    ]
  }
}
