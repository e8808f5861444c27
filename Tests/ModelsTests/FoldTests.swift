import Layers
import TensorCore
import Testing
@testable import Models

/// Conv → BN → ReLU folding (Plan/Rules/Fold.swift) against running every layer on its own.
/// Tolerance |folded − layer by layer| ≤ 1e-4·(1 + |reference|): folding reassociates
/// (x·w)·s into x·(w·s) over ≤ 9·16 Float32 terms per output.
@Suite struct FoldTests {
  /// input → pad → depthwise/2 → BN → ReLU6 → 1×1 conv → BN → relu → 3×3 conv (bias) → BN
  /// → add(with the 1×1 branch) → BN → ReLU, with non-trivial BN statistics.
  static func network(seed: UInt64 = 3) throws -> Graph {
    let g = Graph(name: "fold", seed: seed)
    let x = try g.input("input", shape: [11, 13, 5])
    var y = try g.add(ZeroPadding2D("pad", padding: ((0, 1), (1, 1))), x)
    y = try g.add(DepthwiseConv2D("dw", kernelSize: (3, 3), strides: (2, 2), useBias: false), y)
    y = try g.add(BatchNormalization("dw_bn"), y)
    y = try g.add(ReLU("dw_relu", maxValue: 6), y)
    y = try g.add(Conv2D("pw", filters: 7, kernelSize: (1, 1), useBias: false), y)
    y = try g.add(BatchNormalization("pw_bn"), y)
    let branch = try g.add(Activation("pw_relu", .relu), y)
    y = try g.add(Conv2D("c3", filters: 7, kernelSize: (3, 3), padding: .same), branch)
    y = try g.add(BatchNormalization("c3_bn", epsilon: 1e-5), y)
    y = try g.add(Add("add"), branch, y)
    y = try g.add(BatchNormalization("add_bn"), y)
    try g.add(ReLU("out_relu"), y)
    var rng = SeededRNG(seed: seed + 100)
    for node in g.nodes {
      for p in node.layer.weights {
        let lo: Float = p.name == "moving_variance" ? 0.2 : -1
        p.value = Tensor(shape: p.value.shape) { _ in rng.uniform(lo, 1.5) }
      }
    }
    return g
  }

  /// Every node through its own layer, as an unfolded graph would run.
  static func layerByLayer(
    _ g: Graph, _ x: Tensor, mode: ForwardMode, firstRecording: Int, through end: Int? = nil
  ) throws -> Tensor {
    var values: [Tensor] = [x]
    for i in 1...(end ?? g.nodes.count - 1) {
      let node = g.nodes[i]
      let m = ForwardMode(
        training: mode.training, recordForBackward: mode.recordForBackward && i >= firstRecording)
      values.append(try node.layer.forward(node.inputs.map { values[$0] }, mode: m))
    }
    return values[values.count - 1]
  }

