import TensorCore

/// `CenterCrop(height, width)` as Keras 2 and 3: the centred `height × width` window
/// (offsets ⌊(H − height)/2⌋, ⌊(W − width)/2⌋) when the image is at least that large,
/// otherwise Keras's `smart_resize` (largest centred crop of the target's aspect ratio,
/// resized bilinearly).
public final class CenterCrop: Layer {
  public let name: String
  public var kerasClassName: String { "CenterCrop" }
  public var isFrozen = false
  public let height: Int
  public let width: Int

  public init(_ name: String, height: Int, width: Int) {
    self.name = name
    self.height = height
    self.width = width
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try ImageWindow.outputShape(try singleShape(inputShapes), height, width, layer: name)
  }

  private var window = ImageWindow()

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let (height, width) = (height, width)
    return try window.forward(
      try single(inputs), height: height, width: width, record: mode.recordForBackward,
      layer: name
    ) { h, w in
      h >= height && w >= width
        ? BilinearResize.Crop(top: (h - height) / 2, left: (w - width) / 2, height: height, width: width)
        : BilinearResize.aspectCrop(h, w, height, width)
    }
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    try window.backward(outputGradient, needsInputGradient: needsInputGradient, layer: name)
  }
}
