import ArgumentParser
import KerasIO
import Models

/// `ftune inspect NAME|MODEL.h5`: one row per layer with the `--freeze N` that reaches it
/// and what a cut there caches and trains.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "List a network's layers: Keras name, class, output shape, parameters, state,"
      + " the --freeze N that freezes up to each layer, and what --freeze through it caches"
      + " and trains.",
    discussion: """
      BASE is a zoo name (\(ModelZoo.names.joined(separator: ", "))) or a Keras model file \
      (.h5 with model_config, .keras).
      Examples:
        ftune inspect vgg16
        ftune inspect --layers
        ftune inspect mobilenet_v2 --alpha 0.35 --size 160 --freeze 10
        ftune inspect resnet50 --include-top --json
      """)

  @Argument(help: "A zoo name or the path of a Keras model file.")
  var base: String?

  @Flag(help: "List the Keras layer classes ftune reads and writes (the codec registry).")
  var layers = false

  @Option(help: "Weights to load (HDF5, Keras 2 or 3 layout); shapes are checked.")
  var weights: String?

  @Option(help: "Input side in pixels (default: the base's own size, 224).")
  var size: Int?

  @Option(help: "MobileNetV2 width multiplier (Keras publishes 0.35, 0.5, 0.75, 1.0, 1.3, 1.4).")
  var alpha: Double = 1.0

  @Flag(help: "Keep the ImageNet classifier (Keras's include_top).")
  var includeTop = false

  @Option(help: "Global pooling after the trunk without the top: none, avg or max.")
  var pooling: String = "none"

  @Option(help: "Show the layers a --freeze value freezes: N, a layer name, or all.")
  var freeze: String?

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  @OptionGroup var hdf5: HDF5TrustFlag

  func validate() throws {
    if layers != (base == nil) {
      throw ValidationError("give a base (a zoo name or a Keras model file) or --layers")
    }
    if let size, size < 1 { throw ValidationError("--size must be a positive number of pixels") }
    guard Pooling(rawValue: pooling) != nil else {
      throw ValidationError("--pooling must be none, avg or max (got '\(pooling)')")
    }
  }

  func run() throws {
    guard let base else {
      print(KerasModel.supportedLayerList(), terminator: "")
      return
    }
    let graph: Graph
    let trust = hdf5.trust()
    if base.hasSuffix(".h5") || base.hasSuffix(".keras") || base.contains("/") {
      // A Keras model file carries its own architecture and weights.
      graph = try KerasModel.load(path: base, trust: trust)
    } else {
      let options = ZooOptions(
        includeTop: includeTop, pooling: Pooling(rawValue: pooling) ?? .none, height: size,
        width: size, alpha: alpha)
      graph = try ModelZoo.build(base, options)
    }
    if let weights { try KerasWeights.load(into: graph, from: weights, trust: trust) }
    if let freeze { try graph.freeze(FreezeSpec(freeze)) }
    let summary = graph.summary()
    print(json ? try summary.json() : summary.table(), terminator: "")
  }
}
