import Layers
import Testing

@testable import KerasIO

/// The feature cache's view of a layer's options (FeatureKey hashes it).
@Suite struct LayerOptionsFingerprintTests {
  @Test func optionsWithoutWeightsTellLayersApart() {
    let unit = kerasOptionsFingerprint(Rescaling("r", scale: 1 / 255))
    #expect(unit == kerasOptionsFingerprint(Rescaling("r", scale: 1 / 255)))
    // Same class, no weights, same shapes: only the options differ.
    #expect(unit != kerasOptionsFingerprint(Rescaling("r", scale: 1 / 127.5, offset: -1)))
    #expect(unit.contains("scale"))
  }

  @Test func theNameIsNotAnOption() {
    #expect(
      kerasOptionsFingerprint(Rescaling("a", scale: 2))
        == kerasOptionsFingerprint(Rescaling("b", scale: 2)))
  }
}
