import ArgumentParser
import Foundation
import KerasIO
import Workflow

/// `ftune export runs/NAME --format keras-h5 --out model.h5`: back to Keras.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a trained run's model for Keras (full model or weights only).",
    discussion: """
      Example: ftune export runs/cats --format keras-h5 --out cats.h5
      keras-h5: tf_keras.models.load_model opens it; keras-weights: model.load_weights.
      """)

  @Argument(help: ArgumentHelp("the run directory (runs/NAME)", valueName: "run")) var runPath:
    String
  @Option(help: "keras-h5 (full model) or keras-weights") var format: String = "keras-h5"
  @Option(help: "the file to write") var out: String
  @OptionGroup var hdf5: HDF5TrustFlag

  func validate() throws {
    guard ["keras-h5", "keras-weights"].contains(format) else {
      throw ValidationError("--format \(format): use keras-h5 or keras-weights")
    }
  }

  func run() throws {
    let dir = RunDirectory(url: URL(fileURLWithPath: runPath))
    guard FileManager.default.fileExists(atPath: dir.modelURL.path) else {
      throw WorkflowError.notARun(path: runPath, missing: "model.h5")
    }
    let graph = try KerasModel.load(path: dir.modelURL.path, trust: hdf5.trust())
    if format == "keras-h5" {
      try KerasModel.save(graph, to: out)
    } else {
      try KerasWeights.save(graph, to: out)
    }
    print("wrote \(out)")
  }
}
