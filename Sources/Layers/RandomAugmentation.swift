import TensorCore

/// Keras's random augmentation layers (`RandomFlip`, `RandomRotation`, `RandomZoom`,
/// `RandomTranslation`, `RandomContrast`, `RandomBrightness`): the identity at inference,
/// as in Keras 2 and 3. ftune passes images through them in training too: augmentation
/// is ftune's own (`--augment`, Sources/Augment), so an imported model's layers stay
/// deterministic and a cached feature never depends on a random draw.
public final class RandomAugmentation: Layer {
  /// The Keras classes this layer stands for.
  public enum Kind: String, Sendable, CaseIterable {
    case flip = "RandomFlip", rotation = "RandomRotation", zoom = "RandomZoom"
    case translation = "RandomTranslation", contrast = "RandomContrast"
    case brightness = "RandomBrightness"
  }

  public let name: String
  public let kind: Kind
  public var kerasClassName: String { kind.rawValue }
  public var isFrozen = false
  /// The Keras options it was read with (JSON), written back on export so the user's
  /// augmentation survives the round trip; ftune never draws from them.
  public let kerasOptions: String

  public init(_ name: String, _ kind: Kind, kerasOptions: String = "{}") {
    self.name = name
    self.kind = kind
    self.kerasOptions = kerasOptions
  }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try singleShape(inputShapes)
  }

  private var recorded = false

  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let x = try single(inputs)
    recorded = mode.recordForBackward
    return x
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    guard recorded else { throw LayerError.noRecordedForward(layer: name) }
    recorded = false
    return needsInputGradient ? [outputGradient] : []
  }
}
