import Testing
import ImageIO
import TensorCore
@testable import Augment

@Suite struct GeometryTests {
  @Test func flipIsAnExactMirror() throws {
    let image = randomImage(width: 7, height: 5, seed: 1)
    var rng = SeededRNG(seed: 0)
    let flipped = try HorizontalFlip(probability: 1).apply(image, rng: &rng)
    for y in 0..<5 {
      for x in 0..<7 {
        for c in 0..<3 {
          #expect(flipped.sample(x: x, y: y, c: c) == image.sample(x: 6 - x, y: y, c: c))
        }
      }
    }
    let vflipped = try VerticalFlip(probability: 1).apply(image, rng: &rng)
    #expect(vflipped.sample(x: 2, y: 0, c: 1) == image.sample(x: 2, y: 4, c: 1))
    #expect(try HorizontalFlip(probability: 0).apply(image, rng: &rng) == image)
    #expect(flipped.flippedHorizontally() == image)
  }

  @Test func flipProbabilityIsHonoured() throws {
    let image = coordinateImage(width: 3, height: 1)
    var rng = SeededRNG(seed: 5)
    let op = HorizontalFlip(probability: 0.3)
    let flips = try (0..<4000).filter { _ in try op.apply(image, rng: &rng) != image }.count
    // Binomial(4000, 0.3): σ ≈ 29; bound 5σ.
    #expect(abs(flips - 1200) < 145, "\(flips) flips")
  }

  @Test func randomCropsHaveTheSizeAndLieInside() throws {
    let image = coordinateImage(width: 20, height: 15)
    var rng = SeededRNG(seed: 2)
    var origins = Set<Int>()
    for _ in 0..<500 {
      let crop = try RandomCrop(width: 6, height: 4).apply(image, rng: &rng)
      #expect(crop.width == 6 && crop.height == 4)
      let origin = Int(crop.sample(x: 0, y: 0, c: 0))
      let (x0, y0) = (origin % 1000, origin / 1000)
      #expect(x0 + 6 <= 20 && y0 + 4 <= 15)
      // The window is a contiguous block of the source.
      #expect(crop.sample(x: 5, y: 3, c: 0) == Float(x0 + 5 + 1000 * (y0 + 3)))
      origins.insert(origin)
    }
    // 15 x 12 = 180 possible origins, 500 draws: nearly all should appear.
    #expect(origins.count > 150)
  }

  @Test func randomResizedCropRegionsRespectScaleAndAspect() throws {
    let op = RandomResizedCrop(width: 8, height: 8)
    var rng = SeededRNG(seed: 3)
    for _ in 0..<1000 {
      let r = op.region(imageWidth: 120, imageHeight: 90, rng: &rng)
      #expect(r.x >= 0 && r.y >= 0 && r.x + r.width <= 120 && r.y + r.height <= 90)
      let area = Double(r.width * r.height) / Double(120 * 90)
      let aspect = Double(r.width) / Double(r.height)
      // Rounding w and h to integers moves area and aspect by a few percent at most.
      #expect(area >= 0.35 * 0.93 && area <= 1.0)
      #expect(aspect >= 0.75 * 0.95 && aspect <= (4.0 / 3.0) * 1.05)
    }
    let out = try op.apply(randomImage(width: 30, height: 20, seed: 4), rng: &rng)
    #expect(out.width == 8 && out.height == 8)
  }

  @Test func tenCropTakesCornersCentreAndMirrors() throws {
    let image = coordinateImage(width: 10, height: 8)
    let crops = try TestTimeCrops.tenCrop(image, width: 4, height: 3)
    #expect(crops.count == 10)
    let origins = crops.prefix(5).map { Int($0.sample(x: 0, y: 0, c: 0)) }
    #expect(origins == [0, 6, 5000, 5006, 3 + 2 * 1000])
    for i in 0..<5 { #expect(crops[i + 5] == crops[i].flippedHorizontally()) }
    let three = try TestTimeCrops.nCrop(image, width: 4, height: 4, count: 3, mirrored: true)
    #expect(three.count == 6)
    #expect(three.enumerated().filter { $0.offset % 2 == 0 }.map {
      Int($0.element.sample(x: 0, y: 0, c: 0))
    } == [2000, 2003, 2006])
  }

  @Test func rotationByZeroIsIdentityAndByNinetyDegreesIsExact() throws {
    let image = randomImage(width: 6, height: 6, seed: 9)
    let same = try RandomAffine.transform(image, angle: 0, shear: 0)
    #expect(zip(same.floats, image.floats).allSatisfy { abs($0 - $1) < 1e-4 })
    let turned = try RandomAffine.transform(image, angle: .pi / 2, shear: 0)
    let reference = image.oriented(exif: 6)
    #expect(zip(turned.floats, reference.floats).allSatisfy { abs($0 - $1) < 1e-3 })
  }
}

@Suite struct SmallImageCropTests {
  @Test func randomCropScalesUpImagesSmallerThanTheWindow() throws {
    var rng = SeededRNG(seed: 1)
    let out = try RandomCrop(width: 8, height: 8).apply(
      randomImage(width: 4, height: 6, seed: 2), rng: &rng)
    #expect(out.width == 8 && out.height == 8)
  }
}
