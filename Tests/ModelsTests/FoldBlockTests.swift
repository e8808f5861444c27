import Layers
import TensorCore
import Testing
@testable import Models

/// Fused inverted-residual blocks (Graph+FoldBlock.swift) and the direct small-Cin stem
/// (MobileNetV2 Conv1 after its ZeroPadding2D) against running every layer on its own, on
/// MobileNetV2 at 45×45 (odd sizes all the way down) with random weights and non-trivial
/// BatchNorm statistics. Tolerance as FoldTests: |fused − layer by layer| ≤
/// 1e-4·(1 + |reference|) (folding reassociates (x·w)·s into x·(w·s)).
@Suite struct FoldBlockTests {
  static func mobileNet(seed: UInt64 = 11) throws -> Graph {
    let g = try ModelZoo.build("mobilenet_v2", ZooOptions(includeTop: false, size: 45))
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
    return Tensor(shape: [n, 45, 45, 3]) { _ in rng.uniform(-1, 1) }
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

  @Test(arguments: [1, 3])
  func inferenceMatchesLayerByLayer(batch: Int) throws {
    let g = try Self.mobileNet()
    let x = Self.input(batch)
    let fused = try g.forward(x, mode: .inference)
    let reference = try FoldTests.layerByLayer(g, x, mode: .inference, firstRecording: .max)
    #expect(FoldTests.close(fused, reference))
    // Cuts inside a block (after its depthwise ReLU6, after its projection BN) and right
    // after a block's Add run the groups unfused up to the cut.
    for name in [
      "expanded_conv_depthwise_relu", "block_3_depthwise_relu", "block_2_project_BN",
      "block_2_add",
    ] {
      let end = try #require(g.nodes.firstIndex { $0.layer.name == name })
      let a = try g.forward(x, mode: .inference, through: end)
      let b = try FoldTests.layerByLayer(
        g, x, mode: .inference, firstRecording: .max, through: end)
      #expect(FoldTests.close(a, b), "through \(name)")
    }
  }

  /// A frozen prefix ending inside block_5: blocks 1-4 fuse in a training step, block_5
  /// onwards records and back-propagates as before. The frozen part's output must match
  /// layer by layer to 1e-4; after it, BatchNorm normalises with batch statistics over as
  /// few as 8 values per channel (2 images at 2×2), which amplifies the folds' rounding
  /// (~2e-3 relative with or without block fusion, exactly 0 with `FTUNE_FOLD=0`), so the
  /// output and the gradients are compared by L2 error ≤ 2e-2 of the reference's norm.
  @Test func frozenPrefixInTraining() throws {
    let g = try Self.mobileNet()
    let h = try Self.mobileNet()
    let cut = try g.freeze(.layer("block_5_depthwise_relu"))
    _ = try h.freeze(.layer("block_5_depthwise_relu"))
    let x = Self.input(2)
    let first = try #require(g.firstTrainableIndex)
    let frozen = try g.forward(x, mode: .training, through: cut)
    #expect(
      FoldTests.close(
        frozen,
        try FoldTests.layerByLayer(h, x, mode: .training, firstRecording: first, through: cut)))
    func norm(_ a: Tensor) -> Double {
      a.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }
    func distance(_ a: Tensor, _ b: Tensor) -> Double {
      guard a.shape == b.shape else { return .infinity }
      let d = zip(a.scalars, b.scalars).map { Double($0 - $1) }
      return d.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
    }
    let y = try g.forward(x, mode: .training)
    let r = try FoldTests.layerByLayer(h, x, mode: .training, firstRecording: first)
    #expect(distance(y, r) <= 2e-2 * norm(r))
    let dy = Tensor(shape: y.shape) { Float($0 % 5) / 5 - 0.4 }
    try g.backward(dy)
    try h.backward(dy)
    // The beta of a BatchNorm followed by a linear convolution and a batch-statistics
    // BatchNorm has a zero true gradient (the shift is normalised away): both sides are
    // rounding noise there, hence the absolute term, 1e-4 of the largest gradient.
    let largest = h.parameters.compactMap { $0.grad.map(norm) }.max() ?? 0
    for (p, q) in zip(g.parameters, h.parameters) {
      #expect((p.grad == nil) == (q.grad == nil), "\(p.name)")
      if let a = p.grad, let b = q.grad {
        #expect(distance(a, b) <= 2e-2 * norm(b) + 1e-4 * largest, "\(p.name)")
      }
    }
  }
}
