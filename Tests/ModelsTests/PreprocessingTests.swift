import Foundation
import Models
import TensorCore
import Testing

/// The values Keras's preprocess_input computed (data/test-images/expected.json, written by
/// tools/fixtures/images_fixtures.py).
private enum Fixtures {
  static func section(_ name: String) throws -> [String: Any] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("data/test-images/expected.json")
    let all = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    return try #require(all?[name] as? [String: Any], "no section \(name) in \(url.path)")
  }

  static func numbers(_ value: Any?) throws -> [Double] {
    try #require(value as? [NSNumber], "not a list of numbers").map(\.doubleValue)
  }
}

@Suite struct PreprocessingTests {
  /// Keras's preprocess_input in float32; ours does the same operations in the same order, so
  /// a tolerance of 1e-5 (absolute, values are O(100) for caffe) covers rounding only.
  @Test(arguments: [Preprocessing.caffe, .tf, .torch])
  func matchesKerasPreprocessInput(mode: Preprocessing) throws {
    let section = try Fixtures.section("preprocess")
    let shape = try Fixtures.numbers(section["shape"]).map { Int($0) }
    let input = try Fixtures.numbers(section["input"]).map { Float($0) }
    let expected = try Fixtures.numbers(section[mode.rawValue])
    let out = try mode.applied(to: try Tensor(shape: shape, scalars: input))
    let worst = zip(out.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 99
    #expect(worst < 1e-4, "max difference \(worst)")
    #expect(out.scalars != input)
  }

  @Test func caffeNeedsThreeChannelsAndNoneIsIdentity() throws {
    let gray = Tensor(zeros: [1, 2, 2, 1], value: 9)
    #expect(throws: TensorError.self) { try Preprocessing.caffe.applied(to: gray) }
    #expect(try Preprocessing.none.applied(to: gray) == gray)
  }
}
