import Foundation
import ImageIO
import Testing

@testable import Reports

@Suite struct RunReportTests {
  func report() throws -> RunReport {
    let matrix = try ConfusionMatrix(
      labels: [0, 0, 1, 1, 1], predictions: [0, 1, 1, 1, 0], classes: ["cat", "dog"])
    let curves = TrainingCurves(
      trainLoss: [0.9, 0.5], valLoss: [0.8, 0.6], trainAccuracy: [0.6, 0.8],
      valAccuracy: [0.55, 0.6])
    return RunReport(title: "cats", curves: curves, confusion: matrix)
  }

  @Test func writesEveryFileAndNothingElse() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-run-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try report()
    let urls = try r.write(to: dir)
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(
      names == [
        "confusion_matrix.csv", "confusion_matrix.png", "curves.png", "per_class_metrics.csv",
        "report.md",
      ])
    #expect(urls.count == 5)
    let csv = try String(
      contentsOf: dir.appendingPathComponent("confusion_matrix.csv"), encoding: .utf8)
    #expect(csv == "true\\predicted,cat,dog\ncat,1,1\ndog,1,2\n")
    let curves = try Image.decode(file: dir.appendingPathComponent("curves.png").path)
    #expect(curves.width == 1200 && curves.height == 450)
    let confusion = try Image.decode(
      file: dir.appendingPathComponent("confusion_matrix.png").path)
    #expect(confusion.width == 600)
  }

  @Test func markdownSummarisesTheFinalEpochAndClasses() throws {
    let md = try report().markdown()
    #expect(md.hasPrefix("# cats\n\n## Final epoch\n\n"))
    #expect(md.contains("| val   | 0.6000 |   0.6000 |"))
    #expect(md.contains("| accuracy  |           |        | 0.600 |       5 |"))
    #expect(md.contains("![confusion matrix](confusion_matrix.png)"))
  }

  @Test func withoutConfusionOnlyCurvesAndMarkdown() throws {
    var r = try report()
    r.confusion = nil
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-run-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try r.write(to: dir)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
        "curves.png", "report.md",
      ])
    #expect(!r.markdown().contains("Confusion"))
  }
}
