import ArgumentParser

struct CacheCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cache", abstract: "(not built yet)")

  func run() throws {
    throw NotBuiltYet(command: "cache")
  }
}
