import ArgumentParser

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect", abstract: "(not built yet)")

  func run() throws {
    throw NotBuiltYet(command: "inspect")
  }
}
