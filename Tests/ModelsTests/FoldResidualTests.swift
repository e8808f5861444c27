import Layers
import TensorCore
import Testing
@testable import Models

/// Conv → BN → Add (→ ReLU) and ZeroPadding2D → MaxPooling2D folding
/// (Plan/Rules/Residual.swift, PaddedPool.swift) against running every layer on its own, as FTUNE_FOLD=0 does.
/// Tolerance |folded − layer by layer| ≤ 1e-4·(1 + |reference|), as FoldTests: folding
/// reassociates (x·w)·s into x·(w·s) and adds bias, shortcut and products in another order.
@Suite struct FoldResidualTests {
  /// input → pad → pool(3, 2) → two residual blocks as ResNet50 builds them (the first
  /// with a strided 1×1 conv shortcut, the second an identity block), with non-trivial BN
  /// statistics; the input has both signs, so the folded padding's zeros do win.
  static func network(seed: UInt64 = 5) throws -> Graph {
    let g = Graph(name: "residual", seed: seed)
    var x = try g.input("input", shape: [13, 11, 6])
    x = try g.add(ZeroPadding2D("pool1_pad", padding: ((1, 1), (1, 1))), x)
    x = try g.add(MaxPooling2D("pool1_pool", poolSize: (3, 3), strides: (2, 2)), x)
    x = try ResNet.block(g, x, filters: 4, stride: 2, convShortcut: true, name: "b1")
    x = try ResNet.block(g, x, filters: 4, convShortcut: false, name: "b2")
    var rng = SeededRNG(seed: seed + 100)
    for node in g.nodes {
      for p in node.layer.weights {
        let lo: Float = p.name == "moving_variance" ? 0.2 : -1
        p.value = Tensor(shape: p.value.shape) { _ in rng.uniform(lo, 1.5) }
      }
    }
    return g
  }

  static func input(_ n: Int = 2) -> Tensor {
    var rng = SeededRNG(seed: 78)
    return Tensor(shape: [n, 13, 11, 6]) { _ in rng.uniform(-2, 2) }
  }

  @Test func findsTheBlocksAndThePool() throws {
    let g = try Self.network()
    let folds = g.residualFolds(g.foldGroups())
    let name = { (i: Int?) in i.map { g.nodes[$0].layer.name } ?? "-" }
    // Both Adds take the `_3_` branch (the last input); each is followed by its ReLU.
    #expect(folds.map { name($0.group.head) } == ["b1_3_conv", "b2_3_conv"])
    #expect(folds.map { name($0.add) } == ["b1_add", "b2_add"])
    #expect(folds.map(\.branch) == [1, 1])
    #expect(folds.map { name($0.activation) } == ["b1_out", "b2_out"])
    #expect(folds.map(\.kind) == [.relu, .relu])
    #expect(g.paddedPools().map { name($0.pad) + ">" + name($0.pool) } == [
      "pool1_pad>pool1_pool"
    ])
    let r = try ModelZoo.build("resnet50", ZooOptions(includeTop: false, size: 32))
    #expect(r.residualFolds(r.foldGroups()).count == 16)
    #expect(r.paddedPools().count == 1)
  }

  @Test func inferenceMatchesLayerByLayer() throws {
    let g = try Self.network()
    let x = Self.input()
    let before = g.parameters.map(\.value)
    let folded = try g.forward(x, mode: .inference)
    let reference = try FoldTests.layerByLayer(g, x, mode: .inference, firstRecording: .max)
    #expect(FoldTests.close(folded, reference))
    #expect(g.parameters.map(\.value) == before)
    // Cuts inside a block: before the Add's ReLU (no clamp), at the branch BN (no residual
    // fold), at the padding (no pool fold).
    for end in ["b1_add", "b1_3_bn", "b2_add", "pool1_pad", "b1_0_bn"] {
      let i = try #require(g.index(of: end))
      let a = try g.forward(x, mode: .inference, through: i)
      let b = try FoldTests.layerByLayer(g, x, mode: .inference, firstRecording: .max, through: i)
      #expect(FoldTests.close(a, b), "through \(end)")
    }
  }

  /// Cached features at a cut between the branch's conv and the Add: the fold must not
  /// take a seeded node's place.
  @Test func seedsInsideABlock() throws {
    let g = try Self.network()
    let x = Self.input()
    let cut = try #require(g.index(of: "b2_2_relu"))
    let features = try g.forward(x, mode: .inference, through: cut)
    let shortcut = try g.forward(x, mode: .inference, through: cut - 6)
    #expect(g.nodes[cut - 6].layer.name == "b1_out")
    let y = try g.forward(seeds: [cut - 6: shortcut, cut: features], mode: .inference)
    let r = try FoldTests.layerByLayer(g, x, mode: .inference, firstRecording: .max)
    #expect(FoldTests.close(y, r))
  }

  /// A frozen first block folds; the second block records and back-propagates as before.
  @Test func frozenPrefixInTraining() throws {
    let g = try Self.network()
    let h = try Self.network()
    _ = try g.freeze(.layer("b1_out"))
    _ = try h.freeze(.layer("b1_out"))
    let x = Self.input()
    let first = try #require(g.firstTrainableIndex)
    let y = try g.forward(x, mode: .training)
    let r = try FoldTests.layerByLayer(h, x, mode: .training, firstRecording: first)
    #expect(FoldTests.close(y, r))
    let dy = Tensor(shape: y.shape) { Float($0 % 5) / 5 - 0.3 }
    try g.backward(dy)
    try h.backward(dy)
    for (p, q) in zip(g.parameters, h.parameters) {
      #expect((p.grad == nil) == (q.grad == nil), "\(p.name)")
      if let a = p.grad, let b = q.grad { #expect(FoldTests.close(a, b), "\(p.name)") }
    }
  }

  /// ResNet50 at 32×32 with random weights and BN statistics: every fold of the network
  /// (conv1's padding, pool1's padding, 16 residual blocks, strided 1×1s) at once.
  @Test func resnet50MatchesLayerByLayer() throws {
    let g = try ModelZoo.build("resnet50", ZooOptions(includeTop: false, size: 32))
    var rng = SeededRNG(seed: 9)
    for node in g.nodes where node.layer is BatchNormalization {
      for p in node.layer.weights {
        let (lo, hi): (Float, Float) = p.name == "moving_variance" ? (0.5, 1.5) : (-0.2, 0.2)
        p.value = Tensor(shape: p.value.shape) { _ in rng.uniform(lo, hi) }
      }
    }
    let x = Tensor(shape: [2, 32, 32, 3]) { _ in rng.uniform(-1, 1) }
    let folded = try g.forward(x, mode: .inference)
    let reference = try FoldTests.layerByLayer(g, x, mode: .inference, firstRecording: .max)
    #expect(FoldTests.close(folded, reference))
  }
}
