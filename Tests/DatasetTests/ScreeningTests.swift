import Foundation
import ImageIO
import Testing

@testable import Dataset

/// `--bad-images skip`: a folder with damaged photos keeps exactly its good files, lists
/// exactly the bad ones, and a class left with none is still an error.
@Suite struct ScreeningTests {
  let root: URL

  init() throws {
    root = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-screening-\(UUID().uuidString)")
    let fm = FileManager.default
    for name in ["cats", "dogs"] {
      try fm.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
    }
    func put(_ name: String, _ data: Data) throws {
      try data.write(to: root.appendingPathComponent(name))
    }
    let photo = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("photo.png")))
    try put("cats/a-good.png", photo)
    try put("cats/b-truncated.jpg", try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("truncated.jpg"))))
    try put("cats/c-empty.jpg", Data())
    try put("cats/d-text.png", Data("not a picture".utf8))
    // Unreadable: a link to nothing (permissions do not stop root, which CI runs as).
    try fm.createSymbolicLink(
      atPath: root.appendingPathComponent("cats/e-gone.jpg").path, withDestinationPath: "/nonexistent/x")
    // 20x20 = 400 pixels, over the 192-pixel limit the tests use (photo.png is 16x12).
    let big = try Image(width: 20, height: 20, channels: 3, pixels: .rgb8([UInt8](repeating: 9, count: 1200)))
    try big.writePNG(to: root.appendingPathComponent("cats/f-big.png").path)
    try put("dogs/a-good.png", photo)
  }

  var bad: [String] {
    ["b-truncated.jpg", "c-empty.jpg", "d-text.png", "e-gone.jpg", "f-big.png"].map {
      root.appendingPathComponent("cats/\($0)").path
    }
  }

  @Test func skipKeepsTheGoodFilesAndListsExactlyTheBadOnes() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let dataset = try ImageDataset(directory: root.path)
    let (kept, skipped) = try dataset.screened(options: DecodeOptions(maxPixels: 192))
    #expect(kept.samples.map(\.path) == ["cats/a-good.png", "dogs/a-good.png"].map {
      root.appendingPathComponent($0).path
    })
    #expect(kept.classes == ["cats", "dogs"] && kept.samples.map(\.label) == [0, 1])
    #expect(skipped.map(\.path) == bad)
    for file in skipped { #expect(file.reason.contains(file.path), "\(file.reason)") }
    #expect(skipped[1].reason.contains("empty") && skipped[4].reason.contains("exceed"))
  }

  @Test func applyingSkipLogsEachFileWritesTheListAndSummarises() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let csv = root.appendingPathComponent("run/skipped.csv")
    var lines: [String] = []
    let kept = try ImageDataset(directory: root.path).applying(
      .skip, csv: csv, options: DecodeOptions(maxPixels: 192)) { lines.append($0) }
    #expect(kept.samples.count == 2)
    #expect(lines.count == 6)
    #expect(zip(lines, bad).allSatisfy { $0.hasPrefix("skipped: ") && $0.contains($1) })
    #expect(lines.last == "skipped 5 of 7 images: see \(csv.path)")
    let rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
    #expect(rows.first == "path,reason" && rows.count == 6)
    #expect(zip(rows.dropFirst(), bad).allSatisfy { $0.hasPrefix("\"\($1)\",\"") })
  }

  @Test func errorPolicyLeavesTheDataSetAsIs() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let dataset = try ImageDataset(directory: root.path)
    var lines: [String] = []
    let same = try dataset.applying(.error, csv: nil) { lines.append($0) }
    #expect(same.samples == dataset.samples && lines.isEmpty)
  }

  @Test func aClassLeftEmptyIsStillAnError() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let onlyBad = root.appendingPathComponent("birds")
    try FileManager.default.createDirectory(at: onlyBad, withIntermediateDirectories: true)
    try Data().write(to: onlyBad.appendingPathComponent("x.jpg"))
    #expect(throws: DatasetError.allSkipped(name: "birds", path: onlyBad.path, count: 1)) {
      try ImageDataset(directory: root.path).screened()
    }
  }

  @Test func summaryGroupsThousands() {
    let three = [SkippedImage](repeating: SkippedImage(path: "p", reason: "r"), count: 3)
    #expect(three.summary(of: 1204, csv: "runs/x/skipped.csv")
      == "skipped 3 of 1,204 images: see runs/x/skipped.csv")
    #expect(three.summary(of: 1_234_567, csv: nil) == "skipped 3 of 1,234,567 images")
  }
}
