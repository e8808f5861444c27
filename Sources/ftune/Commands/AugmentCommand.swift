import ArgumentParser

struct AugmentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "augment", abstract: "(not built yet)")

  func run() throws {
    throw NotBuiltYet(command: "augment")
  }
}
