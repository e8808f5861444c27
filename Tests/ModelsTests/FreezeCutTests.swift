import Testing
import TensorCore
@testable import Models

/// The cut `freeze` returns is where cached features are fed back in: running from the
/// cut's activation must give what the whole network gives.
@Suite struct FreezeCutTests {
  @Test func resumingAtTheCutReproducesTheFullForward() throws {
    let g = try ModelZoo.build("resnet50", ZooOptions(pooling: .avg, size: 32))
    WeightPattern.apply(to: g)
    let x = WeightPattern.input(shape: [2] + g.inputShape)
    let full = try g.forward(x, mode: .inference)
    let cut = try g.freeze(.layer("conv3_block4_out"))
    let features = try g.forward(x, mode: .inference, through: cut)
    let resumed = try g.forward(seeds: [cut: features], mode: .inference)
    #expect(resumed.shape == full.shape)
    // Same kernels on the same values; 1e-6 relative leaves room only for a kernel whose
    // summation order depends on threading.
    let maxRef = full.scalars.map(abs).max() ?? 0
    let maxErr = zip(resumed.scalars, full.scalars).map { abs($0 - $1) }.max() ?? 0
    #expect(maxErr <= 1e-6 * maxRef)
    #expect(full.scalars.contains { $0 != 0 })
  }

  @Test func aCutInsideAResidualBlockCannotResume() throws {
    let g = try ModelZoo.build("resnet50", ZooOptions(size: 32))
    WeightPattern.apply(to: g)
    let x = WeightPattern.input(shape: [1] + g.inputShape)
    // conv2_block1_2_relu is skipped over by the shortcut from pool1_pool.
    let cut = try g.freeze(.layer("conv2_block1_2_relu"))
    let features = try g.forward(x, mode: .inference, through: cut)
    #expect(throws: GraphError.self) {
      try g.forward(seeds: [cut: features], mode: .inference)
    }
  }
}
