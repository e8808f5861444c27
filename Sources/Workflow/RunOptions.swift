import Foundation
import Yams

/// One option of a training run: its flag/recipe name, default and help.
public struct OptionSpec: Sendable {
  public let name: String
  /// nil: no default (required, or resolved later from the base).
  public let defaultValue: String?
  public let help: String
}

/// Every option of a training run, by the name used both as `--flag` and as recipe key.
///
/// Precedence: defaults < recipe (`--recipe FILE`) < flags given on the command line. A
/// run directory's `config.yaml` holds all of them, so `ftune --recipe runs/NAME/config.yaml`
/// reproduces the run.
public struct RunOptions: Equatable, Sendable {
  public static let specs: [OptionSpec] = [
    .init(
      name: "base", defaultValue: nil,
      help: "zoo name (vgg16, vgg19, resnet50, mobilenet_v2, ...) or a Keras model file"),
    .init(
      name: "weights", defaultValue: "",
      help: "weights file, 'random', or empty for ~/.keras/models/<Keras's file name>"),
    .init(
      name: "partial", defaultValue: "false",
      help: "load only the weights that match (e.g. a trunk from a file with another head)"),
    .init(
      name: "freeze", defaultValue: "all",
      help: "frozen prefix: N weight layers, a Keras layer name, 'all' or 0"),
    .init(name: "classes", defaultValue: "", help: "class folders under --data, comma-separated"),
    .init(name: "data", defaultValue: "data/images", help: "image folder DIR/<class>/*.jpg"),
    .init(name: "val-split", defaultValue: "0.2", help: "fraction held out for validation"),
    .init(name: "size", defaultValue: "", help: "input side; empty for the base's own"),
    .init(
      name: "preprocess", defaultValue: "",
      help: "caffe|tf|torch|none; empty for the base's own"),
    .init(name: "augment", defaultValue: "", help: "flip,crop,color,pca (empty for none)"),
    .init(
      name: "bad-images", defaultValue: "error",
      help: "error: stop at an image that cannot be used; skip: leave such files out (skipped.csv)"),
    .init(name: "epochs", defaultValue: "10", help: "training epochs"),
    .init(name: "batch", defaultValue: "16", help: "batch size"),
    .init(name: "lr", defaultValue: "0.001", help: "base learning rate"),
    .init(name: "optimizer", defaultValue: "adam", help: "sgd|adam"),
    .init(name: "momentum", defaultValue: "0.9", help: "SGD momentum"),
    .init(name: "weight-decay", defaultValue: "0", help: "decoupled weight decay"),
    .init(
      name: "schedule", defaultValue: "constant",
      help: "constant, step:EVERY:GAMMA, cosine[:MIN], onecycle[:FRACTION]"),
    .init(name: "warmup", defaultValue: "0", help: "warm-up epochs (linear ramp)"),
    .init(
      name: "base-lr-mult", defaultValue: "1",
      help: "learning-rate multiplier for trainable base layers"),
    .init(
      name: "unfreeze-at", defaultValue: "",
      help: "gradual unfreezing, EPOCH:N[,EPOCH:N...]"),
    .init(
      name: "patience", defaultValue: "",
      help: "early stopping after this many epochs without better val_loss"),
    .init(
      name: "class-weights", defaultValue: "",
      help: "'balanced' or one weight per class, comma-separated"),
    .init(name: "dropout", defaultValue: "0", help: "dropout rate before the classifier"),
    .init(name: "hidden", defaultValue: "0", help: "units of a hidden ReLU layer in the head"),
    .init(
      name: "cache", defaultValue: "auto",
      help: "auto: cache frozen-prefix features when possible; off: never"),
    .init(
      name: "cache-dir", defaultValue: "",
      help: "feature store (default $FTUNE_CACHE_DIR or ~/.cache/ftune)"),
    .init(
      name: "cache-variants", defaultValue: "1",
      help: "augmented variants per image to cache when augmenting"),
    .init(name: "out", defaultValue: "", help: "run directory (default runs/<base>-<time>)"),
    .init(name: "seed", defaultValue: "0", help: "seed of every random choice"),
  ]

  public static var names: [String] { specs.map(\.name) }

  /// Merged values by option name.
  public private(set) var values: [String: String]

  /// Defaults, then the recipe, then the flags.
  public init(recipe: [String: String] = [:], flags: [String: String] = [:]) throws {
    var v: [String: String] = [:]
    for s in Self.specs { if let d = s.defaultValue { v[s.name] = d } }
    for (k, value) in recipe {
      guard Self.names.contains(k) else { throw WorkflowError.unknownRecipeKey(k, file: nil) }
      v[k] = value
    }
    for (k, value) in flags {
      guard Self.names.contains(k) else { throw WorkflowError.unknownRecipeKey(k, file: nil) }
      v[k] = value
    }
    values = v
  }

  public subscript(_ name: String) -> String { values[name] ?? "" }

  public mutating func set(_ name: String, _ value: String) { values[name] = value }

  /// Reads a recipe: a YAML mapping of option names to scalars (lists are joined with ',').
  /// Unknown keys are an error naming the key and the file.
  public static func recipe(at path: String) throws -> [String: String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw WorkflowError.recipe(path: path, reason: "cannot be read")
    }
    let parsed: Any?
    do {
      parsed = try Yams.load(yaml: text)
    } catch {
      throw WorkflowError.recipe(path: path, reason: "is not valid YAML (\(error))")
    }
    guard let parsed else { return [:] }
    guard let map = parsed as? [String: Any] else {
      throw WorkflowError.recipe(path: path, reason: "must be a mapping of option: value")
    }
    var out: [String: String] = [:]
    for (k, value) in map {
      let key = k.hasPrefix("--") ? String(k.dropFirst(2)) : k
      guard names.contains(key) else { throw WorkflowError.unknownRecipeKey(key, file: path) }
      if let list = value as? [Any] {
        out[key] = list.map { "\($0)" }.joined(separator: ",")
      } else if value is NSNull {
        out[key] = ""
      } else {
        out[key] = "\(value)"
      }
    }
    return out
  }

  /// Every option as YAML (`config.yaml`), in the order of `specs`, with the help as comments.
  public var yaml: String {
    var lines = ["# ftune run configuration: `ftune --recipe THIS_FILE` reproduces the run."]
    for s in Self.specs {
      lines.append("# \(s.help)")
      lines.append("\(s.name): \(Self.quote(self[s.name]))")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A YAML scalar that reads back as this exact string.
  static func quote(_ s: String) -> String {
    let plain = s.allSatisfy { $0.isLetter || $0.isNumber || "._/-".contains($0) }
    if plain && !s.isEmpty && Double(s) == nil && Int(s) == nil
      && !["true", "false", "yes", "no", "null", "on", "off", "y", "n", "~"].contains(
        s.lowercased())
    {
      return s
    }
    return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
  }
}
