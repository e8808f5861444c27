import ArgumentParser
import Workflow

/// The training options as flags; every one is also a recipe key (see `RunOptions`).
/// All optional, so only flags actually given override the recipe.
struct RunFlags: ParsableArguments {
  @Option(help: help("base")) var base: String?
  @Option(help: help("weights")) var weights: String?
  @Flag(help: help("partial")) var partial = false
  @Option(help: help("freeze")) var freeze: String?
  @Option(help: help("classes")) var classes: String?
  @Option(help: help("data")) var data: String?
  @Option(name: .customLong("val-split"), help: help("val-split")) var valSplit: String?
  @Option(help: help("size")) var size: String?
  @Option(help: help("preprocess")) var preprocess: String?
  @Option(help: help("augment")) var augment: String?
  @Option(name: .customLong("bad-images"), help: help("bad-images")) var badImages: String?
  @Option(help: help("epochs")) var epochs: String?
  @Option(help: help("batch")) var batch: String?
  @Option(help: help("lr")) var lr: String?
  @Option(help: help("optimizer")) var optimizer: String?
  @Option(help: help("momentum")) var momentum: String?
  @Option(name: .customLong("weight-decay"), help: help("weight-decay")) var weightDecay: String?
  @Option(help: help("schedule")) var schedule: String?
  @Option(help: help("warmup")) var warmup: String?
  @Option(name: .customLong("base-lr-mult"), help: help("base-lr-mult")) var baseLRMult: String?
  @Option(name: .customLong("unfreeze-at"), help: help("unfreeze-at")) var unfreezeAt: String?
  @Option(help: help("patience")) var patience: String?
  @Option(name: .customLong("class-weights"), help: help("class-weights"))
  var classWeights: String?
  @Option(help: help("dropout")) var dropout: String?
  @Option(help: help("hidden")) var hidden: String?
  @Option(help: help("cache")) var cache: String?
  @Option(name: .customLong("cache-dir"), help: help("cache-dir")) var cacheDir: String?
  @Option(name: .customLong("cache-variants"), help: help("cache-variants"))
  var cacheVariants: String?
  @Option(help: help("out")) var out: String?
  @Option(help: help("seed")) var seed: String?

  /// The flags given, by option name.
  var given: [String: String] {
    let pairs: [(String, String?)] = [
      ("base", base), ("weights", weights), ("partial", partial ? "true" : nil), ("freeze", freeze),
      ("classes", classes),
      ("data", data), ("val-split", valSplit), ("size", size), ("preprocess", preprocess),
      ("augment", augment), ("bad-images", badImages), ("epochs", epochs), ("batch", batch), ("lr", lr),
      ("optimizer", optimizer), ("momentum", momentum), ("weight-decay", weightDecay),
      ("schedule", schedule), ("warmup", warmup), ("base-lr-mult", baseLRMult),
      ("unfreeze-at", unfreezeAt), ("patience", patience), ("class-weights", classWeights),
      ("dropout", dropout), ("hidden", hidden), ("cache", cache), ("cache-dir", cacheDir),
      ("cache-variants", cacheVariants), ("out", out), ("seed", seed),
    ]
    var out: [String: String] = [:]
    for case (let k, let v?) in pairs { out[k] = v }
    return out
  }

  static func help(_ name: String) -> ArgumentHelp {
    let spec = RunOptions.specs.first { $0.name == name }
    let d = spec?.defaultValue.map { $0.isEmpty ? "" : " (default \($0))" } ?? ""
    return ArgumentHelp((spec?.help ?? "") + d)
  }
}
