import Layers
import TensorCore
import Testing
@testable import Models

/// The execution plan (Plan/ExecutionPlan.swift): the rules of `FusionRules.all` claim each
/// node at most once, only in the passes they serve, and `FTUNE_PROFILE` rows name the plan
/// nodes. Each rule's numbers are checked against the layers run one by one in its own
/// suite: BandTests, FoldTests, FoldBlockTests, FoldResidualTests, FuseTrainingTests.
@Suite struct ExecutionPlanTests {
  static func plan(
    _ g: Graph, mode: ForwardMode = .inference, recording: @escaping (Int) -> Bool = { _ in false }
  ) -> ExecutionPlan {
    ExecutionPlan(g, start: 0, end: g.nodes.count - 1, mode: mode, recording: recording)
  }

  /// Plan nodes per rule (their type's name).
  static func counts(_ p: ExecutionPlan) -> [String: Int] {
    p.nodes.values.reduce(into: [:]) { $0[String(describing: type(of: $1)), default: 0] += 1 }
  }

  /// No node is the anchor or part of two plan nodes, and `absorbed` lists exactly the parts.
  static func expectDisjoint(_ p: ExecutionPlan) {
    var seen: Set<Int> = []
    for node in p.nodes.values {
      for i in [node.anchor] + node.absorbed {
        #expect(seen.insert(i).inserted, "node \(i) claimed twice")
      }
    }
    #expect(Set(p.absorbed.keys) == seen.subtracting(p.nodes.keys))
  }

  @Test func zooInferencePlans() throws {
    let vgg = try ModelZoo.build("vgg16", ZooOptions(includeTop: false, size: 32))
    let v = Self.plan(vgg)
    Self.expectDisjoint(v)
    // Blocks 1-2 whole, and the last two convolutions + pool of blocks 3-5.
    #expect(Self.counts(v) == ["BandGroup": 5])

    let resnet = try ModelZoo.build("resnet50", ZooOptions(includeTop: false, size: 32))
    let r = Self.plan(resnet)
    Self.expectDisjoint(r)
    let convs = resnet.nodes.filter { $0.layer is Conv2D }.count
    let c = Self.counts(r)
    #expect(c["ResidualFold"] == 16 && c["PaddedPool"] == 1)
    #expect((c["FoldGroup"] ?? 0) + (c["ResidualFold"] ?? 0) == convs)

    let mobile = try ModelZoo.build("mobilenet_v2", ZooOptions(includeTop: false, size: 96))
    let m = Self.plan(mobile)
    Self.expectDisjoint(m)
    // Conv1 and Conv_1 fold; expanded_conv and block_1 ... block_16 run as fused blocks.
    #expect(Self.counts(m) == ["FoldGroup": 2, "FoldBlock": 17])
  }

  /// A recording pass fuses only the training rules' pairs among the recorded nodes and the
  /// inference rules' among the others (here: BatchNorms with fixed statistics).
  @Test func recordedNodesOnlyInTrainingRules() throws {
    let mobile = try ModelZoo.build("mobilenet_v2", ZooOptions(includeTop: false, size: 96))
    let cut = try #require(mobile.index(of: "block_8_expand"))
    let p = Self.plan(
      mobile, mode: ForwardMode(training: false, recordForBackward: true),
      recording: { $0 >= cut })
    Self.expectDisjoint(p)
    for node in p.nodes.values {
      let parts = [node.anchor] + node.absorbed
      let training = node is NormActivation || node is PaddedDepthwise
      #expect(parts.allSatisfy { ($0 >= cut) == training }, "\(type(of: node)) at \(node.anchor)")
    }
    #expect(p.nodes.values.contains { $0 is NormActivation })
    #expect(p.nodes.values.contains { $0 is PaddedDepthwise })
    #expect(p.nodes.values.contains { $0 is FoldBlock })
  }

  @Test func profileRowsNamePlanNodes() throws {
    let mobile = try ModelZoo.build("mobilenet_v2", ZooOptions(includeTop: false, size: 64))
    let wasEnabled = LayerProfile.enabled
    LayerProfile.enabled = true
    defer { LayerProfile.enabled = wasEnabled }
    _ = try mobile.forward(Tensor(zeros: [1, 64, 64, 3]), mode: .inference)
    let labels = Set(LayerProfile.rows.map(\.label))
    #expect(labels.contains("folded Conv2D+BatchNormalization+ReLU"))
    #expect(labels.contains("fused inverted-residual block + Add"))
  }

  /// Activations no kernel epilogue applies (a ReLU capped at 0.5, a sigmoid) stay out of
  /// every fused step and run through their layers: same outputs as layer by layer.
  @Test func unfusableActivationsRunUnfused() throws {
    let g = Graph(name: "unfusable", seed: 4)
    var y = try g.input("input", shape: [9, 8, 4])
    y = try g.add(Conv2D("c1", filters: 6, kernelSize: (3, 3), padding: .same), y)
    y = try g.add(BatchNormalization("bn1"), y)
    y = try g.add(ReLU("capped", maxValue: 0.5), y)
    y = try g.add(Conv2D("c2", filters: 5, kernelSize: (1, 1)), y)
    y = try g.add(BatchNormalization("bn2"), y)
    try g.add(Activation("sig", .sigmoid), y)
    var rng = SeededRNG(seed: 40)
    for node in g.nodes {
      for p in node.layer.weights {
        let lo: Float = p.name == "moving_variance" ? 0.2 : -1
        p.value = Tensor(shape: p.value.shape) { _ in rng.uniform(lo, 1.5) }
      }
    }
    let inference = Self.plan(g)
    let folds = inference.nodes.values.compactMap { $0 as? FoldGroup }
    #expect(folds.count == 2 && folds.allSatisfy { $0.activation == nil && $0.kind == .linear })
    let training = Self.plan(g, mode: .training, recording: { _ in true })
    #expect(training.nodes.isEmpty)
    let x = Tensor(shape: [2, 9, 8, 4]) { _ in rng.uniform(-2, 2) }
    let folded = try g.forward(x, mode: .inference)
    let reference = try FoldTests.layerByLayer(g, x, mode: .inference, firstRecording: .max)
    #expect(FoldTests.close(folded, reference))
  }
}
