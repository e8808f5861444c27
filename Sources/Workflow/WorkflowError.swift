/// Problems a user can cause in the workflow; each names the option, file or folder and
/// says what to do.
public enum WorkflowError: Error, Equatable, CustomStringConvertible {
  case unknownRecipeKey(String, file: String?)
  /// A command-line word that is no run option (nor one of the command's own flags).
  case unknownFlag(String)
  /// A run option last on the command line, without its value.
  case flagWithoutValue(String)
  case recipe(path: String, reason: String)
  case missingOption(String, hint: String)
  case badValue(option: String, value: String, hint: String)
  /// The file an option names does not exist (a data error, not a usage error).
  case missingFile(option: String, path: String, hint: String)
  case noWeightsKnown(base: String)
  case runDirectory(path: String, reason: String)
  case notARun(path: String, missing: String)
  case noImages(paths: [String])
  /// `ftune evaluate`'s data folder does not hold exactly the run's class folders.
  case classFolders(data: String, unknown: [String], missing: [String], classes: [String])

  public var description: String {
    switch self {
    case .unknownRecipeKey(let key, let file):
      let source = file.map { "recipe \($0)" } ?? "options"
      return "\(source): unknown key '\(key)'; known keys: "
        + RunOptions.names.joined(separator: ", ")
    case .unknownFlag(let word):
      return "unknown option '\(word)'; run options: "
        + RunOption.allCases.map { "--\($0.name)" }.joined(separator: ", ")
        + " (and the command's own: see --help)"
    case .flagWithoutValue(let word):
      return "\(word) needs a value: \(word) VALUE"
    case .recipe(let path, let reason):
      return "recipe \(path) \(reason)"
    case .missingOption(let option, let hint):
      return "--\(option) is required: \(hint)"
    case .badValue(let option, let value, let hint):
      return "--\(option) \(value): \(hint)"
    case .missingFile(let option, let path, let hint):
      return "--\(option) \(path): no such file; \(hint)"
    case .noWeightsKnown(let base):
      return "Keras publishes no weights file for \(base) with these options: pass"
        + " --weights FILE or --weights random"
    case .runDirectory(let path, let reason):
      return "run directory \(path): \(reason)"
    case .notARun(let path, let missing):
      return "\(path) is not an ftune run directory (no \(missing)); train one with ftune --out"
    case .noImages(let paths):
      return "no JPEG or PNG images in \(paths.joined(separator: ", "))"
    case .classFolders(let data, let unknown, let missing, let classes):
      var problems: [String] = []
      if !unknown.isEmpty {
        problems.append("folder(s) \(unknown.joined(separator: ", ")) are not classes of the run")
      }
      if !missing.isEmpty {
        problems.append("no folder for class(es) \(missing.joined(separator: ", "))")
      }
      return "\(data): \(problems.joined(separator: "; ")); the run was trained on"
        + " \(classes.joined(separator: ", ")): give a folder with one sub-folder per class"
    }
  }
}
