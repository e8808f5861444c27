import Foundation
import Testing
import ImageIO
import TensorCore
@testable import Augment

@Suite struct PreviewTests {
  @Test func writesVariantsThatAreTheLoadersEpochsAndAContactSheet() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-aug-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let inputs = [testImagesDirectory + "/photo.png", testImagesDirectory + "/photo.jpg"]
    let job = AugmentPreview(
      images: inputs, ops: "flip,crop,color,pca", count: 3, seed: 5, size: 9,
      outputDirectory: dir + "/out", previewPath: dir + "/grid.png")
    let written = try job.run()
    #expect(written.map { ($0 as NSString).lastPathComponent } == [
      "photo-aug1.png", "photo-aug2.png", "photo-aug3.png",
      "photo-1-aug1.png", "photo-1-aug2.png", "photo-1-aug3.png", "grid.png",
    ])
    // Variant k of image i is the pipeline under the loader's generator for epoch k.
    let pipeline = try AugmentSpec.parse("flip,crop,color,pca", size: 9)
    let jpeg = try Image.decode(file: inputs[1])
    var rng = SeededRNG.forImage(seed: 5, epoch: 2, index: 1)
    let expected = try pipeline.apply(jpeg, rng: &rng).toRGB8()
    #expect(try Image.decode(file: dir + "/out/photo-1-aug2.png") == expected)
    let sheet = try Image.decode(file: dir + "/grid.png")
    #expect(sheet.width == 4 * 160 + 5 * 4 && sheet.height == 2 * 160 + 3 * 4)
    // Same job again: same bytes.
    let first = try Data(contentsOf: URL(fileURLWithPath: dir + "/grid.png"))
    try job.run()
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/grid.png")) == first)
  }

  @Test func badInputsAreReportedByPathOrOption() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-aug-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let bad = testImagesDirectory + "/truncated.png"
    do {
      try AugmentPreview(images: [bad], ops: "flip", outputDirectory: dir).run()
      Issue.record("truncated PNG accepted")
    } catch let error as ImageError {
      #expect(error.path == bad)
    }
    #expect(throws: AugmentError.self) {
      try AugmentPreview(images: [bad], ops: "flip", count: 0, outputDirectory: dir).run()
    }
  }
}