  static func close(_ a: Tensor, _ b: Tensor) -> Bool {
    a.shape == b.shape
      && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= 1e-4 * (1 + abs($1)) }
  }

  static func input(_ n: Int = 2) -> Tensor {
    var rng = SeededRNG(seed: 77)
    return Tensor(shape: [n, 11, 13, 5]) { _ in rng.uniform(-2, 2) }
  }

  @Test func findsTheChains() throws {
    let g = try Self.network()
    let groups = g.foldGroups().map { ($0.pad, $0.head, $0.norm, $0.activation) }
    // dw (with its pad and ReLU6), pw (with relu), c3 (BN feeds the add: no activation);
    // add_bn follows an Add, which is not a convolution.
    #expect(groups.map(\.1) == [2, 5, 8])
    #expect(groups.map(\.0) == [1, nil, nil])
    #expect(groups.map(\.3) == [4, 7, nil])
    #expect(g.foldGroups().map(\.kind) == [.relu6, .relu, .linear])
  }

  @Test func inferenceMatchesLayerByLayer() throws {
    let g = try Self.network()
    let x = Self.input()
    let before = g.parameters.map(\.value)
    let folded = try g.forward(x, mode: .inference)
    let reference = try Self.layerByLayer(g, x, mode: .inference, firstRecording: .max)
    #expect(Self.close(folded, reference))
    // The layers' own weights are untouched: saving and export see the originals.
    #expect(g.parameters.map(\.value) == before)
    // A cut inside a chain: BN output without the ReLU, and the raw conv output.
    for end in [3, 5, 9] {
      let a = try g.forward(x, mode: .inference, through: end)
      let b = try Self.layerByLayer(g, x, mode: .inference, firstRecording: .max, through: end)
      #expect(Self.close(a, b), "through node \(end)")
    }
  }

  @Test func changedWeightsRefold() throws {
    let g = try Self.network()
    let x = Self.input(1)
    let first = try g.forward(x, mode: .inference)
    let bn = try #require(g.layer(named: "pw_bn") as? BatchNormalization)
    bn.gamma?.value.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] *= -2 }
    }
    let second = try g.forward(x, mode: .inference)
    #expect(!Self.close(first, second))
    #expect(
      Self.close(second, try Self.layerByLayer(g, x, mode: .inference, firstRecording: .max)))
    let conv = try #require(g.layer(named: "dw") as? DepthwiseConv2D)
    conv.kernel?.value = Tensor(zeros: conv.kernel?.value.shape ?? [], value: 0.25)
    let third = try g.forward(x, mode: .inference)
    #expect(
      Self.close(third, try Self.layerByLayer(g, x, mode: .inference, firstRecording: .max)))
  }

  /// A training step with a frozen prefix: the frozen chains fold (their BN runs in
  /// inference mode, as Keras's), the rest records and back-propagates as before.
  @Test func frozenPrefixInTraining() throws {
    let g = try Self.network()
    let h = try Self.network()
    let cut = try g.freeze(.layer("pw_relu"))
    _ = try h.freeze(.layer("pw_relu"))
    #expect(cut == 7)
    let x = Self.input()
    let first = try #require(g.firstTrainableIndex)
    let y = try g.forward(x, mode: .training)
    let r = try Self.layerByLayer(h, x, mode: .training, firstRecording: first)
    #expect(Self.close(y, r))
    let dy = Tensor(shape: y.shape) { Float($0 % 7) / 7 - 0.4 }
    try g.backward(dy)
    try h.backward(dy)
    for (p, q) in zip(g.parameters, h.parameters) {
      #expect((p.grad == nil) == (q.grad == nil), "\(p.name)")
      if let a = p.grad, let b = q.grad { #expect(Self.close(a, b), "\(p.name)") }
      #expect(Self.close(p.value, q.value), "\(p.name) (moving statistics)")
    }
  }

  /// Unfrozen BN in training normalises with batch statistics: nothing folds.
  @Test func trainableBatchNormIsNotFolded() throws {
    let g = try Self.network()
    let h = try Self.network()
    let x = Self.input()
    let y = try g.forward(x, mode: .training)
    let r = try Self.layerByLayer(h, x, mode: .training, firstRecording: 0)
    #expect(Self.close(y, r))
  }

  @Test func zooNetworksFoldEveryConvolution() throws {
    let m = try ModelZoo.build("mobilenet_v2", ZooOptions(includeTop: false, size: 32))
    let mg = m.foldGroups()
    // 52 convolutions (35 Conv2D + 17 depthwise), each followed by its BatchNorm; the four
    // ZeroPadding2D before the strided depthwise convolutions fold into them.
    #expect(mg.count == 52)
    #expect(mg.compactMap(\.pad).count == 4)
    #expect(mg.filter { $0.kind == .relu6 }.count == 35)
    let r = try ModelZoo.build("resnet50", ZooOptions(includeTop: false, size: 32))
    let rg = r.foldGroups()
    #expect(rg.count == 53)
    #expect(rg.compactMap(\.pad).count == 1)  // conv1_pad
  }
}
