import Foundation
import Testing
import ImageIO
import TensorCore
@testable import Augment

@Suite struct ColorTests {
  @Test func colorShiftMovesChannelMeansByTheDrawnOffsets() throws {
    let image = randomImage(width: 9, height: 7, seed: 11)
    let op = ColorShift()
    var rng = SeededRNG(seed: 12)
    for _ in 0..<20 {
      let draw = op.draw(&rng)
      #expect(draw.offsets.allSatisfy { abs($0) <= 20 })
      let out = try op.apply(image, draw: draw)
      for c in 0..<3 {
        let before = stride(from: c, to: 189, by: 3).map { image.floats[$0] }.reduce(0, +)
        let after = stride(from: c, to: 189, by: 3).map { out.floats[$0] }.reduce(0, +)
        #expect(abs((after - before) / 63 - draw.offsets[c]) < 1e-3)
      }
    }
    // Offsets are spread over the whole ±20 range.
    let offsets = (0..<1000).flatMap { _ in op.draw(&rng).offsets }
    #expect(offsets.min()! < -19 && offsets.max()! > 19)
  }

  @Test func saturationZeroGivesGreyAndBrightnessScales() throws {
    let image = randomImage(width: 4, height: 4, seed: 13)
    let op = ColorShift(maxOffset: 0)
    let grey = try op.apply(image, draw: .init(offsets: [0, 0, 0], brightness: 1, contrast: 1,
                                               saturation: 0))
    for p in 0..<16 {
      #expect(abs(grey.floats[3 * p] - grey.floats[3 * p + 1]) < 1e-3)
    }
    let darker = try op.apply(image, draw: .init(offsets: [0, 0, 0], brightness: 0.5,
                                                 contrast: 1, saturation: 1))
    #expect(zip(darker.floats, image.floats).allSatisfy { abs($0 - $1 * 0.5) < 1e-4 })
  }

  @Test func jacobiDecomposesSymmetricMatrices() throws {
    var rng = SeededRNG(seed: 21)
    for _ in 0..<50 {
      var m = [Double](repeating: 0, count: 9)
      for i in 0..<3 {
        for j in i..<3 {
          let v = Double(rng.uniform(-2, 2))
          m[3 * i + j] = v
          m[3 * j + i] = v
        }
      }
      let eigen = SymmetricEigen3(m)
      #expect(eigen.values[0] >= eigen.values[1] && eigen.values[1] >= eigen.values[2])
      for j in 0..<3 {
        let v = eigen.vectors[j]
        for i in 0..<3 {
          let av = (0..<3).map { m[3 * i + $0] * v[$0] }.reduce(0, +)
          #expect(abs(av - eigen.values[j] * v[i]) < 1e-10)
        }
        for k in 0..<3 {
          let dot = (0..<3).map { v[$0] * eigen.vectors[k][$0] }.reduce(0, +)
          #expect(abs(dot - (j == k ? 1 : 0)) < 1e-10)
        }
      }
    }
    let known = SymmetricEigen3([2, 1, 0, 1, 2, 0, 0, 0, 5])
    #expect(zip(known.values, [5.0, 3.0, 1.0]).allSatisfy { abs($0 - $1) < 1e-12 })
  }

  @Test func colourStatisticsFindTheDominantColourAxisAndCache() throws {
    // Pixels along m + t·u: the top eigenvector is ±u and the others carry no variance.
    let u = [0.48, 0.6, 0.64]
    var rng = SeededRNG(seed: 22)
    var values = [Float]()
    for _ in 0..<400 {
      let t = Double(rng.uniform(-80, 80))
      values += (0..<3).map { Float(128 + t * u[$0]) }
    }
    let image = try Image(width: 20, height: 20, channels: 3, pixels: .float(values))
    var acc = ColorStatistics.Accumulator()
    acc.add(image)
    let stats = acc.finish()
    let top = stats.eigenvectors[0]
    #expect(abs(abs(zip(top, u).map { $0 * $1 }.reduce(0, +)) - 1) < 1e-6)
    #expect(stats.eigenvalues[1] < 1e-8 * stats.eigenvalues[0] + 1e-12)
    #expect(stats.pixelCount == 400)
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-stats-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try stats.write(to: path)
    #expect(try ColorStatistics.read(from: path) == stats)
    #expect(ColorStatistics.Accumulator().finish() == .imagenet)
  }

