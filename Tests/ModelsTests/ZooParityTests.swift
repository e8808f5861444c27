import Foundation
import Layers
import Testing
import TensorCore
@testable import Models

/// Numbers against real Keras: the weight pattern bit for bit, and every zoo network's
/// outputs at its cut layers (fixtures of `tools/fixtures/zoo_fixtures.py`).
@Suite struct ZooParityTests {
  struct PatternFixture: Decodable {
    struct Case: Decodable {
      let name: String
      let shape: [Int]
      let k: Int
      let seed: UInt64
      let indices: [Int]
      let values: [Double]
    }
    let cases: [Case]
  }

  /// Tolerance: max |ours - Keras| / max |Keras| at every cut (Float32 through up to 53
  /// convolutions, different summation orders).
  static let relativeTolerance = 1e-4

  @Test func weightPatternIsBitIdenticalToNumPy() throws {
    let url = ZooFixture.directory.appendingPathComponent("zoo_pattern.json")
    let fx = try JSONDecoder().decode(PatternFixture.self, from: Data(contentsOf: url))
    #expect(fx.cases.count == 20)
    for c in fx.cases {
      let t = c.name == "input"
        ? WeightPattern.input(shape: c.shape, seed: c.seed)
        : WeightPattern.tensor(name: c.name, shape: c.shape, seed: c.seed, index: c.k)
      #expect(t.shape == c.shape)
      let ours = c.indices.map { t.scalars[$0] }
      #expect(ours == c.values.map { Float($0) }, "\(c.name) k=\(c.k) seed=\(c.seed)")
    }
  }

  /// The fixtures that hold outputs (the 224-pixel ones hold the architecture only). One
  /// that cannot be read is kept, so that its test fails.
  static let parityIDs = ZooFixture.allIDs.filter {
    (try? ZooFixture.load($0))?.cuts.isEmpty != true
  }

  @Test func everyBaseHasOutputsToCompare() {
    for base in ["vgg16_", "vgg19_", "resnet50_", "mobilenet_v2_0", "mobilenet_v2_1", "torch"] {
      #expect(Self.parityIDs.contains { $0.contains(base) }, "\(base)")
    }
  }

  /// A forward that throws fails the test: that is a failure this test exists to catch.
  @Test(arguments: parityIDs)
  func outputsMatchKeras(id: String) throws {
    let fx = try ZooFixture.load(id)
    try #require(!fx.cuts.isEmpty, "\(id): the fixture holds no cut to compare")
    let g = try fx.build()
    WeightPattern.apply(to: g, seed: fx.seed)
    let x = WeightPattern.input(shape: [fx.batch] + g.inputShape, seed: fx.seed)
    let outputs = try forwardAll(g, x)
    for cut in fx.cuts {
      let i = try #require(g.index(of: cut.layer))
      let err = try Self.compare(outputs[i], cut)
      print("parity \(id) @ \(cut.layer): max err / max |ref| = \(err.relative),"
        + " sum err / sum |ref| = \(err.checksum)")
      #expect(err.relative < Self.relativeTolerance, "\(id) @ \(cut.layer): \(err)")
      #expect(err.checksum < Self.relativeTolerance, "\(id) @ \(cut.layer) sum: \(err)")
    }
  }

  /// Max error relative to max |reference| over the stored values, and the error of the
  /// sum relative to the sum of |reference| over the whole tensor.
  static func compare(
    _ y: Tensor, _ cut: ZooFixture.Cut
  ) throws -> (relative: Double, checksum: Double) {
    try #require(y.shape == cut.shape, "\(cut.layer): shape \(y.shape) vs \(cut.shape)")
    let indices = cut.subsample == 0
      ? Array(0..<cut.count) : (0..<cut.subsample).map { $0 * cut.count / cut.subsample }
    var maxErr = 0.0
    var maxRef = 0.0
    for (j, i) in indices.enumerated() {
      maxErr = max(maxErr, abs(Double(y.scalars[i]) - cut.values[j]))
      maxRef = max(maxRef, abs(cut.values[j]))
    }
    let sum = y.scalars.reduce(0.0) { $0 + Double($1) }
    return (maxErr / max(maxRef, 1e-30), abs(sum - cut.sum) / max(cut.abs_sum, 1e-30))
  }

  @Test func compareCanFail() throws {
    // The comparison itself: a perturbed tensor must exceed the tolerance.
    let cut = ZooFixture.Cut(
      layer: "t", shape: [1, 4], count: 4, sum: 1, abs_sum: 7, max_abs: 4, subsample: 0,
      values: [1, -2, 4, -2])
    let good = try Tensor(shape: [1, 4], scalars: [1, -2, 4, -2])
    #expect(try Self.compare(good, cut).relative == 0)
    let bad = try Tensor(shape: [1, 4], scalars: [1, -2, 4.01, -2])
    #expect(try Self.compare(bad, cut).relative > Self.relativeTolerance)
  }
}
