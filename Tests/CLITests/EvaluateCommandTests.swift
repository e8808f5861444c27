import Foundation
import ImageIO
import TestSupport
import Testing

/// `ftune evaluate` through the binary on a tiny trained run, and the report.html pages of
/// train, evaluate and compare opened in headless Chromium.
@Suite(.serialized) struct EvaluateCommandTests {
  let root: URL
  let data: URL

  init() throws {
    root = TinyImages.temporaryDirectory()
    data = root.appendingPathComponent("images")
    try TinyImages.make(at: data)
  }

  func train(out: String) throws -> URL {
    let run = root.appendingPathComponent(out)
    let r = try FTuneProcess.run(
      [
        "--base", "vgg16", "--weights", "random", "--size", "32", "--data", data.path,
        "--freeze", "13", "--classes", "red,green,blue", "--epochs", "2", "--batch", "4",
        "--lr", "0.01", "--quiet", "--out", run.path,
      ], home: root)
    #expect(r.status == 0, "\(r.err)")
    return run
  }

  @Test func evaluateWritesEveryFileAndReadsTheTrainingFeatures() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let run = try train(out: "runs/a")
    let out = root.appendingPathComponent("eval")
    let r = try FTuneProcess.run(["evaluate", run.path, data.path, "--out", out.path], home: root)
    #expect(r.status == 0, "\(r.err)")
    // Training cached all 18 images at block5_pool; evaluation runs only the head.
    #expect(r.err.contains("18 reused, 0 computed"), "\(r.err)")
    #expect(r.out.contains("accuracy: ") && r.out.contains("macro avg"), "\(r.out)")
    for name in [
      "report.html", "metrics.json", "per_class_metrics.csv", "confusion_matrix.csv",
      "confusion_matrix_percent.csv", "confusion_matrix.png", "most_confused.csv",
      "top_losses.csv", "top_losses.png", "reliability.png", "predictions.csv", "images/00.png",
    ] {
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
    }
    let json = try FTuneProcess.run(
      ["evaluate", run.path, data.path, "--out", out.path, "--json", "--tta", "10crop"],
      home: root)
    #expect(json.status == 0, "\(json.err)")
    let m = try #require(
      try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
    let counts = try #require(m["confusion_matrix"] as? [[Int]])
    #expect(counts.joined().reduce(0, +) == 18)
    #expect((m["per_class"] as? [Any])?.count == 3)
    for key in ["accuracy", "log_loss", "expected_calibration_error", "macro_f1", "weighted_f1"] {
      #expect(m[key] is NSNumber, "\(key)")
    }
  }

  @Test func dataWithOtherClassFoldersIsAClearError() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let run = try train(out: "runs/b")
    let other = root.appendingPathComponent("other")
    try TinyImages.make(at: other, classes: ["red", "green", "cyan"], perClass: 1)
    let r = try FTuneProcess.run(["evaluate", run.path, other.path], home: root)
    #expect(r.status == 65)
    #expect(r.err.contains("cyan") && r.err.contains("blue") && r.err.contains("red, green, blue"))
  }

  /// Each page loads in Chromium without console messages (it has no scripts, so any
  /// message is an error), every file it references exists, and a 1280 px wide screenshot
  /// has content. FTUNE_REPORT_SCREENSHOTS=DIR keeps the screenshots for a look.
  @Test func reportsOpenInHeadlessChromium() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let run = try train(out: "runs/c")
    let eval = root.appendingPathComponent("eval")
    let e = try FTuneProcess.run(
      ["evaluate", run.path, data.path, "--out", eval.path, "--quiet"], home: root)
    #expect(e.status == 0, "\(e.err)")
    let compare = root.appendingPathComponent("compare")
    let c = try FTuneProcess.run(
      [
        "compare", "--base", "vgg16", "--weights", "random", "--size", "32", "--data",
        data.path, "--freeze", "0,all", "--epochs", "1", "--batch", "4", "--quiet",
        "--out", compare.path,
      ], home: root)
    #expect(c.status == 0, "\(c.err)")
    let keep = ProcessInfo.processInfo.environment["FTUNE_REPORT_SCREENSHOTS"]
    for (name, page, minimumFiles) in [
      ("evaluate", eval, 18 + 2), ("train", run, 4 + 2), ("compare", compare, 1),
    ] {
      let html = page.appendingPathComponent("report.html")
      let files = try HeadlessChromium.referencedFiles(of: html)
      #expect(files.count >= minimumFiles, "\(name): \(files.count) references")
      for file in files {
        #expect(FileManager.default.fileExists(atPath: file.path), "\(name) refers to \(file.path)")
      }
      // The evaluate page also opened at a confusion cell, as a click on it does.
      let text = try String(contentsOf: html, encoding: .utf8)
      let cell = text.range(of: "id=\"cell-[0-9]+-[0-9]+", options: .regularExpression)
        .map { String(text[$0].dropFirst(4)) }
      if name == "evaluate" { #expect(cell != nil, "no confusion-cell gallery") }
      if let cell {
        let opened = try HeadlessChromium.load(html, fragment: cell)
        #expect(opened.consoleMessages.isEmpty, "\(name)#\(cell): \(opened.consoleMessages)")
      }
      let load = try HeadlessChromium.load(html)
      #expect(load.consoleMessages.isEmpty, "\(name): \(load.consoleMessages)")
      let shot = load.screenshot
      #expect(shot.width == 1280, "\(name): screenshot \(shot.width) px wide")
      // Content, not a blank page: many colours and a good share of non-background pixels.
      let bytes = shot.toRGB8().bytes
      var colours = Set<Int>()
      var inked = 0
      for i in stride(from: 0, to: bytes.count, by: 3) {
        let (r, g, b) = (Int(bytes[i]), Int(bytes[i + 1]), Int(bytes[i + 2]))
        colours.insert(r << 16 | g << 8 | b)
        if abs(r - 0xf6) + abs(g - 0xf7) + abs(b - 0xf9) > 30 && r + g + b < 700 { inked += 1 }
      }
      let share = Double(inked) / Double(shot.width * shot.height)
      #expect(colours.count > 200, "\(name): only \(colours.count) colours")
      #expect(share > 0.02, "\(name): only \(share * 100)% of pixels inked")
      if let keep {
        try shot.writePNG(to: URL(fileURLWithPath: keep).appendingPathComponent("\(name).png").path)
      }
    }
  }
}
