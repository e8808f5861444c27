import Foundation
import Kernels
import Layers
import TensorCore

/// Conv2D(3×3, 'same', stride 1) → Conv2D(3×3, 'same', stride 1) → MaxPooling2D(2×2,
/// stride 2, 'valid'), each output feeding only the next: VGG's blocks 1 and 2 (and the
/// last two convolutions of blocks 3-5, which fit one band and run unbanded). Where nothing
/// is recorded, the three run together in bands of pooled rows across the batch (the band's
/// input rows plus a one-row halo → first convolution → second → pool into the output's
/// rows), so neither full-resolution activation ever exists: VGG16's block 1 holds two
/// 103 MB tensors at batch 8 otherwise, most of its forward peak memory. A band's
/// activations (≤ `bandElements` floats each) stay in cache between the three steps.
/// The halo costs the first convolution two extra rows per band (≤ 8 % at 224×224).
struct BandGroup {
  let first: Int, second: Int, pool: Int
}

/// The rule: every chain of the pass whose three nodes record nothing.
enum BandRule: FusionRule {
  static func enabled(for mode: ForwardMode) -> Bool { BandSwitch.enabled }

  static func apply(_ plan: inout PlanBuilder) {
    for b in plan.graph.bandGroups(plan.consumers)
    where plan.inPass(b.first) && b.pool <= plan.end
      && ![b.first, b.second, b.pool].contains(where: plan.recording)
    {
      plan.add(b)
    }
  }
}

extension BandGroup: PlanNode {
  var anchor: Int { first }
  var absorbed: [Int] { [second, pool] }
  func label(_ graph: Graph) -> String { label("banded", graph, [first, second, pool]) }
  func run(_ graph: Graph, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    try graph.runBand(self, inputs, mode: mode)
  }
}

/// `FTUNE_BAND=0` runs the three layers one after another (to compare, or to rule it out).
enum BandSwitch {
  static let enabled: Bool = ProcessInfo.processInfo.environment["FTUNE_BAND"] != "0"
}

extension Graph {
  /// Floats of a band's second-convolution output (16 MB): the bands of VGG16's block 1 at
  /// batch 8 are 28 rows.
  static let bandElements = 1 << 22

  /// The chains this graph has (shape conditions are checked again when a pass runs).
  func bandGroups(_ consumers: [[Int]]? = nil) -> [BandGroup] {
    let consumers = consumers ?? consumerLists()
    var groups: [BandGroup] = []
    for (i, node) in nodes.enumerated() {
      guard Self.isBandConv(node.layer), node.inputs.count == 1, consumers[i].count == 1
      else { continue }
      let j = consumers[i][0]
      guard Self.isBandConv(nodes[j].layer), nodes[j].inputs == [i], consumers[j].count == 1
      else { continue }
      let k = consumers[j][0]
      guard let p = nodes[k].layer as? MaxPooling2D, nodes[k].inputs == [j],
        p.poolSize == (2, 2), p.strides == (2, 2), p.padding == .valid
      else { continue }
      groups.append(BandGroup(first: i, second: j, pool: k))
    }
    return groups
  }

  /// A 3×3 stride-1 'same' Conv2D whose activation the kernels fuse (or none).
  static func isBandConv(_ layer: any Layer) -> Bool {
    guard let c = layer as? Conv2D else { return false }
    return c.kernelSize == (3, 3) && c.strides == (1, 1) && c.padding == .same && c.groups == 1
      && c.activation.fusableInEpilogue
  }

