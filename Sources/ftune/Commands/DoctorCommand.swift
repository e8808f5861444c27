import ArgumentParser
import Foundation
import Training
import Workflow

/// `ftune doctor`: suspected label errors, duplicates and leaks, a learning curve, balance
/// and quality of a labelled image folder, from the frozen base's cached features.
struct DoctorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Check a labelled image folder: label errors, duplicates and leaks, learning curve.",
    usage: """
      ftune doctor --base <base> --data <data> [--freeze <cut>] [--classes <classes>] \
      [--out <out>] [--folds <folds>] [--seed <seed>] [--json] [RUN OPTIONS]
      """,
    discussion: """
      Example: ftune doctor --base mobilenet_v2 --data photos --out doctor
      DATA is DATA/<class>/*.jpg (validation: the seeded --val-split split training makes) \
      or DATA/train/<class> and DATA/val/<class>. Features at the --freeze cut (default: the \
      trunk's end) come from the feature cache (computed once, shared with train and \
      compare). Writes OUT (default ./doctor): report.html, doctor.json, label_issues.csv \
      and .png, duplicates.csv and .png, learning_curve.png, learning_curve_classes.png, \
      class_counts.png. Never moves or deletes an image. The head is linear, on standardized \
      features, fitted for at least 500 steps with doctor's defaults --optimizer sgd --lr 0.01 \
      --weight-decay 0.01 (an L2-regularized logistic regression).

      """ + RunFlags.help)

  @Option(help: "YAML recipe holding the same options as the flags (flags override it)")
  var recipe: String?
  @Option(help: "folds of the out-of-fold predictions and the learning curve (compare's folds)")
  var folds: Int = 5
  @Option(help: "random training subsets per fold at each learning-curve fraction below 100%")
  var repeats: Int = 2
  @Option(help: "cosine similarity of features from which two images are near duplicates")
  var near: Double = DuplicateFinder.defaultThreshold
  @Flag(name: .customLong("no-curve"), help: "skip the learning curve") var noCurve = false
  @Flag(help: "print doctor.json instead of the summary") var json = false
  @OptionGroup var flags: RunFlags
  @OptionGroup var hdf5: HDF5TrustFlag
  @Flag(help: "no progress output") var quiet = false

  func validate() throws {
    guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
  }

  func run() throws {
    let recipeValues = try recipe.map { try RunOptions.recipe(at: $0) } ?? [:]
    let options = DoctorWorkflow.options(recipe: recipeValues, flags: try flags.given())
    var request = DoctorWorkflow.Request()
    request.folds = folds
    request.repeats = repeats
    request.nearThreshold = near
    request.learningCurve = !noCurve
    let workflow = try DoctorWorkflow(
      options: options, request: request,
      progress: quiet || json ? SilentProgress() : ConsoleProgress(), trust: hdf5.trust())
    let result = try workflow.run()
    if json {
      print(String(decoding: try result.json(), as: UTF8.self))
    } else {
      for line in result.summaryLines { print(line) }
      print("report: \(workflow.out.appendingPathComponent("report.html").path)")
    }
  }
}
