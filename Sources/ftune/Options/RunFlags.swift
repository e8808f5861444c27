import ArgumentParser
import Foundation
import Workflow

/// The training options as flags, read from the `RunOption` table: every `--name` there is a
/// flag here, so an option is added in that table alone. ArgumentParser keeps the command's
/// own flags (`--recipe`, `--resume`, ...) and hands over the rest.
struct RunFlags: ParsableArguments {
  @Argument(parsing: .allUnrecognized, help: .hidden) var words: [String] = []

  /// The flags given (only these override the recipe); an unknown one is a usage error.
  func given() throws -> [RunOption: String] { try RunOptions.flags(parsing: words) }

  /// The options' help, for the `discussion` of the commands that take them: laid out as
  /// ArgumentParser lays out its own options, lines short enough that it keeps them.
  static let help: String = {
    let column = 28, width = 78
    var lines = ["RUN OPTIONS (flags, and keys of --recipe files and config.yaml):"]
    for o in RunOption.allCases {
      var line = "  --\(o.name)" + (o.spec.isSwitch ? "" : " <\(o.name)>")
      if line.count >= column - 1 {
        lines.append(line)
        line = ""
      }
      for word in o.spec.helpWithDefault.split(separator: " ") {
        if line.count + 1 + word.count > width, line.count > column {
          lines.append(line)
          line = ""
        }
        line = (line.count < column ? line.padding(toLength: column, withPad: " ", startingAt: 0)
          : line + " ") + word
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n")
  }()
}
