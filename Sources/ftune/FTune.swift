import ArgumentParser

/// The `ftune` command line: thin commands over the libraries (ARCHITECTURE §1).
@main
struct FTune: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ftune",
    abstract: "Transfer learning and fine-tuning of Keras-format networks on the CPU.",
    subcommands: [
      TrainCommand.self, CacheCommand.self, CompareCommand.self, PredictCommand.self,
      InspectCommand.self, AugmentCommand.self, ExportCommand.self, BenchCommand.self,
      ImportTorchCommand.self,
    ],
    defaultSubcommand: TrainCommand.self
  )
}

/// Thrown by commands whose issue has not landed: a clear message and exit status 2.
struct NotBuiltYet: Error, CustomStringConvertible {
  let command: String
  var description: String {
    "ftune \(command) is not built yet in this version; see README.md for what works today."
  }
}
