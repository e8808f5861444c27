import ImageIO
import TensorCore
import Testing

@testable import Augment

@Suite struct DeterminismTests {
  @Test func sameSeedGivesIdenticalBytesAndOtherSeedsDiffer() throws {
    let photo = try Image.decode(file: testImagesDirectory + "/photo.png")
    let pipeline = try AugmentSpec.parse("flip,crop,color,pca,rotate", size: 10)
    func run(_ seed: UInt64) throws -> [UInt8] {
      var rng = SeededRNG(seed: seed)
      return try (0..<5).flatMap { _ in try pipeline.apply(photo, rng: &rng).pngData() }
    }
    #expect(try run(7) == run(7))
    #expect(try run(7) != run(8))
  }

  @Test func specParsingNamesUnknownOpsAndAlwaysYieldsTheSize() throws {
    #expect(throws: AugmentError.unknownOp("blur")) { try AugmentSpec.parse("flip,blur", size: 4) }
    #expect(AugmentError.unknownOp("blur").description.contains("flip, vflip, crop"))
    let photo = try Image.decode(file: testImagesDirectory + "/photo.png")
    var rng = SeededRNG(seed: 1)
    for spec in ["", "flip", "crop", "color,pca", "rotate,flip,crop"] {
      let out = try AugmentSpec.parse(spec, size: 5).apply(photo, rng: &rng)
      #expect(out.width == 5 && out.height == 5, "\(spec)")
    }
  }

  @Test func contactSheetPlacesOriginalAndVariantsInRows() throws {
    let a = Image(width: 4, height: 4, filledWith: 0)
    let b = Image(width: 6, height: 3, filledWith: 200)
    let sheet = try ContactSheet.make(rows: [[a, b, a], [b]], cell: 5, gap: 1)
    #expect(sheet.width == 3 * 5 + 4 && sheet.height == 2 * 5 + 3)
    #expect(sheet.sample(x: 1, y: 1, c: 0) == 0)  // first cell: black
    #expect(sheet.sample(x: 7, y: 1, c: 0) == 200)  // second cell
    #expect(sheet.sample(x: 0, y: 0, c: 0) == 255)  // gap
    #expect(sheet.sample(x: 8, y: 8, c: 0) == 255)  // empty cell of the short row
  }
}
