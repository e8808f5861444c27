import Foundation
import Kernels
import Layers
import TensorCore

/// Conv → BatchNormalization → ReLU folding for passes that keep nothing for backward
/// (inference, and the frozen prefix of a training step).
///
/// A BatchNorm that normalises with its moving statistics is the affine map
/// `y = z·s + (β − μ·s)`, `s = γ/√(σ² + ε)`, so after a convolution `z = conv(x, W) + b`
/// it folds into the convolution: `W' = W·s` (per output channel), `b' = b·s + β − μ·s`.
/// A ReLU/ReLU6 after it becomes a clamp in the same output pass. The layers' own weights
/// are never touched (saving and export see the originals): folded copies are cached per
/// convolution and rebuilt when any contributing `Parameter.version` changes.
struct FoldGroup {
  /// A ZeroPadding2D node feeding only the convolution: its zeros become the convolution's
  /// padding (no padded copy of the input).
  var pad: Int?
  /// The Conv2D or DepthwiseConv2D node.
  let head: Int
  /// The BatchNormalization node folded into it.
  let norm: Int
  /// The ReLU/Activation node fused into the epilogue, if any, and what it applies.
  var activation: Int?
  var kind: ActivationKind = .linear
}

/// The rule: every group of the pass whose nodes record nothing and whose BatchNorm uses its
/// moving statistics; the padding and activation only when they run in the pass too.
enum FoldRule: FusionRule {
  static func enabled(for mode: ForwardMode) -> Bool { FoldSwitch.enabled }

  static func apply(_ plan: inout PlanBuilder) {
    let fixed = ForwardMode(training: plan.mode.training, recordForBackward: false)
    for g in plan.graph.foldGroups(plan.consumers) {
      guard plan.inPass(g.head), g.norm <= plan.end, !plan.recording(g.head),
        !plan.recording(g.norm),
        let bn = plan.graph.nodes[g.norm].layer as? BatchNormalization,
        !bn.usesBatchStatistics(fixed)
      else { continue }
      var group = g
      (group.activation, group.kind) = plan.epilogue(g.activation, g.kind)
      if let p = g.pad, p <= plan.start || plan.recording(p) { group.pad = nil }
      plan.add(group)
    }
  }
}

extension FoldGroup: PlanNode {
  var anchor: Int { head }
  var absorbed: [Int] { [pad, norm, activation].compactMap { $0 } }

  func label(_ graph: Graph) -> String {
    label("folded", graph, [pad, head, norm, activation].compactMap { $0 })
  }

  func run(_ graph: Graph, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    try graph.runFolded(self, inputs)
  }
}

extension Graph {
  /// Conv → BN (→ ReLU) chains where each intermediate output has exactly one consumer.
  func foldGroups(_ consumers: [[Int]]? = nil) -> [FoldGroup] {
    let consumers = consumers ?? consumerLists()
    var groups: [FoldGroup] = []
    for (i, node) in nodes.enumerated() {
      guard Self.isFoldableConv(node.layer), consumers[i].count == 1 else { continue }
      let j = consumers[i][0]
      guard nodes[j].layer is BatchNormalization, nodes[j].inputs == [i] else { continue }
      var act: Int? = nil
      var kind = ActivationKind.linear
      if consumers[j].count == 1, let k = Self.epilogue(of: nodes[consumers[j][0]].layer) {
        act = consumers[j][0]
        kind = k
      }
      var pad: Int? = nil
      if node.inputs.count == 1, let p = node.inputs.first, consumers[p] == [i],
        nodes[p].layer is ZeroPadding2D
      {
        pad = p
      }
      groups.append(FoldGroup(pad: pad, head: i, norm: j, activation: act, kind: kind))
    }
    return groups
  }

  /// A convolution whose output is linear (BN can follow it), with a multiplier of 1 for
  /// depthwise (the folded kernel layout is then per output channel).
  static func isFoldableConv(_ layer: any Layer) -> Bool {
    if let c = layer as? Conv2D { return c.activation == .linear && c.groups == 1 }
    if let d = layer as? DepthwiseConv2D { return d.activation == .linear }
    return false
  }

