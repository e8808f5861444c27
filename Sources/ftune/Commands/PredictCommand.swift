import ArgumentParser
import Foundation
import Workflow

/// `ftune predict runs/NAME IMAGE|DIR...`: classify images with a trained run.
struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Classify images with a trained run (top-k, optional 10-crop, ensembles).",
    discussion: "Example: ftune predict runs/cats photo.jpg more/ --tta 10crop --top 3")

  @Argument(help: ArgumentHelp("the run directory (runs/NAME)", valueName: "run")) var runPath:
    String
  @Argument(help: "image files or folders") var images: [String]
  @Option(help: "test-time augmentation: none or 10crop") var tta: String = "none"
  @Option(help: "how many classes to show per image") var top: Int = 3
  @Flag(help: "print JSON") var json = false
  @Option(help: "more runs to average with, comma-separated (runs/A,runs/B)")
  var ensemble: String?
  @OptionGroup var badImages: BadImagesOption
  @OptionGroup var hdf5: HDF5TrustFlag

  func validate() throws {
    guard ["none", "10crop"].contains(tta) else {
      throw ValidationError("--tta \(tta): use none or 10crop")
    }
    guard top >= 1 else { throw ValidationError("--top must be at least 1") }
  }

  func run() throws {
    let runs = [runPath] + (ensemble?.split(separator: ",").map(String.init) ?? [])
    let predictor = try Predictor(runs: runs, trust: hdf5.trust())
    let paths = try Predictor.usable(
      try Predictor.expand(images), badImages: badImages.badImages
    ) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    let results = try predictor.predict(paths: paths, tenCrop: tta == "10crop", top: top)
    print(json ? try Predictor.json(results) : Predictor.text(results))
  }
}
