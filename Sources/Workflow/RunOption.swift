import Augment
/// Every option of a training run: the one table the `--flags`, the recipe keys, the
/// `config.yaml` lines and the help are derived from. The raw value is the flag / key name.
///
/// To add an option: add a case here (its position is its place in `config.yaml` and the
/// help) and its row in `spec`; the compiler refuses the case without its row. Read it where
/// it takes effect, typically `TrainSettings.init` (`o[.myOption]`). Nothing else: the flag
/// (`ftune/Options/RunFlags.swift`), the recipe key and the `config.yaml` line follow.
/// Never rename or remove a raw value: recipes and the `config.yaml` of old runs use it.
public enum RunOption: String, CaseIterable, Sendable {
  case base, weights, partial, freeze, classes, data
  case valSplit = "val-split"
  case size, preprocess, augment
  case badImages = "bad-images"
  case epochs, batch, lr, optimizer, momentum
  case weightDecay = "weight-decay"
  case schedule, warmup
  case baseLRMult = "base-lr-mult"
  case unfreezeAt = "unfreeze-at"
  case patience
  case classWeights = "class-weights"
  case dropout, hidden, cache
  case cacheDir = "cache-dir"
  case cacheVariants = "cache-variants"
  case out, seed

  /// The name used as `--flag`, recipe key and `config.yaml` key.
  public var name: String { rawValue }

  public var spec: OptionSpec {
    switch self {
    case .base:
      .init(nil, "zoo name (vgg16, vgg19, resnet50, mobilenet_v2, ...) or a Keras model file")
    case .weights:
      .init("", "weights file, 'random', or empty for ~/.keras/models/<Keras's file name>")
    case .partial:
      .switch("load only the weights that match (e.g. a trunk from a file with another head)")
    case .freeze: .init("all", "frozen prefix: N weight layers, a Keras layer name, 'all' or 0")
    case .classes: .init("", "class folders under --data, comma-separated")
    case .data: .init("data/images", "image folder DIR/<class>/*.jpg")
    case .valSplit: .init("0.2", "fraction held out for validation")
    case .size: .init("", "input side; empty for the base's own")
    case .preprocess: .init("", "caffe|tf|torch|none; empty for the base's own")
    case .augment: .init("", "comma-separated ops: " + AugmentSpec.known.joined(separator: ", ") + " (empty for none)")
    case .badImages:
      .init("error", "error: stop at an image that cannot be used; skip: leave such files out")
    case .epochs: .init("10", "training epochs")
    case .batch: .init("16", "batch size")
    case .lr: .init("0.001", "base learning rate")
    case .optimizer: .init("adam", "sgd|adam")
    case .momentum: .init("0.9", "SGD momentum")
    case .weightDecay: .init("0", "decoupled weight decay")
    case .schedule: .init("constant", "constant, step:EVERY:GAMMA, cosine[:MIN], onecycle[:FRACTION]")
    case .warmup: .init("0", "warm-up epochs (linear ramp)")
    case .baseLRMult: .init("1", "learning-rate multiplier for trainable base layers")
    case .unfreezeAt: .init("", "gradual unfreezing, EPOCH:N[,EPOCH:N...]")
    case .patience: .init("", "early stopping after this many epochs without better val_loss")
    case .classWeights: .init("", "'balanced' or one weight per class, comma-separated")
    case .dropout: .init("0", "dropout rate before the classifier")
    case .hidden: .init("0", "units of a hidden ReLU layer in the head")
    case .cache: .init("auto", "auto: cache frozen-prefix features when possible; off: never")
    case .cacheDir: .init("", "feature store (default $FTUNE_CACHE_DIR or ~/.cache/ftune)")
    case .cacheVariants: .init("1", "augmented variants per image to cache when augmenting")
    case .out: .init("", "run directory (default runs/<base>-<time>)")
    case .seed: .init("0", "seed of every random choice")
    }
  }
}

/// How an option is given and what it holds when not given.
public struct OptionSpec: Sendable {
  /// nil: no default (required, or resolved later from the base).
  public let defaultValue: String?
  public let help: String
  /// A switch: `--flag` alone means "true" (there is no `--flag VALUE`); recipes say true/false.
  public let isSwitch: Bool

  init(_ defaultValue: String?, _ help: String) {
    self.defaultValue = defaultValue
    self.help = help
    isSwitch = false
  }

  private init(switchHelp: String) {
    defaultValue = "false"
    help = switchHelp
    isSwitch = true
  }

  static func `switch`(_ help: String) -> OptionSpec { OptionSpec(switchHelp: help) }

  /// The help line with its default, as the flags' help shows it.
  public var helpWithDefault: String {
    guard let d = defaultValue, !d.isEmpty, !isSwitch else { return help }
    return "\(help) (default \(d))"
  }
}
