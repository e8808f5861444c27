import Foundation
import Yams

/// The options of a training run (see `RunOption`, the table of them), merged.
///
/// Precedence: defaults < recipe (`--recipe FILE`) < flags given on the command line. A
/// run directory's `config.yaml` holds all of them, so `ftune --recipe runs/NAME/config.yaml`
/// reproduces the run.
public struct RunOptions: Equatable, Sendable {
  public static var names: [String] { RunOption.allCases.map(\.name) }

  /// Merged values.
  public private(set) var values: [RunOption: String]

  /// Defaults, then the recipe, then the flags.
  public init(recipe: [RunOption: String] = [:], flags: [RunOption: String] = [:]) {
    var v: [RunOption: String] = [:]
    for o in RunOption.allCases { if let d = o.spec.defaultValue { v[o] = d } }
    v.merge(recipe) { $1 }
    v.merge(flags) { $1 }
    values = v
  }

  public subscript(_ option: RunOption) -> String { values[option] ?? "" }

  public mutating func set(_ option: RunOption, _ value: String) { values[option] = value }

  /// The run options among command-line words (`--name VALUE`, `--name=VALUE`, or `--name`
  /// alone for a switch); the last of a repeated option wins.
  public static func flags(parsing words: [String]) throws -> [RunOption: String] {
    var out: [RunOption: String] = [:]
    var rest = words[...]
    while let word = rest.popFirst() {
      guard word.hasPrefix("--") else { throw WorkflowError.unknownFlag(word) }
      let parts = word.dropFirst(2).split(
        separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let option = parts.first.flatMap({ RunOption(rawValue: String($0)) }) else {
        throw WorkflowError.unknownFlag(word)
      }
      if option.spec.isSwitch {
        guard parts.count == 1 else {
          throw WorkflowError.badValue(
            option: option.name, value: word, hint: "a switch takes no value: --\(option.name)")
        }
        out[option] = "true"
      } else if parts.count == 2 {
        out[option] = String(parts[1])
      } else if let value = rest.popFirst() {
        out[option] = value
      } else {
        throw WorkflowError.flagWithoutValue(word)
      }
    }
    return out
  }

  /// Reads a recipe: a YAML mapping of option names to scalars (lists are joined with ',').
  /// Unknown keys are an error naming the key and the file.
  public static func recipe(at path: String) throws -> [RunOption: String] {
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
    var out: [RunOption: String] = [:]
    for (k, value) in map {
      let name = k.hasPrefix("--") ? String(k.dropFirst(2)) : k
      guard let key = RunOption(rawValue: name) else {
        throw WorkflowError.unknownRecipeKey(name, file: path)
      }
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

  /// Every option as YAML (`config.yaml`), in the table's order, with the help as comments.
  public var yaml: String {
    var lines = ["# ftune run configuration: `ftune --recipe THIS_FILE` reproduces the run."]
    for o in RunOption.allCases {
      lines.append("# \(o.spec.help)")
      lines.append("\(o.name): \(Self.quote(self[o]))")
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
