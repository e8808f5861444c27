import Kernels
import TensorCore

/// `Cropping2D`: removes ((top, bottom), (left, right)) rows and columns (NASNet).
public final class Cropping2D: Layer {
  public let name: String
  public var kerasClassName: String { "Cropping2D" }
  public var isFrozen = false
  public let top: Int, bottom: Int, left: Int, right: Int

  public init(_ name: String, cropping: ((Int, Int), (Int, Int))) {
    self.name = name
    (top, bottom) = cropping.0
    (left, right) = cropping.1
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try croppedShape(try singleShape(inputShapes))
  }

  /// `[H, W, C]` after the crop; throws when the crop leaves nothing.
  private func croppedShape(_ s: [Int]) throws -> [Int] {
    guard s.count == 3, s[0] > top + bottom, s[1] > left + right,
      [top, bottom, left, right].allSatisfy({ $0 >= 0 })
    else {
      throw LayerError.badInputShape(
        layer: name, shape: s,
        reason: "needs [H, W, C] larger than the cropping ((\(top), \(bottom)), (\(left), \(right)))")
    }
    return [s[0] - top - bottom, s[1] - left - right, s[2]]
  }

  private var recorded = false

  /// `[N, H, W, C]` → `[N, H−top−bottom, W−left−right, C]`.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    guard x.rank == 4 else {
      throw LayerError.badInputShape(layer: name, shape: x.shape, reason: "needs [N, H, W, C]")
    }
    _ = try croppedShape(Array(x.shape.dropFirst()))
    recorded = mode.recordForBackward
    return ZeroPaddingKernel.crop(x, top: top, bottom: bottom, left: left, right: right)
  }

  /// The gradient padded back with zeros where the crop removed pixels.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    guard recorded else { throw LayerError.noRecordedForward(layer: name) }
    recorded = false
    guard needsInputGradient else { return [] }
    return [ZeroPaddingKernel.pad(outputGradient, top: top, bottom: bottom, left: left, right: right)]
  }
}
