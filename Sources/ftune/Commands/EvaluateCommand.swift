import ArgumentParser
import Foundation
import Training
import Workflow

/// `ftune evaluate runs/NAME test/`: how good a run is on labelled images, and which it
/// gets wrong.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Score a trained run on a labelled image folder: metrics, confusions, top losses.",
    discussion: """
      DATA holds one sub-folder per class of the run (DATA/<class>/*.jpg). Writes into OUT
      (default RUN/evaluate-<DATA name>): report.html (open it in a browser: click a
      confusion-matrix cell to see its images), metrics.json, per_class_metrics.csv,
      confusion_matrix.csv/_percent.csv/.png, most_confused.csv, top_losses.csv/.png,
      reliability.png, predictions.csv and a thumbnail per image under images/.
      Example: ftune evaluate runs/cats test/ --tta 10crop --ensemble runs/cats2
      """)

  @Argument(help: ArgumentHelp("the run directory (runs/NAME)", valueName: "run")) var runPath:
    String
  @Argument(help: ArgumentHelp("labelled images: DATA/<class>/*.jpg", valueName: "data"))
  var data: String
  @Option(help: "test-time augmentation: none or 10crop") var tta: String = "none"
  @Option(help: "more runs to average with, comma-separated (runs/A,runs/B)")
  var ensemble: String?
  @Option(help: "output folder (default RUN/evaluate-<DATA name>)") var out: String?
  @Option(help: "how many highest-loss images to show") var topLosses: Int = 16
  @Option(help: "images per forward pass") var batch: Int = 16
  @Flag(help: "print metrics.json instead of the summary") var json = false
  @Flag(help: "no progress output") var quiet = false
  @OptionGroup var badImages: BadImagesOption
  @OptionGroup var hdf5: HDF5TrustFlag

  func validate() throws {
    guard ["none", "10crop"].contains(tta) else {
      throw ValidationError("--tta \(tta): use none or 10crop")
    }
    guard topLosses >= 0 else { throw ValidationError("--top-losses must be at least 0") }
    guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
  }

  func run() throws {
    var request = EvaluateWorkflow.Request(
      runs: [runPath] + (ensemble?.split(separator: ",").map(String.init) ?? []), data: data)
    request.tenCrop = tta == "10crop"
    request.out = out
    request.topLosses = topLosses
    request.batchSize = batch
    request.badImages = badImages.badImages
    request.trust = hdf5.trust()
    let workflow = EvaluateWorkflow(
      request, progress: quiet || json ? SilentProgress() : ConsoleProgress())
    let result = try workflow.run()
    print(json ? String(decoding: try result.report.json(), as: UTF8.self) : result.report.text())
    if !json { print("report: \(result.out.appendingPathComponent("report.html").path)") }
  }
}
