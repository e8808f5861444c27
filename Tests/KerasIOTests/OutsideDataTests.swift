import Foundation
import HDF5
import Models
import Testing

@testable import KerasIO

/// Weights files whose data lives outside them (tools/fixtures/hostile_hdf5.py): by default
/// each is refused with an error naming the file and the object, and the model is left as it
/// was; trusted, the outside data loads and equals the original file's weights.
@Suite struct OutsideDataTests {
  func path(_ name: String) -> String { Fixtures.path("hostile/\(name)") }

  static let refused: [(file: String, object: String, what: String)] = [
    ("external-storage.h5", "/head/head/kernel:0", "external file 'external-storage.bin'"),
    ("external-link.h5", "/head", "external link"),
    ("virtual.h5", "/head/head/kernel:0", "virtual dataset whose values come from 'outside.h5'"),
    ("user-filter.h5", "/head/head/kernel:0", "filter 32000 ('lzf')"),
  ]

  @Test(arguments: refused) func outsideDataIsRefusedByDefault(
    _ hostile: (file: String, object: String, what: String)
  ) throws {
    let file = path(hostile.file)
    let graph = try Fixtures.functionalGraph()
    let before = Fixtures.values(graph)
    #expect {
      try KerasWeights.load(into: graph, from: file)
    } throws: { error in
      guard case .outsideData(file, hostile.object, let what)? = error as? HDF5Error else {
        return false
      }
      return what.contains(hostile.what) && "\(error)".contains("--allow-external-hdf5")
    }
    #expect(Fixtures.values(graph) == before)
  }

  /// The outside files hold the original values, so trusting them loads the same weights.
  /// (user-filter.h5's LZF filter is optional, and h5py stored the tiny chunk unfiltered.)
  @Test(arguments: ["external-storage.h5", "external-link.h5", "virtual.h5", "user-filter.h5"])
  func trustedOutsideDataLoads(_ name: String) throws {
    let expected = try Fixtures.functionalGraph()
    try KerasWeights.load(into: expected, from: Fixtures.path("k2_functional_weights.h5"))
    let graph = try Fixtures.functionalGraph()
    try KerasWeights.load(into: graph, from: path(name), trust: .allowingOutsideData)
    #expect(Fixtures.values(graph) == Fixtures.values(expected))
  }

  /// Soft links in a circle are refused even when trusted.
  @Test(arguments: [HDF5Trust.fileOnly, .allowingOutsideData])
  func softLinkCycleIsNamed(_ trust: HDF5Trust) throws {
    let file = path("soft-link-cycle.h5")
    #expect(throws: HDF5Error.unresolvableLink(file: file, object: "/head")) {
      try KerasWeights.load(into: try Fixtures.functionalGraph(), from: file, trust: trust)
    }
  }

  /// A Keras 3 group hard-linked under itself: the depth-first walk stops at once.
  @Test func hardLinkCycleIsNamed() throws {
    let file = path("hard-link-cycle.weights.h5")
    #expect(throws: HDF5Error.linkedTwice(file: file, object: "/layers/loop")) {
      try KerasWeights.load(into: try Fixtures.functionalGraph(), from: file)
    }
  }
}
