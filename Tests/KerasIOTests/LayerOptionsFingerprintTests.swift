import Layers
import TensorCore
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

  /// preprocess_input's `x / 127.5` and a `x / 255` differ only in the call's operand.
  @Test func aConstantOperandTellsOperationsApart() {
    let half = Arithmetic("d", .divide, constant: Tensor(shape: []) { _ in 127.5 })
    let unit = Arithmetic("d", .divide, constant: Tensor(shape: []) { _ in 255 })
    #expect(kerasOptionsFingerprint(half) != kerasOptionsFingerprint(unit))
  }

  @Test func theNameIsNotAnOption() {
    #expect(
      kerasOptionsFingerprint(Rescaling("a", scale: 2))
        == kerasOptionsFingerprint(Rescaling("b", scale: 2)))
  }
}
