import ArgumentParser
import TensorCore

/// The `ftune` command line: thin commands over the libraries (ARCHITECTURE §1).
@main
struct FTune: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ftune",
    abstract: "Transfer learning and fine-tuning of Keras-format networks on the CPU.",
    subcommands: [
      TrainCommand.self, CacheCommand.self, CompareCommand.self, PredictCommand.self,
      InspectCommand.self, AugmentCommand.self, ExportCommand.self, BenchCommand.self,
      BenchLoaderCommand.self, ImportTorchCommand.self,
    ],
    defaultSubcommand: TrainCommand.self
  )

  /// Picks OpenBLAS's core type by CPU features before any work (this may re-run the
  /// process once with OPENBLAS_CORETYPE set; see `BLASCoreType`), then parses and runs.
  static func main() {
    BLASCoreType.reexecIfNeeded()
    Self.main(nil)
  }
}

/// Thrown by commands whose issue has not landed: a clear message and exit status 2.
struct NotBuiltYet: Error, CustomStringConvertible {
  let command: String
  var description: String {
    "ftune \(command) is not built yet in this version; see README.md for what works today."
  }
}
