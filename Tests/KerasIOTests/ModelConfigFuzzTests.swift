import Foundation
import Layers
import Models
import Testing

@testable import KerasIO

/// Inputs found by the model_config fuzzer (tools/fuzz/run.sh) and their neighbours: each
/// crashed or could exhaust memory before the importer checked its sizes; each must now be
/// a `KerasIOError.badConfig` naming the file, the layer and the option.
@Suite struct ModelConfigFuzzTests {
  func importing(_ json: String, maxWeights: Int = 1 << 30) throws -> Graph {
    try KerasModel.graph(fromConfig: Data(json.utf8), file: "m.h5", maxWeights: maxWeights)
  }

  /// One Sequential: an input of `shape` and then `layer` (a JSON object).
  func sequential(_ layer: String, shape: String = "[null, 8, 8, 3]") -> String {
    """
    {"class_name": "Sequential", "config": {"name": "s", "layers": [
      {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": \(shape)}},
      \(layer)]}}
    """
  }

  /// Expects `badConfig` for `file` whose reason contains every one of `parts`.
  func expectBadConfig(_ parts: [String], file: String = "m.h5", _ body: () throws -> Graph) {
    #expect {
      _ = try body()
    } throws: { error in
      guard case KerasIOError.badConfig(let f, let reason) = error else { return false }
      return f == file && parts.allSatisfy { reason.contains($0) }
    }
  }

  @Test func fuzzerFoundZeroStrideIsAnErrorNotADivisionByZero() throws {
    // tools/fuzz found this: tf_keras's k2_sequential config with Conv2D strides [0, 1]
    // (and the layer's "name" key mangled, so the layer is '?').
    let url = Fixtures.directory.appendingPathComponent("fuzz/config-zero-stride.json")
    let data = try Data(contentsOf: url)
    expectBadConfig(["'strides'", "from 1 to 16777216, found [0, 1]"], file: url.path) {
      try KerasModel.graph(fromConfig: data, file: url.path)
    }
  }

  @Test func fuzzerFoundHugeNumberInAnOptionIsNamedNotATrap() throws {
    // tools/fuzz found this: Conv2D "groups": 1e110, which the message printer converted
    // with Int(_:) (a trap beyond Int.max). Grouped convolutions are read now: the number
    // is refused as out of range, by layer and option.
    let url = Fixtures.directory.appendingPathComponent("fuzz/config-huge-groups.json")
    let data = try Data(contentsOf: url)
    expectBadConfig(["layer 'c1'", "'groups'", "an integer"], file: url.path) {
      try KerasModel.graph(fromConfig: data, file: url.path)
    }
  }

  @Test func sizeOptionsOutOfRangeNameTheOption() {
    let cases: [(String, String)] = [
      (#""filters": 0, "kernel_size": 3"#, "'filters'"),
      (#""filters": -4, "kernel_size": 3"#, "'filters'"),
      (#""filters": 2, "kernel_size": [3, -1]"#, "'kernel_size'"),
      (#""filters": 2, "kernel_size": 3, "strides": 0"#, "'strides'"),
      (#""filters": 2, "kernel_size": 3, "strides": [1, 0]"#, "'strides'"),
      (#""filters": 1e300, "kernel_size": 3"#, "'filters'"),  // Int(1e300) would trap
      (#""filters": 2, "kernel_size": 3, "depth_multiplier": 0"#, "'depth_multiplier'"),
    ]
    for (options, option) in cases {
      let layer = #"{"class_name": "SeparableConv2D", "config": {"name": "conv", "#
        + options + "}}"
      expectBadConfig(["layer 'conv'", option]) { try importing(sequential(layer)) }
    }
    expectBadConfig(["layer 'pool'", "'pool_size'"]) {
      try importing(sequential(
        #"{"class_name": "MaxPooling2D", "config": {"name": "pool", "pool_size": [0, 2]}}"#))
    }
    expectBadConfig(["layer 'pad'", "'padding'"]) {
      try importing(sequential(
        #"{"class_name": "ZeroPadding2D", "config": {"name": "pad", "#
          + #""padding": [[0, -3], [1, 1]]}}"#))
    }
    expectBadConfig(["layer 'drop'", "'rate'"]) {
      try importing(sequential(
        #"{"class_name": "Dropout", "config": {"name": "drop", "rate": 1.0}}"#))
    }
  }

  @Test func inputShapesMustBePositiveAndBounded() {
    let dense = #"{"class_name": "Dense", "config": {"name": "d", "units": 2}}"#
    expectBadConfig(["input 'in'", "[8, -1, 3]"]) {
      try importing(sequential(dense, shape: "[null, 8, -1, 3]"))
    }
    // Each size is allowed, but one sample would hold 2^72 values: Flatten's product of
    // the sizes would overflow.
    expectBadConfig(["layer 'in'", "values per sample"]) {
      try importing(sequential(dense, shape: "[null, 16777216, 16777216, 16777216]"))
    }
  }

  @Test func paddingThatGrowsOutputsPastTheLimitIsRefused() {
    let json = """
      {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer",
         "config": {"name": "in", "batch_input_shape": [null, 1, 1, 4096]}},
        {"class_name": "ZeroPadding2D", "config": {"name": "pad", "padding": 16777216}},
        {"class_name": "Flatten", "config": {"name": "flat"}}]}}
      """
    expectBadConfig(["layer 'pad'", "values per sample"]) { try importing(json) }
  }

  @Test func weightLimitIsCheckedBeforeAllocating() throws {
    // 4 x 16,777,216 Dense weights (256 MiB) would be allocated without the limit.
    let dense = #"{"class_name": "Dense", "config": {"name": "huge", "units": 16777216}}"#
    expectBadConfig(["layer 'huge'", "more than 1000000 weights"]) {
      try importing(sequential(dense, shape: "[null, 3]"), maxWeights: 1_000_000)
    }
    // The same model within the limit builds, and the count is exact at the boundary.
    let small = #"{"class_name": "Dense", "config": {"name": "d", "units": 5}}"#
    let g = try importing(sequential(small, shape: "[null, 3]"), maxWeights: 20)
    #expect(g.parameters.map(\.value.count).reduce(0, +) == 20)
    expectBadConfig(["layer 'd'", "more than 19 weights"]) {
      try importing(sequential(small, shape: "[null, 3]"), maxWeights: 19)
    }
  }
}