  /// The pooled output of the group from the first convolution's input `x` `[N, H, W, C]`.
  /// `bandElements` bounds a band's second-convolution output (tests make it tiny).
  func runBand(
    _ b: BandGroup, _ inputs: [Tensor], mode: ForwardMode = .inference,
    bandElements: Int = Graph.bandElements
  ) throws -> Tensor {
    guard inputs.count == 1, let c1 = nodes[b.first].layer as? Conv2D,
      let c2 = nodes[b.second].layer as? Conv2D, let k1 = c1.kernel?.value,
      let k2 = c2.kernel?.value
    else {
      throw GraphError.invalid(
        "graph '\(name)': band at '\(nodes[b.first].layer.name)' lost a part")
    }
    let x = inputs[0]
    let g1 = try ConvGeometry.window(
      input: x.shape, kernel: (3, 3), strides: (1, 1), padding: .same, layer: c1.name)
    guard g1.channels == k1.shape[2], k2.shape[2] == c1.filters else {
      throw LayerError.badInputShape(
        layer: c1.name, shape: x.shape, reason: "kernel expects \(k1.shape[2]) channels")
    }
    let (n, h, w, f1, f2) = (g1.batch, g1.outH, g1.outW, c1.filters, c2.filters)
    let (ph, pw) = (h / 2, w / 2)
    guard ph > 0, pw > 0 else { return Tensor(zeros: [n, ph, pw, f2]) }
    // Pooled rows per band: the second convolution's band (2 rows per pooled row) within
    // `bandElements`, rounded to whole 4-row Winograd tiles where possible.
    let perPooledRow = max(1, n * 2 * w * f2)
    var rows = max(1, bandElements / perPooledRow)
    if rows >= 2 { rows -= rows % 2 }
    if rows >= ph {
      // One band (VGG16's blocks 3-5): nothing to save, so the layers run as usual (with
      // their own Winograd filter caching rather than two filters transformed here).
      let y1 = try c1.forward([x], mode: mode)
      let y2 = try c2.forward([y1], mode: mode)
      TensorPool.shared.recycle(y1)
      let y = try nodes[b.pool].layer.forward([y2], mode: mode)
      TensorPool.shared.recycle(y2)
      return y
    }
    // Both kernels transformed once per pass, not once per band.
    let u1 = WinogradKernel.isApplicable(g1) ? WinogradFilter(kernel: k1) : nil
    let g2Full = try ConvGeometry.window(
      input: [n, h, w, f1], kernel: (3, 3), strides: (1, 1), padding: .same, layer: c2.name)
    let u2 = WinogradKernel.isApplicable(g2Full) ? WinogradFilter(kernel: k2) : nil
    var out = TensorPool.shared.tensor(shape: [n, ph, pw, f2])
    var q0 = 0
    while q0 < ph {
      let q1 = min(ph, q0 + rows)
      // Second convolution's rows [b0, b1) need the first's [a0, a1), which need x's [s, e).
      let (b0, b1) = (2 * q0, 2 * q1)
      let (a0, a1) = (max(b0 - 1, 0), min(b1 + 1, h))
      let (s, e) = (max(a0 - 1, 0), min(a1 + 1, h))
      let slice = Self.rows(x, s..<e)
      var ga = g1
      (ga.inH, ga.padTop, ga.outH) = (e - s, s - (a0 - 1), a1 - a0)
      let y1 = Conv2DKernel.forward(
        slice, kernel: k1, filter: u1, bias: c1.bias?.value, activation: c1.activation,
        geometry: ga)
      TensorPool.shared.recycle(slice)
      var gb = g2Full
      (gb.inH, gb.padTop, gb.outH) = (a1 - a0, a0 - (b0 - 1), b1 - b0)
      let y2 = Conv2DKernel.forward(
        y1, kernel: k2, filter: u2, bias: c2.bias?.value, activation: c2.activation,
        geometry: gb)
      TensorPool.shared.recycle(y1)
      Self.maxPool2x2(y2, into: &out, firstRow: q0)
      TensorPool.shared.recycle(y2)
      q0 = q1
    }
    return out
  }

  /// Rows `r` of every image of `x` `[N, H, W, C]` as `[N, r.count, W, C]`.
  static func rows(_ x: Tensor, _ r: Range<Int>) -> Tensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    var t = TensorPool.shared.tensor(shape: [n, r.count, w, c])
    let row = w * c
    t.withUnsafeMutableBufferPointer { tp in
      x.withUnsafeBufferPointer { xp in
        guard let dst = tp.baseAddress, let src = xp.baseAddress else { return }
        for i in 0..<n {
          (dst + i * r.count * row).update(
            from: src + (i * h + r.lowerBound) * row, count: r.count * row)
        }
      }
    }
    return t
  }

  /// 2×2 stride-2 max pooling of `y` `[N, 2R(+1), W, C]` into rows `firstRow..<firstRow+R`
  /// of `out` `[N, PH, W/2, C]`.
  static func maxPool2x2(_ y: Tensor, into out: inout Tensor, firstRow: Int) {
    let (n, h, w, c) = (y.shape[0], y.shape[1], y.shape[2], y.shape[3])
    let (ph, pw) = (out.shape[1], out.shape[2])
    let rows = h / 2
    out.withUnsafeMutableBufferPointer { op in
      y.withUnsafeBufferPointer { yp in
        guard let o = op.baseAddress, let src = yp.baseAddress else { return }
        Parallel.forEach(n * rows) { task in
          let (i, r) = (task / rows, task % rows)
          let top = src + (i * h + 2 * r) * w * c
          let bottom = top + w * c
          let dst = o + ((i * ph + firstRow + r) * pw) * c
          for px in 0..<pw {
            let (a, b) = (2 * px * c, (2 * px + 1) * c)
            let d = dst + px * c
            for ch in 0..<c {
              d[ch] = max(max(top[a + ch], top[b + ch]), max(bottom[a + ch], bottom[b + ch]))
            }
          }
        }
      }
    }
  }
}
