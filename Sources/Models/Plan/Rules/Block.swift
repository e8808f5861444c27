import Foundation
import Kernels
import Layers
import TensorCore

/// An inverted-residual block after BatchNorm folding (MobileNetV2's `block_N_*`): a 1×1
/// expand group with a clamp (none in `expanded_conv`) → a depthwise group with a clamp
/// (and its ZeroPadding2D) → a 1×1 project group without one → optionally the Add of the
/// block's input. Run as one
/// kernel (`InvertedResidualKernel`), band by band, so the expanded tensor never goes to
/// memory. Only where every node of the chain folds (inference, frozen prefixes).
struct FoldBlock {
  let expand: FoldGroup?
  let depthwise: FoldGroup
  let project: FoldGroup
  /// The Add node summing the block's input and the projection, if any.
  let add: Int?
  /// Which of the Add's inputs is the projection (the plan hands it through the Add).
  var projectInput: Int = 0

  /// The node whose output is the block's output.
  var last: Int { add ?? project.norm }

  /// The node that runs the block: the expand convolution, else the depthwise one.
  var head: Int { expand?.head ?? depthwise.head }

  /// Every node the block's kernel runs besides `head`.
  var parts: [Int] {
    let e: [Int?] = expand.map { [$0.norm, $0.activation, depthwise.pad, depthwise.head] } ?? []
    return (e + [depthwise.norm, depthwise.activation, project.head, project.norm, add])
      .compactMap { $0 }
  }
}

/// The rule: a block whose every group the fold rule took whole, ending within the pass.
/// Its three fold nodes become one block node.
enum BlockRule: FusionRule {
  static func enabled(for mode: ForwardMode) -> Bool { BlockFoldSwitch.enabled }

  static func apply(_ plan: inout PlanBuilder) {
    let folds = plan.nodes.values.compactMap { $0 as? FoldGroup }.sorted { $0.head < $1.head }
    for b in plan.graph.foldBlocks(folds, plan.consumers) {
      let groups = [b.expand, b.depthwise, b.project].compactMap { $0 }
      guard b.last <= plan.end, !plan.recording(b.last),
        groups.allSatisfy({ (plan.nodes[$0.head] as? FoldGroup)?.sameNodes($0) == true })
      else { continue }
      let removed = groups.compactMap { plan.remove($0.head) }
      if !plan.add(b) { removed.forEach { plan.add($0) } }
    }
  }
}

extension FoldBlock: PlanNode {
  var anchor: Int { head }
  var absorbed: [Int] { parts }
  var passFrom: [Int: Int] { add.map { [$0: projectInput] } ?? [:] }

  func label(_ graph: Graph) -> String {
    LayerProfile.byName
      ? graph.nodes[head].layer.name
      : "fused inverted-residual block" + (add == nil ? "" : " + Add")
  }

  func run(_ graph: Graph, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    try graph.runBlock(self, inputs)
  }
}

extension FoldGroup {
  /// Same nodes (a pass may have trimmed a group's activation or padding).
  func sameNodes(_ o: FoldGroup) -> Bool {
    pad == o.pad && head == o.head && norm == o.norm && activation == o.activation
  }
}

extension Graph {
  /// Expand → depthwise → project chains among `groups` whose intermediate outputs each
  /// have exactly one consumer, and depthwise → project chains without an expand.
  func foldBlocks(_ groups: [FoldGroup], _ consumers: [[Int]]? = nil) -> [FoldBlock] {
    let consumers = consumers ?? consumerLists()
    var byHead: [Int: FoldGroup] = [:]
    for g in groups { byHead[g.head] = g }
    var blocks: [FoldBlock] = []
    var used: Set<Int> = []
    for e in groups {
      guard e.pad == nil, let eAct = e.activation, Self.isPointwise(nodes[e.head].layer),
        consumers[eAct].count == 1
      else { continue }
      let next = consumers[eAct][0]
      let dHead = nodes[next].layer is ZeroPadding2D ? consumers[next].first ?? -1 : next
      guard let d = byHead[dHead], d.pad == (dHead == next ? nil : next),
        let b = block(expand: e, depthwise: d, byHead, consumers)
      else { continue }
      blocks.append(b)
      used.formUnion([e.head, d.head, b.project.head])
    }
    // Depthwise → project with no expand before it (MobileNetV2's expanded_conv), unpadded.
    for d in groups where d.pad == nil && !used.contains(d.head) {
      guard let b = block(expand: nil, depthwise: d, byHead, consumers),
        !used.contains(b.project.head)
      else { continue }
      blocks.append(b)
    }
    return blocks.sorted { $0.head < $1.head }
  }

