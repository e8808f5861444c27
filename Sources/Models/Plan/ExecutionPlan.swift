import Foundation
import Layers
import TensorCore

/// How one forward pass runs a graph: which nodes a fused kernel runs together (plan nodes)
/// and which run through their own layer.
///
/// Built by applying the rewrite rules of `FusionRules.all`, in order, to the nodes of the
/// pass; each rule matches a pattern of graph nodes (Conv → BN → ReLU, ...) and replaces it
/// with one `PlanNode`. A node belongs to at most one plan node; later rules may grow the
/// plan nodes of earlier ones (a fold into a fused block). Fused or not, the numbers are the
/// layers': each rule's test compares the fused pass with the layers run one by one.
struct ExecutionPlan {
  let graph: Graph
  /// anchor node → the plan node that runs there.
  private(set) var nodes: [Int: any PlanNode] = [:]
  /// Nodes whose work a plan node does → which of their inputs they hand through, forward
  /// (the output) and backward (the gradient, `Graph.backward`).
  private(set) var absorbed: [Int: Int] = [:]
  /// anchor node → the recording step that takes the derivative there (`Graph.backward`).
  var steps: [Int: any RecordingPlanNode] { nodes.compactMapValues { $0 as? RecordingPlanNode } }

  /// `start` is the latest seeded node, `end` the node whose output is wanted;
  /// `recording(i)` tells whether node `i` keeps state for backward.
  init(_ graph: Graph, start: Int, end: Int, mode: ForwardMode, recording: @escaping (Int) -> Bool) {
    self.graph = graph
    var builder = PlanBuilder(graph, start: start, end: end, mode: mode, recording: recording)
    for rule in FusionRules.all where rule.enabled(for: mode) { rule.apply(&builder) }
    nodes = builder.nodes
    for node in nodes.values {
      for a in node.absorbed { absorbed[a] = node.passFrom[a] ?? 0 }
    }
  }

  /// Node `i`'s output from its inputs: the plan node anchored there, a hand-through for an
  /// absorbed node, else the layer; timed per plan node when `LayerProfile` is on.
  func forward(_ i: Int, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    if let k = absorbed[i], k < inputs.count { return inputs[k] }
    let layer = graph.nodes[i].layer
    guard LayerProfile.enabled else { return try run(i, layer, inputs, mode) }
    let t0 = LayerProfile.now()
    let y = try run(i, layer, inputs, mode)
    let label =
      nodes[i]?.label(graph)
      ?? (LayerProfile.byName ? layer.name : layer.kerasClassName)
    LayerProfile.add(label, LayerProfile.now() - t0)
    return y
  }

  private func run(
    _ i: Int, _ layer: any Layer, _ inputs: [Tensor], _ mode: ForwardMode
  ) throws -> Tensor {
    guard let node = nodes[i] else { return try layer.forward(inputs, mode: mode) }
    return try node.run(graph, inputs, mode: mode)
  }
}

/// One fused step of a plan: runs at `anchor` (taking the anchor node's inputs) and does the
/// work of `absorbed` too. Absorbed nodes hand their input through forward and their
/// gradient through backward. A step that fuses nodes which record for backward is a
/// `RecordingPlanNode` and takes the derivative of the whole step itself; layers never
/// hold the state of a fused step.
protocol PlanNode {
  var anchor: Int { get }
  var absorbed: [Int] { get }
  /// Absorbed nodes with several inputs (an Add a fused block computes): which input to hand
  /// through. Default: the first.
  var passFrom: [Int: Int] { get }
  /// The row of `FTUNE_PROFILE`: the rule and its layers (names with `FTUNE_PROFILE=layers`).
  func label(_ graph: Graph) -> String
  func run(_ graph: Graph, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor
}

/// A fused step of a recording pass: it keeps what its backward needs and, at its anchor,
/// `Graph.backward` calls its `backward` instead of the anchor layer's.
protocol RecordingPlanNode: PlanNode {
  /// dL/d(the anchor's inputs) from dL/d(the step's output), accumulating the gradients of
  /// the parameters involved, as `Layer.backward`.
  func backward(
    _ graph: Graph, _ outputGradient: Tensor, needsInputGradient: Bool
  ) throws -> [Tensor]
}

/// What a recording plan step keeps from its forward for its backward: a box, because plan
/// nodes are values and the graph keeps the last recording plan's steps until backward.
final class StepRecord<Value> {
  var value: Value?

  /// The value, once: a second backward without a forward finds nothing.
  func take() -> Value? {
    defer { value = nil }
    return value
  }
}

extension PlanNode {
  var passFrom: [Int: Int] { [:] }

  /// "<rule> Kind+Kind+..." over `parts` (layer names with `FTUNE_PROFILE=layers`).
  func label(_ rule: String, _ graph: Graph, _ parts: [Int]) -> String {
    rule + " "
      + parts.map { LayerProfile.byName ? graph.nodes[$0].layer.name : graph.nodes[$0].layer.kerasClassName }
      .joined(separator: "+")
  }
}

/// A rewrite rule: finds its pattern among the pass's nodes and adds plan nodes.
protocol FusionRule {
  /// The `FTUNE_*=0` switch and the passes the rule serves.
  static func enabled(for mode: ForwardMode) -> Bool
  static func apply(_ plan: inout PlanBuilder)
}

/// The pass a plan is built for and the plan nodes so far.
struct PlanBuilder {
  let graph: Graph
  let start: Int
  let end: Int
  let mode: ForwardMode
  let recording: (Int) -> Bool
  /// Each node's consumers, computed once for every rule.
  let consumers: [[Int]]
  private(set) var nodes: [Int: any PlanNode] = [:]
  private(set) var claimed: Set<Int> = []

  init(_ graph: Graph, start: Int, end: Int, mode: ForwardMode, recording: @escaping (Int) -> Bool) {
    self.graph = graph
    (self.start, self.end, self.mode, self.recording) = (start, end, mode, recording)
    var consumers = [[Int]](repeating: [], count: graph.nodes.count)
    for (i, node) in graph.nodes.enumerated() { for j in node.inputs { consumers[j].append(i) } }
    self.consumers = consumers
  }

  /// Node `i` runs in this pass (after the seeds, up to `end`).
  func inPass(_ i: Int) -> Bool { i > start && i <= end }

  /// The activation node `node` (applying `kind`) for a kernel epilogue to take: kept when
  /// it runs in this pass and records nothing, else none (it then runs as its own layer).
  func epilogue(_ node: Int?, _ kind: ActivationKind) -> (node: Int?, kind: ActivationKind) {
    guard let node, node <= end, !recording(node) else { return (nil, .linear) }
    return (node, kind)
  }

  /// Whether a plan node already runs or absorbed node `i`.
  func isClaimed(_ i: Int) -> Bool { claimed.contains(i) }

  /// Adds `node`; its nodes must be unclaimed (else nothing changes and false returns).
  @discardableResult
  mutating func add(_ node: any PlanNode) -> Bool {
    let parts = [node.anchor] + node.absorbed
    guard !parts.contains(where: isClaimed) else { return false }
    nodes[node.anchor] = node
    claimed.formUnion(parts)
    return true
  }

  /// Takes out the plan node anchored at `anchor`, for a rule that grows it into a bigger one.
  @discardableResult
  mutating func remove(_ anchor: Int) -> (any PlanNode)? {
    guard let node = nodes.removeValue(forKey: anchor) else { return nil }
    claimed.subtract([node.anchor] + node.absorbed)
    return node
  }
}
