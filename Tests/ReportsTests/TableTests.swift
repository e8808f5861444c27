import Foundation
import Testing

@testable import Reports

@Suite struct TableTests {
  @Test func markdownTableIsAlignedExactly() {
    let t = MarkdownTable(
      headers: ["freeze", "val acc", "note"],
      rows: [["0", "0.81", "a|b"], ["13", "0.9", ""], ["all"]],
      alignments: [.left, .right, .center])
    #expect(
      t.render() == """
        | freeze | val acc | note |
        | :----- | ------: | :--: |
        | 0      |    0.81 | a\\|b |
        | 13     |     0.9 |      |
        | all    |         |      |

        """)
  }

  @Test func markdownSeparatorNeedsThreeCharacters() {
    let t = MarkdownTable(headers: ["a", "b"], rows: [["1", "2"]], alignments: [.right])
    #expect(t.render() == "|   a | b   |\n| --: | :-- |\n|   1 | 2   |\n")
  }

  @Test func consoleTableHasNoTrailingSpaces() {
    let t = ConsoleTable(
      headers: ["freeze", "acc", "name"],
      rows: [["0", "0.81", "x"], ["13", "0.9", ""]],
      alignments: [.left, .right])
    #expect(
      t.render() == """
        freeze   acc  name
        ------  ----  ----
        0       0.81  x
        13       0.9

        """)
  }

  @Test func csvQuotesOnlyWhatNeedsIt() {
    let t = CSVTable(
      header: ["epoch", "note"],
      rows: [
        ["1", "plain"], ["2", "a,b"], ["3", "say \"hi\""], ["4", "two\nlines"],
        ["5", " padded"], ["6", ""],
      ])
    #expect(
      t.render() == """
        epoch,note
        1,plain
        2,"a,b"
        3,"say ""hi\"\"\"
        4,"two
        lines"
        5," padded"
        6,

        """)
    #expect(CSVTable.line(["a", "b,c"]) == "a,\"b,c\"")
  }

  @Test func filesAreWrittenAtomically() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-reports-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("metrics.csv")
    try CSVTable(header: ["a"], rows: [["1"]]).write(to: url)
    try CSVTable(header: ["a"], rows: [["2"]]).write(to: url)  // replaces
    #expect(try String(contentsOf: url, encoding: .utf8) == "a\n2\n")
    // Only the target is left: no temporary files.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["metrics.csv"])
    let missing = dir.appendingPathComponent("no/such/dir/x.csv")
    do {
      try MarkdownTable(headers: ["x"], rows: []).write(to: missing)
      Issue.record("expected an error")
    } catch let error as ReportError {
      #expect(error.description.contains(missing.path))
    }
  }
}
