import Foundation
import ImageIO
import Testing

@testable import Reports

@Suite struct PNGTests {
  @Test func plotRoundTripsThroughPNGExactly() throws {
    let canvas = LinePlot(
      title: "Loss", xLabel: "epoch", yLabel: "loss",
      series: [LineSeries(name: "train", y: [1, 0.5, 0.3])]
    ).render(width: 320, height: 200)
    let png = try canvas.pngData()
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    let decoded = try Image.decode(bytes: [UInt8](png))
    #expect(decoded.width == 320 && decoded.height == 200 && decoded.channels == 3)
    #expect(decoded.pixels == .rgb8(canvas.pixels))
  }

  @Test func writeLeavesOnlyThePNG() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-reports-png-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("confusion.png")
    let matrix = try ConfusionMatrix(
      labels: [0, 1, 1], predictions: [0, 1, 0], classes: ["a", "b"])
    let canvas = ConfusionMatrixPlot(matrix: matrix).render(width: 300, height: 300)
    try canvas.write(to: url)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["confusion.png"])
    let decoded = try Image.decode(file: url.path)
    #expect(decoded.pixels == .rgb8(canvas.pixels))
  }

  @Test func emptyCanvasCannotBeWritten() {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("never.png")
    #expect(throws: ReportError.self) { try Canvas(width: 0, height: 5).write(to: url) }
  }
}
