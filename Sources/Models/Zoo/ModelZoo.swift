import Layers
import TensorCore

/// What a zoo network ends with when `includeTop` is false (Keras's `pooling` argument).
public enum Pooling: String, Sendable, CaseIterable {
  /// The 4-D output of the last convolutional block.
  case none
  /// `GlobalAveragePooling2D`: one vector per image.
  case avg
  /// `GlobalMaxPooling2D`: one vector per image.
  case max
}

/// The arguments of a `keras.applications` constructor, with Keras's defaults.
public struct ZooOptions: Sendable {
  /// Keep the ImageNet classifier (`include_top`).
  public var includeTop: Bool
  /// Pooling after the trunk when `includeTop` is false.
  public var pooling: Pooling
  /// Input height and width; nil means the network's default size.
  public var height: Int?
  public var width: Int?
  /// Number of classes of the top classifier.
  public var classes: Int
  /// Activation of the `predictions` layer.
  public var classifierActivation: ActivationKind
  /// Width multiplier (the MobileNets).
  public var alpha: Double
  /// Depthwise channel multiplier (MobileNet v1's `depth_multiplier`).
  public var depthMultiplier: Int = 1
  /// MobileNetV3's `minimalistic` (ReLU, 3x3 kernels, no squeeze-excite).
  public var minimalistic: Bool = false
  /// Seed of the initial (random) weights.
  public var seed: UInt64

  public init(
    includeTop: Bool = false, pooling: Pooling = .none, height: Int? = nil, width: Int? = nil,
    classes: Int = 1000, classifierActivation: ActivationKind = .softmax, alpha: Double = 1.0,
    seed: UInt64 = 0
  ) {
    self.includeTop = includeTop
    self.pooling = pooling
    self.height = height
    self.width = width
    self.classes = classes
    self.classifierActivation = classifierActivation
    self.alpha = alpha
    self.seed = seed
  }

  /// Square input of side `size`.
  public init(includeTop: Bool = false, pooling: Pooling = .none, size: Int, alpha: Double = 1) {
    self.init(includeTop: includeTop, pooling: pooling, height: size, width: size, alpha: alpha)
  }
}

/// One network of the zoo: how to build it and what Keras knows about it.
public struct ZooEntry: Sendable {
  /// The `--base` name (`vgg16`, `mobilenet_v2`, …).
  public let name: String
  /// The `keras.applications` constructor this entry reproduces.
  public let kerasConstructor: String
  /// The `keras.applications` module it comes from (`resnet`, `densenet`, …).
  public let family: String
  /// Input side the ImageNet weights were trained at.
  public let defaultSize: Int
  /// Smallest input side Keras accepts (`min_size` of `obtain_input_shape`).
  public let minSize: Int
  /// The preprocessing the base's weights expect.
  public let preprocessing: Preprocessing
  let builder: @Sendable (ZooOptions) throws -> Graph
  let weightsFile: @Sendable (ZooOptions) -> KerasWeightsFile?

  init(
    name: String, kerasConstructor: String, family: String, defaultSize: Int, minSize: Int,
    preprocessing: Preprocessing, builder: @escaping @Sendable (ZooOptions) throws -> Graph,
    weightsFile: @escaping @Sendable (ZooOptions) -> KerasWeightsFile?
  ) {
    self.name = name
    self.kerasConstructor = kerasConstructor
    self.family = family
    self.defaultSize = defaultSize
    self.minSize = minSize
    self.preprocessing = preprocessing
    self.builder = builder
    self.weightsFile = weightsFile
  }

  /// Builds the network with fresh (seeded, Keras-initialised) weights.
  public func build(_ options: ZooOptions = ZooOptions()) throws -> Graph {
    let h = options.height ?? defaultSize
    let w = options.width ?? defaultSize
    guard h >= minSize, w >= minSize else {
      throw ZooError.inputTooSmall(base: name, height: h, width: w, minimum: minSize)
    }
    guard options.classes >= 1 else {
      throw ZooError.invalidOption(base: name, option: "classes", reason: "must be at least 1")
    }
    var resolved = options
    resolved.height = h
    resolved.width = w
    return try builder(resolved)
  }

  /// The file name Keras itself would look for in `~/.keras/models/` for these options,
  /// or nil when Keras publishes no ImageNet weights for them.
  public func kerasWeightsFileName(_ options: ZooOptions = ZooOptions()) -> String? {
    weightsFile(options)?.fileName
  }

  /// The file Keras downloads for these options: name, address and hash.
  public func kerasWeights(_ options: ZooOptions = ZooOptions()) -> KerasWeightsFile? {
    weightsFile(options)
  }
}

/// The registry of built-in networks, written block by block like `keras.applications`.
public enum ModelZoo {
  /// Every network, in the order `inspect` and help texts list them.
  public static let entries: [ZooEntry] =
    [Xception.entry, VGG16.entry, VGG19.entry] + ResNet.entries + ResNetV2.entries
    + [InceptionV3.entry, InceptionResNetV2.entry] + DenseNet.entries
    + [MobileNet.entry, MobileNetV2.entry, MobileNetV2.torchEntry] + MobileNetV3.entries
    + EfficientNet.entries + EfficientNetV2.entries + ConvNeXt.entries

  /// The `--base` names.
  public static var names: [String] { entries.map(\.name) }

  /// The entry named `name`: its `--base` name or its Keras constructor (`InceptionV3`,
  /// `keras.applications.ResNet50V2`), ignoring case and underscores; throws naming the
  /// nearest names on a typo.
  public static func entry(named name: String) throws -> ZooEntry {
    let key = ZooNames.normalized(name)
    if let e = entries.first(where: { ZooNames.spellings(of: $0).contains(key) }) { return e }
    throw ZooError.unknownBase(name, known: names, nearest: ZooNames.nearest(to: name, in: names))
  }

  /// Builds the network named `name` with `options`.
  public static func build(_ name: String, _ options: ZooOptions = ZooOptions()) throws -> Graph {
    try entry(named: name).build(options)
  }
}

/// Errors a user can cause when asking the zoo for a network.
public enum ZooError: Error, CustomStringConvertible, Equatable {
  case unknownBase(String, known: [String], nearest: [String])
  case inputTooSmall(base: String, height: Int, width: Int, minimum: Int)
  case invalidOption(base: String, option: String, reason: String)

  public var description: String {
    switch self {
    case .unknownBase(let name, let known, let nearest):
      let guess = nearest.isEmpty ? "" : "did you mean \(nearest.joined(separator: " or "))? "
      return "unknown base '\(name)': \(guess)use one of \(known.joined(separator: ", "))"
        + " (`ftune zoo` lists them) or the path of a Keras model file (.h5, .keras)"
    case .inputTooSmall(let base, let h, let w, let minimum):
      return "\(base): input \(h)x\(w) is too small; --size must be at least \(minimum)"
    case .invalidOption(let base, let option, let reason):
      return "\(base): option '\(option)' \(reason)"
    }
  }
}
