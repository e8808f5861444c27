import Layers
import TensorCore
import Testing
@testable import Models

/// Fused inverted-residual blocks (Plan/Rules/Block.swift) and the direct small-Cin stem
/// (MobileNetV2 Conv1 after its ZeroPadding2D) against running every layer on its own, on
/// MobileNetV2 at 161×161 (odd sizes all the way down; expanded_conv and blocks 1-3 are
/// large enough to run fused, the rest fall back to their folded groups) with random weights
/// and non-trivial BatchNorm statistics. Tolerance as FoldTests: |fused − layer by layer| ≤
/// 1e-4·(1 + |reference|) (folding reassociates (x·w)·s into x·(w·s)).
@Suite struct FoldBlockTests {
  static func mobileNet(seed: UInt64 = 11) throws -> Graph {
    let g = try ModelZoo.build("mobilenet_v2", ZooOptions(includeTop: false, size: 161))
    var rng = SeededRNG(seed: seed)
    for node in g.nodes {
      for p in node.layer.weights {
        let (lo, hi): (Float, Float) =
          p.name == "moving_variance" ? (0.5, 1.5) : (p.name == "gamma" ? (0.5, 1.2) : (-0.3, 0.3))
        p.value = Tensor(shape: p.value.shape) { _ in rng.uniform(lo, hi) }
      }
    }
    return g
  }

  static func input(_ n: Int) -> Tensor {
    var rng = SeededRNG(seed: 5)
    return Tensor(shape: [n, 161, 161, 3]) { _ in rng.uniform(-1, 1) }
  }

  @Test func findsMobileNetV2Blocks() throws {
    let g = try Self.mobileNet()
    let blocks = g.foldBlocks(g.foldGroups())
    // expanded_conv (depthwise → project, no expand), then block_1 ... block_16; ten of
    // them end in an Add, four start their depthwise with a folded ZeroPadding2D.
    #expect(blocks.count == 17)
    #expect(blocks.filter { $0.expand == nil }.count == 1)
    #expect(blocks.filter { $0.add != nil }.count == 10)
    #expect(blocks.filter { $0.depthwise.pad != nil }.count == 4)
    let names = blocks.map { g.nodes[$0.head].layer.name }
    #expect(names.first == "expanded_conv_depthwise" && names[1] == "block_1_expand")
    #expect(names.last == "block_16_expand")
  }

  /// Every fused block's output, and cuts inside blocks (after a depthwise ReLU6, after a
  /// projection BN before its Add), which run the groups unfused up to the cut. (The full
  /// network's output is not compared here: past block_3 the random weights amplify the
  /// BN folds' rounding beyond 1e-4 with or without block fusion; FoldTests covers that.)
  @Test(arguments: [1, 3])
  func inferenceMatchesLayerByLayer(batch: Int) throws {
    let g = try Self.mobileNet()
    let x = Self.input(batch)
    for name in [
      "expanded_conv_project_BN", "block_1_project_BN", "block_2_add", "block_3_project_BN",
      "expanded_conv_depthwise_relu", "block_3_depthwise_relu", "block_2_project_BN",
    ] {
      let end = try #require(g.nodes.firstIndex { $0.layer.name == name })
      let a = try g.forward(x, mode: .inference, through: end)
      let b = try FoldTests.layerByLayer(
        g, x, mode: .inference, firstRecording: .max, through: end)
      #expect(FoldTests.close(a, b), "through \(name)")
    }
  }

  /// A frozen prefix ending inside block_6 (no Add skips it): expanded_conv and blocks 1-3
  /// fuse in a training step. The frozen part's output must match layer by layer to 1e-4,
  /// and the trainable part, fed that output, must record and back-propagate exactly as when
  /// it is fed directly (same gradients bit for bit).
  @Test func frozenPrefixInTraining() throws {
    let g = try Self.mobileNet()
    let h = try Self.mobileNet()
    let cut = try g.freeze(.layer("block_6_depthwise_relu"))
    _ = try h.freeze(.layer("block_6_depthwise_relu"))
    let x = Self.input(2)
    let first = try #require(g.firstTrainableIndex)
    let frozen = try g.forward(x, mode: .training, through: cut)
    #expect(
      FoldTests.close(
        frozen,
        try FoldTests.layerByLayer(h, x, mode: .training, firstRecording: first, through: cut)))
    let y = try g.forward(x, mode: .training)
    let r = try h.forward(seeds: [cut: frozen], mode: .training)
    #expect(y == r)
    let dy = Tensor(shape: y.shape) { Float($0 % 5) / 5 - 0.4 }
    try g.backward(dy)
    try h.backward(dy)
    for (p, q) in zip(g.parameters, h.parameters) {
      #expect(p.grad == q.grad, "\(p.name)")
    }
  }
}
