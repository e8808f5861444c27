import ArgumentParser

struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict", abstract: "(not built yet)")

  func run() throws {
    throw NotBuiltYet(command: "predict")
  }
}
