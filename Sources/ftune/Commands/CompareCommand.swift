import ArgumentParser
import Foundation
import Training
import Workflow

/// `ftune compare`: several `--freeze` strategies trained and evaluated on the same folds.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Compare freezing strategies on the same stratified folds.",
    usage: """
      ftune compare [--recipe <recipe>] [RUN OPTIONS] [--cv <cv>] [--heads <heads>] \
      [--augment-sets <augment-sets>] [--quiet]
      """,
    discussion: """
      Example: ftune compare --base vgg16 --freeze 0,7,13,all --classes a,b,c --cv 5
      --freeze takes a list: counts, layer names, 'all', or 'auto' (one cut per block).
      Without --cv the fixed --val-split split is used. --heads and --augment-sets cross \
      every strategy with heads (linear, mlp) and augmentation sets (none, flip+crop, ...).
      Frozen strategies train on cached features; with an augmentation set they train on \
      cached augmented variants of each image (--cache-variants K if above 1, else one per \
      epoch). Writes OUT/folds.csv (before training), compare.json, compare.md and \
      compare.png (OUT is --out, default ./compare).

      """ + RunFlags.help)

  @Option(help: "YAML recipe holding the same options as the flags (flags override it)")
  var recipe: String?
  @Option(help: "folds of stratified cross-validation (2 or more); omit for --val-split")
  var cv: Int?
  @Option(help: "heads to compare, comma-separated: linear, mlp (default: from --hidden)")
  var heads: String?
  @Option(
    name: .customLong("augment-sets"),
    help: "augmentation sets to compare, e.g. none,flip+crop,flip+crop+pca (default --augment)")
  var augmentSets: String?
  @OptionGroup var flags: RunFlags
  @OptionGroup var hdf5: HDF5TrustFlag
  @Flag(help: "no progress output") var quiet = false

  func run() throws {
    let recipeValues = try recipe.map { try RunOptions.recipe(at: $0) } ?? [:]
    let given = try flags.given()
    let options = RunOptions(recipe: recipeValues, flags: given)
    let list = (given[.freeze] ?? recipeValues[.freeze] ?? "auto").split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    // TrainSettings validates one --freeze; the list is resolved by the workflow.
    var single = options
    single.set(.freeze, "all")
    let progress: any TrainingProgress = quiet ? SilentProgress() : ConsoleProgress()
    let grid = try CompareGrid.parse(
      heads: heads, augmentSets: augmentSets, settings: try TrainSettings(single))
    let result = try CompareWorkflow(
      options: single, freezeList: list, cv: cv, grid: grid, progress: progress,
      trust: hdf5.trust()
    ).run()
    print(result.console.render())
    for line in result.summaryLines { print(line) }
  }
}
