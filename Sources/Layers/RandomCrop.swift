import TensorCore

/// `RandomCrop(height, width)` with Keras's inference behaviour, which differs by version:
/// tf_keras (Keras 2) always `smart_resize`s to `height × width` outside training; Keras 3
/// returns the input unchanged (`keras2: false`). In training ftune does the same as at
/// inference: random crops are ftune's own augmentation's job (`--augment`), not the
/// imported layer's.
public final class RandomCrop: Layer {
  public let name: String
  public var kerasClassName: String { "RandomCrop" }
  public var isFrozen = false
  public let height: Int
  public let width: Int
  public let keras2: Bool

  public init(_ name: String, height: Int, width: Int, keras2: Bool) {
    self.name = name
    self.height = height
    self.width = width
    self.keras2 = keras2
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    let s = try singleShape(inputShapes)
    return keras2 ? try ImageWindow.outputShape(s, height, width, layer: name) : s
  }

  private var window = ImageWindow()
  private var recordedIdentity = false

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    recordedIdentity = mode.recordForBackward && !keras2
    guard keras2 else { return x }
    let (height, width) = (height, width)
    return try window.forward(
      x, height: height, width: width, record: mode.recordForBackward, layer: name
    ) { h, w in BilinearResize.aspectCrop(h, w, height, width) }
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    if recordedIdentity {
      recordedIdentity = false
      return needsInputGradient ? [outputGradient] : []
    }
    return try window.backward(outputGradient, needsInputGradient: needsInputGradient, layer: name)
  }
}
