import TensorCore

/// `Resizing(height, width, crop_to_aspect_ratio)` with bilinear interpolation, as Keras 2
/// and 3 (TensorFlow's `tf.image.resize`: half-pixel centres, no antialiasing); with
/// `cropToAspectRatio`, from the largest centred crop of the target's aspect ratio.
public final class Resizing: Layer {
  public let name: String
  public var kerasClassName: String { "Resizing" }
  public var isFrozen = false
  public let height: Int
  public let width: Int
  public let cropToAspectRatio: Bool

  public init(_ name: String, height: Int, width: Int, cropToAspectRatio: Bool = false) {
    self.name = name
    self.height = height
    self.width = width
    self.cropToAspectRatio = cropToAspectRatio
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try ImageWindow.outputShape(try singleShape(inputShapes), height, width, layer: name)
  }

  private var window = ImageWindow()

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let (height, width, aspect) = (height, width, cropToAspectRatio)
    return try window.forward(
      try single(inputs), height: height, width: width, record: mode.recordForBackward,
      layer: name
    ) { h, w in
      aspect
        ? BilinearResize.aspectCrop(h, w, height, width)
        : BilinearResize.Crop(top: 0, left: 0, height: h, width: w)
    }
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    try window.backward(outputGradient, needsInputGradient: needsInputGradient, layer: name)
  }
}
