import Foundation
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

extension Graph {
  /// Conv → BN (→ ReLU) chains where each intermediate output has exactly one consumer.
  func foldGroups() -> [FoldGroup] {
    var consumers = [[Int]](repeating: [], count: nodes.count)
    for (i, node) in nodes.enumerated() { for j in node.inputs { consumers[j].append(i) } }
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
    if let c = layer as? Conv2D { return c.activation == .linear }
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

/// Runs the nodes of one forward pass: folded groups where the pass allows them, every
/// other node through its layer, and per-layer timing when `LayerProfile` is on.
struct NodeRunner {
  private let graph: Graph
  /// head index → group, for groups this pass may fold.
  private var heads: [Int: FoldGroup] = [:]
  /// Add index → conv → BN (→ ReLU) folded into the Add (Graph+FoldResidual.swift).
  private var residuals: [Int: ResidualFold] = [:]
  /// MaxPooling2D index → the ZeroPadding2D folded into it.
  private var pools: [Int: PaddedPool] = [:]
  /// Nodes whose work the head already did (or an Add will do): they hand their input through.
  private var absorbed: Set<Int> = []
  /// BatchNorm → ReLU pairs fused in recording passes (Graph+FuseTraining.swift).
  private var fusion = TrainingFusion()
  /// block head index → fused inverted-residual block (Graph+FoldBlock.swift).
  private var blocks: [Int: FoldBlock] = [:]
  /// Absorbed nodes with several inputs (a block's Add): which input to hand through.
  private var passFrom: [Int: Int] = [:]
  /// first conv index → Conv → Conv → MaxPool chain run in row bands (Graph+FoldBand.swift).
  private var bands: [Int: BandGroup] = [:]

  /// `start` is the latest seeded node, `end` the node whose output is wanted;
  /// `recording(i)` tells whether node `i` keeps state for backward.
  init(
    _ graph: Graph, start: Int, end: Int, mode: ForwardMode, recording: (Int) -> Bool
  ) {
    self.graph = graph
    AllocatorTuning.reuseFreedBuffers()
    if mode.recordForBackward {
      fusion = TrainingFusion(graph, start: start, end: end, recording: recording)
    }
    if BandSwitch.enabled {
      for b in graph.bandGroups() where b.first > start && b.pool <= end
        && ![b.first, b.second, b.pool].contains(where: recording)
      {
        bands[b.first] = b
        absorbed.formUnion([b.second, b.pool])
      }
    }
    guard FoldSwitch.enabled else { return }
    let groups = graph.foldGroups()
    for g in groups {
      guard g.head > start, g.norm <= end, !recording(g.head), !recording(g.norm),
        let bn = graph.nodes[g.norm].layer as? BatchNormalization,
        !bn.usesBatchStatistics(ForwardMode(training: mode.training, recordForBackward: false))
      else { continue }
      var group = g
      if let a = g.activation, a > end || recording(a) {
        (group.activation, group.kind) = (nil, .linear)
      }
      if let p = g.pad, p <= start || recording(p) { group.pad = nil }
      heads[g.head] = group
      absorbed.insert(group.norm)
      if let a = group.activation { absorbed.insert(a) }
      if let p = group.pad { absorbed.insert(p) }
    }
    for b in graph.foldBlocks(Array(heads.values).sorted { $0.head < $1.head })
    where BlockFoldSwitch.enabled {
      // Every group of the block folds whole here, and the block ends within the pass.
      guard b.last <= end, !recording(b.last),
        b.expand.map({ heads[$0.head]?.sameNodes($0) == true }) ?? true,
        heads[b.depthwise.head]?.sameNodes(b.depthwise) == true,
        heads[b.project.head]?.sameNodes(b.project) == true
      else { continue }
      blocks[b.head] = b
      absorbed.formUnion(b.absorbed)
      if let a = b.add, let k = graph.nodes[a].inputs.firstIndex(of: b.project.norm) {
        passFrom[a] = k
      }
    }
    for r in graph.residualFolds(groups) {
      // Not where an inverted-residual block (Graph+FoldBlock.swift) already took the Add.
      guard let group = heads[r.group.head], r.add <= end, !recording(r.add),
        !absorbed.contains(group.head), !absorbed.contains(r.add), blocks[r.add] == nil
      else { continue }
      var fold = r
      fold.group = group
      if let a = r.activation, a > end || recording(a) {
        (fold.activation, fold.kind) = (nil, .linear)
      }
      heads[group.head] = nil
      absorbed.insert(group.head)
      if let a = fold.activation { absorbed.insert(a) }
      residuals[r.add] = fold
    }
    for f in graph.paddedPools()
    where f.pad > start && f.pool <= end && !recording(f.pad) && !recording(f.pool)
      && !absorbed.contains(f.pad) && !absorbed.contains(f.pool) {
      absorbed.insert(f.pad)
      pools[f.pool] = f
    }
  }

  /// Node `i`'s output from its inputs.
  func forward(_ i: Int, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let layer = graph.nodes[i].layer
    if absorbed.contains(i), let k = passFrom[i] ?? (inputs.isEmpty ? nil : 0), k < inputs.count {
      return inputs[k]
    }
    guard LayerProfile.enabled else { return try run(i, layer, inputs, mode) }
    let t0 = LayerProfile.now()
    let y = try run(i, layer, inputs, mode)
    let label = bands[i].map { graph.bandLabel($0) }
      ?? (LayerProfile.byName
        ? residuals[i].map { graph.nodes[$0.group.head].layer.name + "+add" } ?? layer.name
        : blocks[i].map { graph.blockLabel($0) } ?? heads[i].map { graph.foldLabel($0) }
          ?? residuals[i].map { graph.residualLabel($0) } ?? layer.kerasClassName)
    LayerProfile.add(label, LayerProfile.now() - t0)
    return y
  }

  private func run(
    _ i: Int, _ layer: any Layer, _ inputs: [Tensor], _ mode: ForwardMode
  ) throws -> Tensor {
    if let block = blocks[i] { return try graph.runBlock(block, inputs) }
    if let y = try fusion.forward(i, layer, inputs, mode: mode, graph: graph) { return y }
    if let b = bands[i] { return try graph.runBand(b, inputs, mode: mode) }
    if let r = residuals[i] { return try graph.runResidual(r, inputs) }
    if let f = pools[i] { return try graph.runPaddedPool(f, inputs) }
    guard let group = heads[i] else { return try layer.forward(inputs, mode: mode) }
    return try graph.runFolded(group, inputs)
  }
}

extension Graph {
  func foldLabel(_ g: FoldGroup) -> String {
    let parts = (g.pad.map { [$0] } ?? []) + [g.head, g.norm] + (g.activation.map { [$0] } ?? [])
    return "folded " + parts.map { nodes[$0].layer.kerasClassName }.joined(separator: "+")
  }

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
      if SmallCinConvKernel.isApplicable(geo) {
        return SmallCinConvKernel.forward(
          x, kernel: folded.kernel, bias: folded.bias, geometry: geo, activation: g.kind)
      }
      if geo.isPointwise && geo.channels <= PointwiseConvKernel.maxInputChannels {
        return PointwiseConvKernel.forward(
          x, kernel: folded.kernel, bias: folded.bias, activation: g.kind)
      }
      // Strided 1×1 (ResNet's stage openers): pixels read in place, epilogue fused.
      if PointwiseConvKernel.isApplicable(geo) {
        return PointwiseConvKernel.forward(
          x, kernel: folded.kernel, bias: folded.bias, geometry: geo, residual: nil,
          activation: g.kind)
      }
      // Winograd adds the shift and clamps in its own output pass: no second pass.
      if WinogradKernel.isChosen(geo) {
        return WinogradKernel.forward(
          x, kernel: folded.kernel, bias: folded.bias, activation: g.kind, geometry: geo)
      }
      var y = Conv2DKernel.forward(x, kernel: folded.kernel, bias: nil, geometry: geo)
      ChannelAffine.apply(
        &y, channels: conv.filters, shift: folded.bias.scalars, activation: g.kind)
      return y
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
    guard let p = g.pad, let zp = nodes[p].layer as? ZeroPadding2D, shape.count == 4 else {
      return try ConvGeometry.window(
        input: shape, kernel: kernel, strides: strides, padding: padding, layer: layer)
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

/// Folded weights per convolution, rebuilt when a contributing parameter changes.
final class FoldCache: @unchecked Sendable {
  static let shared = FoldCache()

  struct Entry {
    weak var conv: AnyObject?
    var versions: [Int]
    var kernel: Tensor
    var bias: Tensor
  }

  private let lock = NSLock()
  private var entries: [ObjectIdentifier: Entry] = [:]

  /// `W·s` and `b·s + β − μ·s` for this convolution and BatchNorm (output channels last).
  func folded(
    conv: AnyObject, kernel: Parameter, bias: Parameter?, norm: BatchNormalization
  ) throws -> (kernel: Tensor, bias: Tensor) {
    let params = [kernel, bias].compactMap { $0 } + norm.weights
    let versions = params.map(\.version) + [params.count]
    let key = ObjectIdentifier(conv)
    lock.lock()
    defer { lock.unlock() }
    if let e = entries[key], e.conv === conv, e.versions == versions {
      return (e.kernel, e.bias)
    }
    let (k, b) = try Self.fold(kernel: kernel.value, bias: bias?.value, norm: norm)
    // Drop entries of layers that no longer exist, then remember this one.
    entries = entries.filter { $0.value.conv != nil }
    entries[key] = Entry(conv: conv, versions: versions, kernel: k, bias: b)
    return (k, b)
  }

  /// The fold itself, in Double per channel; `kernel`'s last two axes flatten to the
  /// output channel (Conv2D `[.., in, out]`, depthwise `[.., in, 1]`).
  static func fold(
    kernel: Tensor, bias: Tensor?, norm: BatchNormalization
  ) throws -> (Tensor, Tensor) {
    guard let mean = norm.movingMean?.value.scalars,
      let variance = norm.movingVariance?.value.scalars
    else { throw LayerError.noRecordedForward(layer: norm.name) }
    let c = mean.count
    let outC = kernel.shape.count == 4 ? kernel.shape[2] * kernel.shape[3] : -1
    let perChannel = kernel.shape.last == c ? c : (outC == c ? c : -1)
    guard perChannel == c, c > 0, kernel.count % c == 0 else {
      throw LayerError.badInputShape(
        layer: norm.name, shape: kernel.shape,
        reason: "cannot fold \(c) BatchNorm channels into this kernel")
    }
    let gamma = norm.gamma?.value.scalars
    let beta = norm.beta?.value.scalars
    var scale = [Float](repeating: 1, count: c)
    var shift = [Float](repeating: 0, count: c)
    for j in 0..<c {
      let s = Double(gamma?[j] ?? 1) / (Double(variance[j]) + Double(norm.epsilon)).squareRoot()
      let b = Double(bias?.scalars[j] ?? 0)
      scale[j] = Float(s)
      shift[j] = Float((b - Double(mean[j])) * s + Double(beta?[j] ?? 0))
    }
    var k = kernel
    k.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] *= scale[i % c] }
    }
    return (k, try Tensor(shape: [c], scalars: shift))
  }
}

/// `FTUNE_FOLD=0` turns folding off (to compare, or to rule it out when chasing a bug).
enum FoldSwitch {
  static let enabled: Bool = ProcessInfo.processInfo.environment["FTUNE_FOLD"] != "0"
}
