import ArgumentParser
import Foundation
import Runtime
import TensorCore
import Workflow

/// The `ftune` command line: thin commands over the libraries (docs/architecture.md).
@main
struct FTune: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ftune",
    abstract: "Transfer learning and fine-tuning of Keras-format networks on the CPU.",
    discussion: ExitStatus.help,
    subcommands: [
      TrainCommand.self, CacheCommand.self, CompareCommand.self, PredictCommand.self,
      EvaluateCommand.self,
      InspectCommand.self, AugmentCommand.self, ExportCommand.self, BenchCommand.self,
      BenchLoaderCommand.self, ImportTorchCommand.self, ZooCommand.self, DoctorCommand.self,
    ],
    defaultSubcommand: TrainCommand.self
  )

  /// Picks OpenBLAS's core type by CPU features before any work (this may re-run the
  /// process once with OPENBLAS_CORETYPE set; see `BLASCoreType`), parses, routes Ctrl-C to
  /// a clean stop, runs, and maps any error to one message and one exit status.
  static func main() {
    BLASCoreType.reexecIfNeeded()
    if let refusal = Distributed.refusal(arguments: Array(CommandLine.arguments.dropFirst())) {
      exit(withError: refusal)
    }
    var command: any ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      exit(withError: error)  // help, version, bad flags (64): ArgumentParser's own
    }
    Interruption.install { signal in
      let name = signal == SIGINT ? "Ctrl-C" : "SIGTERM"
      FileHandle.standardError.write(Data(
        "\n\(name): stopping after the current batch (press Ctrl-C again to quit at once)\n"
          .utf8))
    }
    do {
      try command.run()
    } catch let stop as Interrupted {
      FileHandle.standardError.write(Data("\(stop)\nresume with: \(resumeCommand(stop))\n".utf8))
      Foundation.exit(Interruption.exitStatus(for: stop.signal))
    } catch {
      // Help requests and ValidationError come back here too: ArgumentParser reports them.
      guard let status = ExitStatus.code(for: error) else { exit(withError: error) }
      FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
      Foundation.exit(status)
    }
  }

  /// The command that continues an interrupted run: this one, plus `--resume` for
  /// training and the run directory when it was not named.
  static func resumeCommand(_ stop: Interrupted) -> String {
    var args = Array(CommandLine.arguments.dropFirst())
    let training = stop.checkpoint != nil || stop.runDirectory != nil
    if training {
      if !args.contains("--resume") { args.append("--resume") }
      if let dir = stop.runDirectory, !args.contains("--out") { args += ["--out", dir] }
    }
    return ([CommandLine.arguments.first ?? "ftune"] + args).map(shellQuoted)
      .joined(separator: " ")
  }

  static func shellQuoted(_ word: String) -> String {
    let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@+".contains($0) }
    return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''")
      + "'"
  }
}
