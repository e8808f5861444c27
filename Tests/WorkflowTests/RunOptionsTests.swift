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
    let o = try RunOptions(recipe: recipe, flags: ["epochs": "3", "batch": "8"])
    #expect(o["epochs"] == "3")  // flag beats recipe
    #expect(o["lr"] == "0.01")  // recipe beats default
    #expect(o["batch"] == "8")
    #expect(o["optimizer"] == "adam")  // default
    #expect(o["classes"] == "tigger,misty,none")
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
    var o = try RunOptions(flags: [
      "base": "vgg16", "classes": "a,b", "augment": "flip,crop", "lr": "1e-4",
      "weights": "random", "cache": "off", "unfreeze-at": "3:10,6:0", "out": "runs/x y",
    ])
    o.set("size", "32")
    let path = try write(o.yaml)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(try RunOptions(recipe: RunOptions.recipe(at: path)) == o)
  }

  @Test func badValuesNameTheOption() throws {
    for (k, v) in [("epochs", "zero"), ("optimizer", "rmsprop"), ("augment", "blur"),
      ("preprocess", "vgg"), ("val-split", "2")]
    {
      let o = try RunOptions(flags: ["base": "vgg16", k: v])
      let error = #expect(throws: WorkflowError.self) { try TrainSettings(o) }
      #expect(error?.description.contains(k) == true, "\(k)")
    }
    let noBase = #expect(throws: WorkflowError.self) { try TrainSettings(RunOptions()) }
    #expect(noBase?.description.contains("--base") == true)
  }

  @Test func balancedClassWeights() throws {
    let s = try TrainSettings(RunOptions(flags: ["base": "vgg16", "class-weights": "balanced"]))
    #expect(try s.lossWeights(counts: [10, 30]) == [2, 2.0 / 3])
    let e = try TrainSettings(RunOptions(flags: ["base": "vgg16", "class-weights": "1,2"]))
    #expect(throws: WorkflowError.self) { try e.lossWeights(counts: [1, 2, 3]) }
  }
}
