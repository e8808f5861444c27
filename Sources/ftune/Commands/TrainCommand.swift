import ArgumentParser
import Foundation
import Training
import Workflow

/// `ftune [train]`: fine-tune a base network on an image folder (the default command).
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Fine-tune a base network on your image classes (the default command).",
    usage: """
      ftune [train] [--recipe <recipe>] [RUN OPTIONS] [--resume] [--print-config] [--quiet]
      """,
    discussion: """
      Example: ftune --base vgg16 --freeze 13 --classes tigger,misty,none
      Options come from defaults, then --recipe FILE (YAML, same keys as the flags), then \
      the flags given. Writes runs/NAME/: model.h5, config.yaml, metrics.csv, metrics.json, \
      confusion.csv, confusion.png, curves.png.

      """ + RunFlags.help)

  @Option(help: "YAML recipe holding the same options as the flags (flags override it)")
  var recipe: String?
  @OptionGroup var flags: RunFlags
  @OptionGroup var hdf5: HDF5TrustFlag
  @Flag(help: "continue an interrupted run from its checkpoint in --out")
  var resume = false
  @Flag(name: .customLong("print-config"), help: "print the merged options as YAML and exit")
  var printConfig = false
  @Flag(help: "no progress output") var quiet = false

  func run() throws {
    // Errors are CustomStringConvertible: ArgumentParser prints their message, exit 1.
    let recipeValues = try recipe.map { try RunOptions.recipe(at: $0) } ?? [:]
    let options = RunOptions(recipe: recipeValues, flags: try flags.given())
    if printConfig {
      print(options.yaml, terminator: "")
      return
    }
    let progress: any TrainingProgress = quiet ? SilentProgress() : ConsoleProgress()
    let trust = hdf5.trust()
    // Under `mpirun -n P` the ranks train data-parallel; rank 0 alone reports.
    let (summary, isRoot) = try Distributed.run { world in
      let job = try TrainWorkflow(options: options, progress: progress, trust: trust)
      job.communicator = world
      return (try job.run(resume: resume), world.isRoot)
    }
    guard isRoot else { return }
    // Report the epoch whose weights the run kept, not merely the last one trained.
    let epochs = summary.history.last?.epoch ?? 0
    if let kept = summary.history.first(where: { $0.epoch == summary.bestEpoch })
      ?? summary.history.last
    {
      print(ConsoleProgress.epochLine(kept, epochs: epochs))
      if kept.hasValidation {
        print(String(
          format: "validation accuracy %.3f (loss %.4f), weights of epoch %d of %d",
          kept.valAccuracy, kept.valLoss, kept.epoch, epochs))
      }
    }
    print("run directory: \(summary.runDirectory.path)")
  }
}