  /// The activation a ReLU/Activation layer applies when kernels can fuse it into their
  /// epilogue (`fusableInEpilogue`, not `linear`), else nil: the layer then runs itself.
  static func epilogue(of layer: any Layer) -> ActivationKind? {
    let kind = (layer as? ReLU)?.activationKind ?? (layer as? Activation)?.kind
    guard let kind, kind != .linear, kind.fusableInEpilogue else { return nil }
    return kind
  }
}

extension Graph {
  /// The folded group's output from the convolution's input.
  func runFolded(_ g: FoldGroup, _ inputs: [Tensor]) throws -> Tensor {
    let layer = nodes[g.head].layer
    guard inputs.count == 1, let bn = nodes[g.norm].layer as? BatchNormalization else {
      throw GraphError.invalid("graph '\(name)': fold of '\(layer.name)' lost its input")
    }
    let x = inputs[0]
    if let conv = layer as? Conv2D, let k = conv.kernel {
      let folded = try FoldCache.shared.folded(conv: conv, kernel: k, bias: conv.bias, norm: bn)
      let geo = try window(
        g, x.shape, kernel: conv.kernelSize, strides: conv.strides, padding: conv.padding,
        layer: conv.name)
      try checkChannels(geo, k.value, layer: conv.name, shape: x.shape)
      return Conv2DKernel.forward(
        x, kernel: folded.kernel, bias: folded.bias, activation: g.kind, geometry: geo)
    }
    if let dw = layer as? DepthwiseConv2D, let k = dw.kernel {
      let folded = try FoldCache.shared.folded(conv: dw, kernel: k, bias: dw.bias, norm: bn)
      let geo = try window(
        g, x.shape, kernel: dw.kernelSize, strides: dw.strides, padding: dw.padding,
        layer: dw.name)
      try checkChannels(geo, k.value, layer: dw.name, shape: x.shape)
      return DepthwiseConvKernel.forward(
        x, kernel: folded.kernel, bias: folded.bias, multiplier: dw.depthMultiplier,
        geometry: geo, activation: g.kind)
    }
    throw GraphError.invalid("graph '\(name)': layer '\(layer.name)' cannot be folded")
  }

  /// The convolution's window over `shape`, or over the padded shape with the padding's
  /// zeros moved into the window's padding when the group absorbed a ZeroPadding2D.
  func window(
    _ g: FoldGroup, _ shape: [Int], kernel: (Int, Int), strides: (Int, Int), padding: Padding,
    layer: String
  ) throws -> WindowGeometry {
    try window(
      pad: g.pad, shape, kernel: kernel, strides: strides, padding: padding, layer: layer)
  }

  /// The window over `shape`, or, when node `pad` (a ZeroPadding2D) feeds the convolution,
  /// over the padded shape with the padding's zeros moved into the window's padding.
  func window(
    pad: Int?, _ shape: [Int], kernel: (Int, Int), strides: (Int, Int), padding: Padding,
    layer: String
  ) throws -> WindowGeometry {
    guard let p = pad else {
      return try ConvGeometry.window(
        input: shape, kernel: kernel, strides: strides, padding: padding, layer: layer)
    }
    guard let zp = nodes[p].layer as? ZeroPadding2D, shape.count == 4 else {
      throw LayerError.badInputShape(
        layer: layer, shape: shape, reason: "a padded window needs [N, H, W, C] after a ZeroPadding2D")
    }
    let padded = [shape[0], shape[1] + zp.top + zp.bottom, shape[2] + zp.left + zp.right, shape[3]]
    var w = try ConvGeometry.window(
      input: padded, kernel: kernel, strides: strides, padding: padding, layer: layer)
    (w.inH, w.inW) = (shape[1], shape[2])
    w.padTop += zp.top
    w.padLeft += zp.left
    return w
  }

  func checkChannels(
    _ g: WindowGeometry, _ kernel: Tensor, layer: String, shape: [Int]
  ) throws {
    guard kernel.shape.count == 4, g.channels == kernel.shape[2] else {
      throw LayerError.badInputShape(
        layer: layer, shape: shape, reason: "kernel expects \(kernel.shape) channels")
    }
  }
}

/// `FTUNE_FOLD=0` turns folding off (to compare, or to rule it out when chasing a bug).
enum FoldSwitch {
  static let enabled: Bool = ProcessInfo.processInfo.environment["FTUNE_FOLD"] != "0"
}
