import ArgumentParser

struct ImportTorchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import-torch", abstract: "(not built yet)")

  func run() throws {
    throw NotBuiltYet(command: "import-torch")
  }
}
