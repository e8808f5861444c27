import Foundation
import KerasIO
import Testing
import TensorCore
@testable import Models

/// Opt-in (`make parity`, or `FTUNE_PARITY_DIR=dir`): real-size (224x224) zoo networks
/// loaded through KerasIO from the three files `zoo_fixtures.py --full` writes, against
/// Keras's own outputs. Prints a Markdown table of errors for docs/parity.md.
@Suite struct FullParityTests {
  static let directory = ProcessInfo.processInfo.environment["FTUNE_PARITY_DIR"]

  /// Same tolerance as the committed fixtures: max |ours - Keras| / max |Keras| per cut.
  static let relativeTolerance = ZooParityTests.relativeTolerance

  @Test(.enabled(if: directory != nil))
  func realSizeNetworksThroughEveryLayout() throws {
    let dir = URL(fileURLWithPath: try #require(Self.directory))
    let ids = try FileManager.default.contentsOfDirectory(atPath: dir.path)
      .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    #expect(!ids.isEmpty, "no <network>.json in \(dir.path): run `make parity`")
    var table = ["| network | layout | cut | max err / max |ref| |", "|---|---|---|---|"]
    for id in ids {
      let fx = try ZooFixture.load(url: dir.appendingPathComponent("\(id).json"))
      let file = { (suffix: String) in dir.appendingPathComponent(id + suffix).path }
      let layouts: [(String, () throws -> Graph)] = [
        ("pattern, no file", {
          let g = try fx.build()
          WeightPattern.apply(to: g, seed: fx.seed)
          return g
        }),
        ("Keras 2 weights .h5", {
          let g = try fx.build()
          try KerasWeights.load(into: g, from: file(".keras2.h5"))
          return g
        }),
        ("Keras 3 .weights.h5", {
          let g = try fx.build()
          try KerasWeights.load(into: g, from: file(".weights.h5"))
          return g
        }),
        ("Keras 2 full model .h5", { try KerasModel.load(path: file(".full.h5")) }),
      ]
      for (layout, make) in layouts {
        let g = try make()
        let x = WeightPattern.input(shape: [fx.batch] + g.inputShape, seed: fx.seed)
        for cut in fx.cuts {
          let i = try #require(g.index(of: cut.layer), "\(id) \(layout): no \(cut.layer)")
          let y = try g.forward(x, mode: .inference, through: i)
          let err = try ZooParityTests.compare(y, cut)
          #expect(err.relative < Self.relativeTolerance, "\(id) \(layout) @ \(cut.layer)")
          table.append(
            "| \(id) | \(layout) | \(cut.layer) | "
              + String(format: "%.1e", err.relative) + " |")
        }
      }
    }
    print(table.joined(separator: "\n"))
  }
}
