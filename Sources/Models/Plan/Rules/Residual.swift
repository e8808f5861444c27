import Kernels
import Layers
import TensorCore

/// Conv → BatchNormalization → Add(shortcut) (→ ReLU) folding, for the same passes as
/// `FoldGroup` (inference and frozen prefixes: nothing recorded for backward).
///
/// A residual block ends `relu(bn(conv(x)) + shortcut)`. With the BatchNorm folded into
/// the convolution (`W'`, `b'`, see Fold.swift) that is
/// `relu(conv(x, W') + b' + shortcut)`: one epilogue as each output tile of the convolution
/// is stored, instead of an output pass, an Add pass and a ReLU pass over memory.
///
/// The folded work runs at the Add node, the first node where both the branch's input and
/// the shortcut exist (ResNet50 lists the shortcut's conv after the branch's); the branch's
/// convolution and BatchNorm nodes hand their input through to it.
struct ResidualFold {
  /// The conv → BN chain feeding the Add, without activation (its BN's only consumer is
  /// the Add).
  var group: FoldGroup
  /// The Add node.
  let add: Int
  /// Which of the Add's two inputs is the chain's BatchNorm; the other is the shortcut.
  let branch: Int
  /// The ReLU/Activation after the Add, fused into the epilogue, if any.
  var activation: Int?
  var kind: ActivationKind = .linear
}

/// The rule: a fold the fold rule took whole, whose Add (and activation) run in the pass and
/// record nothing. The fold node becomes a residual node at the Add.
enum ResidualRule: FusionRule {
  static func enabled(for mode: ForwardMode) -> Bool { FoldSwitch.enabled }

  static func apply(_ plan: inout PlanBuilder) {
    let graph = plan.graph
    for r in graph.residualFolds(graph.foldGroups(plan.consumers), plan.consumers) {
      guard let group = plan.nodes[r.group.head] as? FoldGroup, r.add <= plan.end,
        !plan.recording(r.add), !plan.isClaimed(r.add)
      else { continue }
      var fold = r
      fold.group = group
      (fold.activation, fold.kind) = plan.epilogue(r.activation, r.kind)
      plan.remove(group.head)
      if !plan.add(fold) { plan.add(group) }
    }
  }
}

extension ResidualFold: PlanNode {
  var anchor: Int { add }
  var absorbed: [Int] { [group.head] + group.absorbed + [activation].compactMap { $0 } }

  func label(_ graph: Graph) -> String {
    label("folded", graph, [group.pad, group.head, group.norm, add, activation].compactMap { $0 })
  }

  func run(_ graph: Graph, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    try graph.runResidual(self, inputs)
  }
}

extension Graph {
  /// Adds of two inputs where (at least) one input is a Conv2D → BN chain of `groups`
  /// consumed only by the Add. When both are, the Add's last input is taken: Keras's
  /// residual blocks list `[shortcut, branch]`, and the branch's convolution is the
  /// unstrided 1×1 that the fused kernel serves best.
  func residualFolds(_ groups: [FoldGroup], _ consumers: [[Int]]? = nil) -> [ResidualFold] {
    let consumers = consumers ?? consumerLists()
    var byNorm: [Int: FoldGroup] = [:]
    for g in groups where g.activation == nil && nodes[g.head].layer is Conv2D {
      byNorm[g.norm] = g
    }
    var folds: [ResidualFold] = []
    for (i, node) in nodes.enumerated() {
      guard node.layer is Add, node.inputs.count == 2, node.inputs[0] != node.inputs[1]
      else { continue }
      guard
        let b = [1, 0].first(where: { b in
          byNorm[node.inputs[b]].map { consumers[$0.norm] == [i] } ?? false
        }),
        let g = byNorm[node.inputs[b]]
      else { continue }
      var fold = ResidualFold(group: g, add: i, branch: b, activation: nil)
      if consumers[i].count == 1, let k = Self.epilogue(of: nodes[consumers[i][0]].layer) {
        (fold.activation, fold.kind) = (consumers[i][0], k)
      }
      folds.append(fold)
    }
    return folds
  }

  /// The folded residual output from the Add's inputs (the branch's entry is the branch
  /// convolution's input, handed through by its absorbed nodes).
  func runResidual(_ r: ResidualFold, _ inputs: [Tensor]) throws -> Tensor {
    let addName = nodes[r.add].layer.name
    guard inputs.count == 2, let conv = nodes[r.group.head].layer as? Conv2D,
      let k = conv.kernel, let bn = nodes[r.group.norm].layer as? BatchNormalization
    else {
      throw GraphError.invalid("graph '\(name)': residual fold of '\(addName)' lost an input")
    }
    let x = inputs[r.branch]
    let shortcut = inputs[1 - r.branch]
    let folded = try FoldCache.shared.folded(conv: conv, kernel: k, bias: conv.bias, norm: bn)
    let geo = try window(
      r.group, x.shape, kernel: conv.kernelSize, strides: conv.strides, padding: conv.padding,
      layer: conv.name)
    try checkChannels(geo, k.value, layer: conv.name, shape: x.shape)
    let outShape = [geo.batch, geo.outH, geo.outW, conv.filters]
    guard shortcut.shape == outShape else {
      throw LayerError.badInputShape(
        layer: addName, shape: shortcut.shape, reason: "Add needs \(outShape)")
    }
    return Conv2DKernel.forward(
      x, kernel: folded.kernel, bias: folded.bias, residual: shortcut, activation: r.kind,
      geometry: geo)
  }
}