  /// The block from `depthwise` on, if its depthwise and project groups fit.
  private func block(
    expand e: FoldGroup?, depthwise d: FoldGroup, _ byHead: [Int: FoldGroup],
    _ consumers: [[Int]]
  ) -> FoldBlock? {
    guard let dw = nodes[d.head].layer as? DepthwiseConv2D, dw.depthMultiplier == 1,
      let dAct = d.activation, consumers[dAct].count == 1,
      let p = byHead[consumers[dAct][0]], p.pad == nil, p.activation == nil,
      Self.isPointwise(nodes[p.head].layer)
    else { return nil }
    var add: Int? = nil
    var projectInput = 0
    if consumers[p.norm].count == 1, let input = nodes[e?.head ?? d.head].inputs.first {
      let a = consumers[p.norm][0]
      if nodes[a].layer is Add, nodes[a].inputs.count == 2,
        Set(nodes[a].inputs) == [input, p.norm], let k = nodes[a].inputs.firstIndex(of: p.norm)
      {
        (add, projectInput) = (a, k)
      }
    }
    return FoldBlock(expand: e, depthwise: d, project: p, add: add, projectInput: projectInput)
  }

  /// A 1×1 unstrided Conv2D.
  static func isPointwise(_ layer: any Layer) -> Bool {
    guard let c = layer as? Conv2D else { return false }
    return c.kernelSize == (1, 1) && c.strides == (1, 1) && c.groups == 1
  }

  /// The block's output from its input.
  func runBlock(_ b: FoldBlock, _ inputs: [Tensor]) throws -> Tensor {
    let lost = GraphError.invalid(
      "graph '\(name)': fused block at '\(nodes[b.head].layer.name)' lost a layer")
    guard inputs.count == 1, let d = nodes[b.depthwise.head].layer as? DepthwiseConv2D,
      let dk = d.kernel, let dn = nodes[b.depthwise.norm].layer as? BatchNormalization,
      let p = nodes[b.project.head].layer as? Conv2D, let pk = p.kernel,
      let pn = nodes[b.project.norm].layer as? BatchNormalization
    else { throw lost }
    let x = inputs[0]
    var fe: (kernel: Tensor, bias: Tensor)? = nil
    var expanded = x.shape
    if let eg = b.expand {
      guard let e = nodes[eg.head].layer as? Conv2D, let ek = e.kernel,
        let en = nodes[eg.norm].layer as? BatchNormalization
      else { throw lost }
      fe = try FoldCache.shared.folded(conv: e, kernel: ek, bias: e.bias, norm: en)
      if !expanded.isEmpty { expanded[expanded.count - 1] = e.filters }
    }
    let fd = try FoldCache.shared.folded(conv: d, kernel: dk, bias: d.bias, norm: dn)
    let fp = try FoldCache.shared.folded(conv: p, kernel: pk, bias: p.bias, norm: pn)
    let geo = try window(
      b.depthwise, expanded, kernel: d.kernelSize, strides: d.strides, padding: d.padding,
      layer: d.name)
    let weights = InvertedResidualWeights(
      expand: fe?.kernel, expandBias: fe?.bias, expandActivation: b.expand?.kind ?? .linear,
      depthwise: fd.kernel, depthwiseBias: fd.bias, depthwiseActivation: b.depthwise.kind,
      project: fp.kernel, projectBias: fp.bias)
    let residual = b.add != nil
    guard InvertedResidualKernel.pays(geo),
      InvertedResidualKernel.isApplicable(
        inputShape: x.shape, weights: weights, depthwise: geo, residual: residual)
    else {
      // Small blocks, or shapes the kernel does not take: the folded groups in turn.
      var y = try b.expand.map { try runFolded($0, [x]) } ?? x
      y = try runFolded(b.depthwise, [y])
      y = try runFolded(b.project, [y])
      guard let a = b.add else { return y }
      let ordered = nodes[a].inputs.map { $0 == b.project.norm ? y : x }
      return try nodes[a].layer.forward(ordered, mode: .inference)
    }
    return InvertedResidualKernel.forward(
      x, weights: weights, depthwise: geo, residual: residual)
  }
}

/// `FTUNE_FOLD_BLOCK=0` runs inverted-residual blocks as three folded convolutions instead
/// of one fused kernel (to compare; `FTUNE_FOLD=0` turns off every fold).
enum BlockFoldSwitch {
  static let enabled: Bool =
    FoldSwitch.enabled && ProcessInfo.processInfo.environment["FTUNE_FOLD_BLOCK"] != "0"
}
