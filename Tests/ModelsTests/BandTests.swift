import Layers
import TensorCore
import Testing
@testable import Models

/// Conv → Conv → MaxPool in row bands (Plan/Rules/Band.swift) against the three layers run
/// one after another, with band limits small enough for many bands (halo rows at every band
/// edge, a short last band, odd heights and widths whose last row/column the pool drops),
/// im2col (3 channels) and Winograd (≥ 8 channels) first convolutions, ReLU and linear
/// activations. Tolerance |banded − layers| ≤ 1e-5·(1 + max|reference|): a band computes the
/// same sums, but Winograd's tile grid then starts at the band's first row, which changes
/// the rounding (F(4x4, 3x3): ≤ 1e-5 relative, WinogradTests).
@Suite struct BandTests {
  static func network(channels: Int, h: Int, w: Int, act: ActivationKind) throws -> Graph {
    let g = Graph(name: "band", seed: 5)
    let x = try g.input("input", shape: [h, w, channels])
    var y = try g.add(
      Conv2D("c1", filters: 9, kernelSize: (3, 3), padding: .same, activation: act), x)
    y = try g.add(
      Conv2D("c2", filters: 11, kernelSize: (3, 3), padding: .same, activation: .relu), y)
    y = try g.add(MaxPooling2D("pool"), y)
    try g.add(Conv2D("after", filters: 4, kernelSize: (1, 1)), y)
    var rng = SeededRNG(seed: 9)
    for node in g.nodes {
      for p in node.layer.weights {
        p.value = Tensor(shape: p.value.shape) { _ in rng.uniform(-1, 1) }
      }
    }
    return g
  }

  /// Node outputs 1...end, each layer on its own.
  static func layerByLayer(_ g: Graph, _ x: Tensor, through end: Int) throws -> Tensor {
    var values: [Tensor] = [x]
    for i in 1...end {
      let node = g.nodes[i]
      values.append(try node.layer.forward(node.inputs.map { values[$0] }, mode: .inference))
    }
    return values[end]
  }

  static func error(_ a: Tensor, _ b: Tensor) -> (err: Float, bound: Float) {
    let err = a.shape == b.shape
      ? zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0 : .infinity
    return (err, 1e-5 * (1 + (b.scalars.map(abs).max() ?? 0)))
  }

  @Test func findsTheChain() throws {
    let g = try Self.network(channels: 3, h: 8, w: 8, act: .relu)
    #expect(g.bandGroups().map { [$0.first, $0.second, $0.pool] } == [[1, 2, 3]])
    // A pool of 3x3, or a strided convolution, is no band.
    let h = Graph(name: "other", seed: 1)
    var y = try h.input("input", shape: [8, 8, 3])
    y = try h.add(Conv2D("c1", filters: 4, kernelSize: (3, 3), padding: .same), y)
    y = try h.add(Conv2D("c2", filters: 4, kernelSize: (3, 3), padding: .same), y)
    try h.add(MaxPooling2D("pool", poolSize: (3, 3)), y)
    #expect(h.bandGroups().isEmpty)
  }

  @Test(arguments: [
    (3, 13, 10, ActivationKind.relu), (10, 16, 9, .linear), (8, 7, 7, .relu), (3, 2, 3, .relu),
  ])
  func bandsMatchLayerByLayer(channels: Int, h: Int, w: Int, act: ActivationKind) throws {
    let g = try Self.network(channels: channels, h: h, w: w, act: act)
    var rng = SeededRNG(seed: UInt64(h * 31 + w))
    let x = Tensor(shape: [3, h, w, channels]) { _ in rng.uniform(-1, 1) }
    let reference = try Self.layerByLayer(g, x, through: 3)
    let group = try #require(g.bandGroups().first)
    // One pooled row per band, two, and the whole image in one band.
    for limit in [1, 3 * 2 * w * 11 * 2, 1 << 22] {
      let y = try g.runBand(group, [x], bandElements: limit)
      let (err, bound) = Self.error(y, reference)
      #expect(err <= bound, "\(channels)x\(h)x\(w) limit \(limit): \(err) > \(bound)")
    }
    // Through the graph: inference bands, a recording pass runs the layers.
    let end = g.nodes.count - 1
    let full = try Self.layerByLayer(g, x, through: end)
    for mode in [ForwardMode.inference, .training] {
      let (err, bound) = Self.error(try g.forward(x, mode: mode), full)
      #expect(err <= bound, "\(channels)x\(h)x\(w) \(mode): \(err) > \(bound)")
    }
  }
}
