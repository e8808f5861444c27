import Foundation
import TestSupport
import Testing

/// The README stays short, its links and docs/'s resolve, and every `ftune` command it shows
/// names a real subcommand with flags that subcommand has (its `--help` lists them).
@Suite struct ReadmeTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  static func text(_ path: String) throws -> String {
    try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
  }

  @Test func readmeIsShort() throws {
    let lines = try Self.text("README.md").split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count <= 250, "README.md has \(lines.count) lines; move detail to docs/")
  }

  @Test func everyRelativeLinkResolves() throws {
    let docs = try FileManager.default.contentsOfDirectory(
      atPath: Self.root.appendingPathComponent("docs").path
    ).filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
    #expect(docs.contains("docs/architecture.md"))
    let link = try NSRegularExpression(pattern: #"\]\(([^)#\s]+)(#[^)]*)?\)"#)
    for file in ["README.md"] + docs {
      let text = try Self.text(file)
      let folder = Self.root.appendingPathComponent(file).deletingLastPathComponent()
      for m in link.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
        guard let r = Range(m.range(at: 1), in: text) else { continue }
        let target = String(text[r])
        if target.contains("://") { continue }
        let path = folder.appendingPathComponent(target).standardizedFileURL.path
        #expect(FileManager.default.fileExists(atPath: path), "\(file) links to missing \(target)")
      }
    }
  }

  /// README's list of bases is the zoo's: every name `ftune zoo --json` prints is in it.
  @Test func readmeListsEveryZooBase() throws {
    let zoo = try ProcessRun.run(FTuneProcess.binary(), ["zoo", "--json"])
    #expect(zoo.status == 0, "\(zoo.err)")
    let entries = try #require(
      try JSONSerialization.jsonObject(with: Data(zoo.out.utf8)) as? [[String: Any]])
    let names = entries.compactMap { $0["name"] as? String }
    #expect(names.count >= 5)
    let section = try #require(
      try Self.text("README.md").components(separatedBy: "## Supported bases and layers")
        .dropFirst().first?.components(separatedBy: "\n## ").first)
    for name in names {
      #expect(
        section.range(of: "\\b\(name)\\b", options: .regularExpression) != nil,
        "README's supported bases lack \(name)")
    }
  }

  /// `ftune WORD ...` lines of the README's code blocks: the subcommand (train when the
  /// first word is a flag) and the `--flags` the line uses.
  static func commands() throws -> [(subcommand: String, flags: [String], line: String)] {
    var inCode = false
    var found: [(String, [String], String)] = []
    for raw in try text("README.md").split(separator: "\n") {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("```") { inCode.toggle(); continue }
      guard inCode, line.hasPrefix("ftune ") else { continue }
      let command = line.components(separatedBy: "#")[0]
      let words = command.split(separator: " ").map(String.init).dropFirst()
      guard let first = words.first, first != "..." else { continue }
      let subcommand = first.hasPrefix("-") ? "train" : first
      let flags = words.filter { $0.hasPrefix("--") }.map { $0.components(separatedBy: "=")[0] }
      found.append((subcommand, flags, line))
    }
    return found
  }

  @Test func everyReadmeCommandUsesRealFlags() throws {
    let commands = try Self.commands()
    #expect(commands.count >= 8, "found only \(commands.map(\.line))")
    for c in commands {
      let help = try ProcessRun.run(FTuneProcess.binary(), [c.subcommand, "--help"])
      #expect(help.status == 0, "README: `\(c.line)`: no subcommand '\(c.subcommand)'")
      for flag in c.flags {
        #expect(help.out.contains(flag), "README: `\(c.line)`: \(c.subcommand) has no \(flag)")
      }
    }
  }
}
