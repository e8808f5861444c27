import Foundation
import TestSupport
import Testing

/// `ftune doctor` end to end: files, summary, exit codes, and its report in headless Chromium.
@Suite(.serialized) struct DoctorCommandTests {
  @Test func writesItsFilesAndAReportThatRendersInChromium() throws {
    let root = TinyImages.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("images")
    try TinyImages.make(at: data)
    // An exact copy in another class: a duplicate across classes.
    try FileManager.default.copyItem(
      at: data.appendingPathComponent("red/0.png"),
      to: data.appendingPathComponent("green/copy_of_red0.png"))
    let out = root.appendingPathComponent("doctor")
    let r = try FTuneProcess.run(
      [
        "doctor", "--base", "vgg16", "--weights", "random", "--size", "32", "--data", data.path,
        "--folds", "3", "--repeats", "1", "--out", out.path,
      ], home: root)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("suspected label errors:"))
    #expect(r.out.contains("duplicates:"), "\(r.out)")
    #expect(r.out.contains("learning curve"))
    let json = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: out.appendingPathComponent("doctor.json"))) as? [String: Any])
    let pairs = try #require(json["duplicates"] as? [[String: Any]])
    // Noisy solid colours are near duplicates of each other too; the exact copy is the only
    // pair of identical files, and it is across classes.
    let exact = pairs.filter { $0["kind"] as? String == "file" }
    #expect(exact.count == 1 && exact.first?["across_classes"] as? Bool == true, "\(exact)")
    #expect(json["counts"] as? [Int] == [6, 7, 6])
    #expect((json["learning_curve"] as? [String: Any])?["accuracy"] as? [Double] != nil)

    let html = out.appendingPathComponent("report.html")
    for file in try HeadlessChromium.referencedFiles(of: html) {
      #expect(FileManager.default.fileExists(atPath: file.path), "report refers to \(file.path)")
    }
    let load = try HeadlessChromium.load(html)
    #expect(load.consoleMessages.isEmpty, "\(load.consoleMessages)")
    #expect(load.screenshot.width == 1280)

    // --json prints doctor.json; the features now all come from the cache.
    let again = try FTuneProcess.run(
      [
        "doctor", "--base", "vgg16", "--weights", "random", "--size", "32", "--data", data.path,
        "--folds", "3", "--repeats", "1", "--no-curve", "--json", "--out", out.path,
      ], home: root)
    #expect(again.status == 0, "\(again.err)")
    let printed = try #require(
      try JSONSerialization.jsonObject(with: Data(again.out.utf8)) as? [String: Any])
    #expect(printed["features_computed"] as? Int == 0)
    #expect(printed["features_reused"] as? Int == 19)
  }

  @Test func badFoldCountsAndCutsAreUsageErrorsNamingTheOption() throws {
    let root = TinyImages.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("images")
    try TinyImages.make(at: data)
    let folds = try FTuneProcess.run(
      ["doctor", "--base", "vgg16", "--weights", "random", "--size", "32", "--data", data.path,
       "--folds", "1"], home: root, cwd: root)
    #expect(folds.status == 64, "\(folds.err)")
    #expect(folds.err.contains("folds"))
    let cut = try FTuneProcess.run(
      ["doctor", "--base", "vgg16", "--weights", "random", "--size", "32", "--data", data.path,
       "--freeze", "0"], home: root, cwd: root)
    #expect(cut.status == 64, "\(cut.err)")
    #expect(cut.err.contains("freeze"))
  }
}