  /// Each draw adds Σ αⱼλⱼpⱼ·255 with αⱼ ~ N(0, 0.1²). Projected onto pⱼ and divided by
  /// 255·λⱼ, the offsets must have mean 0 and standard deviation 0.1. With n = 4000 draws
  /// the sample sd has relative sd 1/√(2n) ≈ 1.1%: bound 5% (4.5σ); the mean has sd
  /// 0.1/√n ≈ 0.0016: bound 0.008 (5σ); cross-correlations |r| < 0.08 (5/√n).
  @Test func pcaJitterMovesColoursAlongEigenvectorsWithTheStatedVariance() throws {
    let stats = ColorStatistics(
      mean: [0.5, 0.5, 0.5],
      covariance: [0.04, 0.02, 0.01, 0.02, 0.03, 0.005, 0.01, 0.005, 0.02],
      pixelCount: 1)
    let op = PCAJitter(statistics: stats)
    let grey = Image(width: 2, height: 2, filledWith: 128)
    var rng = SeededRNG(seed: 31)
    let n = 4000
    var coefficients = [[Double]](repeating: [], count: 3)
    for _ in 0..<n {
      let out = try op.apply(grey, rng: &rng)
      let d = (0..<3).map { Double(out.floats[$0]) - 128 }
      // Every pixel moves by the same offset.
      #expect(out.floats[9..<12].map { Double($0) - 128 } == d)
      for j in 0..<3 {
        let projection = zip(d, stats.eigenvectors[j]).map { $0 * $1 }.reduce(0, +)
        coefficients[j].append(projection / (255 * stats.eigenvalues[j]))
      }
    }
    func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
    func sd(_ x: [Double]) -> Double {
      let m = mean(x)
      return (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
    }
    for j in 0..<3 {
      #expect(abs(mean(coefficients[j])) < 0.008)
      #expect(abs(sd(coefficients[j]) / 0.1 - 1) < 0.05, "sd \(sd(coefficients[j]))")
    }
    let r01 = mean(zip(coefficients[0], coefficients[1]).map { $0 * $1 })
      / (sd(coefficients[0]) * sd(coefficients[1]))
    #expect(abs(r01) < 0.08)
  }

  @Test func imagenetDefaultsAreTheFbResnetTorchValues() {
    let stats = ColorStatistics.imagenet
    #expect(stats.eigenvalues == [0.2175, 0.0188, 0.0045])
    // Published eigenvectors are orthonormal to 4 decimals.
    for j in 0..<3 {
      for k in 0..<3 {
        let dot = zip(stats.eigenvectors[j], stats.eigenvectors[k]).map { $0 * $1 }
          .reduce(0, +)
        #expect(abs(dot - (j == k ? 1 : 0)) < 1e-3)
      }
    }
    // α = (1, 0, 0): the offset is 255·0.2175·p₀ — mostly darker/brighter, all channels.
    let offset = PCAJitter().offset(alphas: [1, 0, 0])
    #expect(abs(offset[0] - Float(255 * 0.2175 * -0.5675)) < 1e-3)
  }
}

@Suite struct ColorStatisticsFileTests {
  @Test func computedFromFilesIsCachedAndRecomputedWhenFilesChange() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-cstats-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let a = dir + "/a.png", b = dir + "/b.png", cache = dir + "/stats.json"
    try FileManager.default.copyItem(atPath: testImagesDirectory + "/photo.png", toPath: a)
    try FileManager.default.copyItem(atPath: testImagesDirectory + "/photo.jpg", toPath: b)
    let first = try ColorStatistics.computed(paths: [a, b], size: nil, cachePath: cache)
    // Direct computation over the same pixels.
    var acc = ColorStatistics.Accumulator()
    acc.add(try Image.decode(file: a))
    acc.add(try Image.decode(file: b))
    let direct = acc.finish()
    #expect(zip(first.covariance, direct.covariance).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(first.pixelCount == 2 * 16 * 12)
    // Cached: a planted marker in the cache file is returned as is.
    var marked = first
    marked.pixelCount = 12345
    try marked.write(to: cache)
    #expect(try ColorStatistics.computed(paths: [a, b], size: nil, cachePath: cache)
      .pixelCount == 12345)
    // Another file set (or size) recomputes.
    #expect(try ColorStatistics.computed(paths: [a], size: nil, cachePath: cache)
      .pixelCount == 16 * 12)
    #expect(throws: ImageError.self) {
      try ColorStatistics.computed(paths: [testImagesDirectory + "/truncated.png"])
    }
  }
}
