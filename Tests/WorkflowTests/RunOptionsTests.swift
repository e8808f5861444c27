import Foundation
import Testing

@testable import Workflow

@Suite struct RunOptionsTests {
  func write(_ text: String) throws -> String {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-recipe-\(UUID().uuidString).yaml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  @Test func flagsOverrideRecipeOverridesDefaults() throws {
    let path = try write("base: vgg16\nepochs: 5\nlr: 0.01\nclasses: [tigger, misty, none]\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let recipe = try RunOptions.recipe(at: path)
    let o = RunOptions(recipe: recipe, flags: [.epochs: "3", .batch: "8"])
    #expect(o[.epochs] == "3")  // flag beats recipe
    #expect(o[.lr] == "0.01")  // recipe beats default
    #expect(o[.batch] == "8")
    #expect(o[.optimizer] == "adam")  // default
    #expect(o[.classes] == "tigger,misty,none")
    let s = try TrainSettings(o)
    #expect(s.training.epochs == 3)
    #expect(s.training.learningRate == 0.01)
    #expect(s.classes == ["tigger", "misty", "none"])
  }

  @Test func unknownRecipeKeyIsNamed() throws {
    let path = try write("base: vgg16\nepoch: 5\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let error = #expect(throws: WorkflowError.self) { try RunOptions.recipe(at: path) }
    #expect(error == .unknownRecipeKey("epoch", file: path))
    #expect(error?.description.contains("'epoch'") == true)
    #expect(error?.description.contains(path) == true)
  }

  @Test func configYamlReadsBackIdentically() throws {
    var o = RunOptions(flags: [
      .base: "vgg16", .classes: "a,b", .augment: "flip,crop", .lr: "1e-4",
      .weights: "random", .cache: "off", .unfreezeAt: "3:10,6:0", .out: "runs/x y",
    ])
    o.set(.size, "32")
    let path = try write(o.yaml)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(RunOptions(recipe: try RunOptions.recipe(at: path)) == o)
  }

  @Test func badValuesNameTheOption() throws {
    for (k, v) in [(RunOption.epochs, "zero"), (.optimizer, "rmsprop"), (.augment, "blur"),
      (.preprocess, "vgg"), (.valSplit, "2")]
    {
      let o = RunOptions(flags: [.base: "vgg16", k: v])
      let error = #expect(throws: WorkflowError.self) { try TrainSettings(o) }
      #expect(error?.description.contains("--\(k.name)") == true, "\(k)")
    }
    let noBase = #expect(throws: WorkflowError.self) { try TrainSettings(RunOptions()) }
    #expect(noBase?.description.contains("--base") == true)
  }

  @Test func balancedClassWeights() throws {
    let s = try TrainSettings(RunOptions(flags: [.base: "vgg16", .classWeights: "balanced"]))
    #expect(try s.lossWeights(counts: [10, 30]) == [2, 2.0 / 3])
    let e = try TrainSettings(RunOptions(flags: [.base: "vgg16", .classWeights: "1,2"]))
    #expect(throws: WorkflowError.self) { try e.lossWeights(counts: [1, 2, 3]) }
  }

  /// The command line's run options come from the table: values after the name or after
  /// '=', a switch alone, the last repeat winning; anything else is one usage error.
  @Test func flagsParseByTheTable() throws {
    let given = try RunOptions.flags(parsing: [
      "--base", "vgg16", "--val-split=0.3", "--partial", "--lr", "1", "--lr", "2", "--size=",
    ])
    #expect(given == [.base: "vgg16", .valSplit: "0.3", .partial: "true", .lr: "2", .size: ""])
    #expect(throws: WorkflowError.unknownFlag("--epocs")) {
      try RunOptions.flags(parsing: ["--epocs", "3"])
    }
    #expect(throws: WorkflowError.unknownFlag("vgg16")) {
      try RunOptions.flags(parsing: ["--base", "vgg16", "vgg16"])
    }
    #expect(throws: WorkflowError.flagWithoutValue("--epochs")) {
      try RunOptions.flags(parsing: ["--epochs"])
    }
    #expect(throws: WorkflowError.self) { try RunOptions.flags(parsing: ["--partial=yes"]) }
  }

  /// Recipes and old runs' config.yaml keep loading: no name of theirs leaves the table.
  @Test func theTableKeepsTheNamesOfOldRuns() {
    #expect(Set(RunOptions.names).isSuperset(of: [
      "base", "weights", "partial", "freeze", "classes", "data", "val-split", "size",
      "preprocess", "augment", "epochs", "batch", "lr", "optimizer", "momentum",
      "weight-decay", "schedule", "warmup", "base-lr-mult", "unfreeze-at", "patience",
      "class-weights", "dropout", "hidden", "cache", "cache-dir", "cache-variants", "out",
      "seed",
    ]))
  }
}
