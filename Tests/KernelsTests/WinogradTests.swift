import Foundation
import Testing
@testable import Kernels
import TensorCore

// Winograd F(4x4, 3x3) against direct convolution in Double (the definition), on random
// data in [-1, 1] with odd sizes, 'same' and 'valid' padding, channel counts that are not
// multiples of the 8-wide lane, bias and fused ReLU/ReLU6, and scratch limits small enough
// to force several tile chunks and filter blocks.
//
// Stated error, checked: max |winograd − direct| ≤ 2e-6 · (1 + max|direct|) · √(9·in) / 3.
// Measured on these shapes: max abs error / max |direct| ≤ 9e-6 (im2col + GEMM: ≤ 6e-7).
// F(4,3)'s transforms multiply by up to 8 (Aᵀ) and 5 (Bᵀ), so it is ~10x looser than
// im2col; over VGG16's 13 convolutions at 224x224 the Keras parity stays within 1e-4.

private func directConv(
  _ x: Tensor, _ w: Tensor, _ b: Tensor?, _ g: WindowGeometry
) -> [Double] {
  let f = w.shape[3]
  var out = [Double](repeating: 0, count: g.batch * g.outH * g.outW * f)
  for n in 0..<g.batch {
    for oy in 0..<g.outH {
      for ox in 0..<g.outW {
        for o in 0..<f {
          var s = b.map { Double($0.scalars[o]) } ?? 0
          for ky in 0..<3 {
            for kx in 0..<3 {
              let iy = oy - g.padTop + ky
              let ix = ox - g.padLeft + kx
              guard iy >= 0, iy < g.inH, ix >= 0, ix < g.inW else { continue }
              for c in 0..<g.channels {
                let xv = x.scalars[((n * g.inH + iy) * g.inW + ix) * g.channels + c]
                let wv = w.scalars[((ky * 3 + kx) * g.channels + c) * f + o]
                s += Double(xv) * Double(wv)
              }
            }
          }
          out[((n * g.outH + oy) * g.outW + ox) * f + o] = s
        }
      }
    }
  }
  return out
}

private func geometry(batch: Int, h: Int, w: Int, c: Int, same: Bool) -> WindowGeometry {
  let pad = same ? 1 : 0
  return WindowGeometry(
    batch: batch, inH: h, inW: w, channels: c, kH: 3, kW: 3, strideH: 1, strideW: 1,
    padTop: pad, padLeft: pad, outH: same ? h : h - 2, outW: same ? w : w - 2)
}

/// Max abs error and the bound it must stay within for this many input channels.
private func check(_ y: Tensor, _ ref: [Double], channels: Int) -> (err: Double, bound: Double) {
  let err = zip(y.scalars, ref).map { abs(Double($0) - $1) }.max() ?? .infinity
  let scale = 1 + (ref.map(abs).max() ?? 0)
  return (err, 2e-6 * scale * (9 * Double(channels)).squareRoot() / 3)
}

struct WinogradTests {
  struct Shape: CustomStringConvertible, Sendable {
    let batch: Int, h: Int, w: Int, c: Int, f: Int, same: Bool
    var description: String { "\(batch)x\(h)x\(w)x\(c)→\(f) \(same ? "same" : "valid")" }
  }

  static let shapes: [Shape] = [
    Shape(batch: 1, h: 8, w: 8, c: 8, f: 8, same: true),
    Shape(batch: 2, h: 7, w: 9, c: 13, f: 5, same: true),
    Shape(batch: 3, h: 5, w: 11, c: 17, f: 19, same: false),
    Shape(batch: 1, h: 3, w: 3, c: 9, f: 3, same: false),
    Shape(batch: 2, h: 14, w: 13, c: 24, f: 33, same: true),
    Shape(batch: 1, h: 1, w: 6, c: 8, f: 1, same: true),
    Shape(batch: 1, h: 28, w: 28, c: 64, f: 40, same: true),
  ]

  @Test(arguments: shapes)
  func matchesDirectConvolution(_ s: Shape) throws {
    var rng = SeededRNG(seed: UInt64(s.h * 131 + s.c * 7 + s.f))
    let g = geometry(batch: s.batch, h: s.h, w: s.w, c: s.c, same: s.same)
    #expect(WinogradKernel.isApplicable(g))
    let x = Tensor(shape: [s.batch, s.h, s.w, s.c]) { _ in rng.uniform(-1, 1) }
    let w = Tensor(shape: [3, 3, s.c, s.f]) { _ in rng.uniform(-1, 1) }
    let b = Tensor(shape: [s.f]) { _ in rng.uniform(-1, 1) }
    let ref = directConv(x, w, b, g)
    let filter = try #require(WinogradFilter(kernel: w))
    // Recomputed filter, cached filter, and a scratch so small that every chunk holds one
    // tile and every filter block one lane of output channels.
    let runs: [(String, Tensor)] = [
      ("recomputed", WinogradKernel.forward(x, kernel: w, bias: b, geometry: g)),
      ("cached", WinogradKernel.forward(x, kernel: w, filter: filter, bias: b, geometry: g)),
      ("tiny scratch", WinogradKernel.forward(
        x, kernel: w, bias: b, geometry: g, maxScratchElements: 1)),
      // The C kernels, as inference passes run them (the others: Swift + OpenBLAS).
      ("C kernels", WinogradKernel.$passUsesCKernels.withValue(true) {
        WinogradKernel.forward(x, kernel: w, bias: b, geometry: g)
      }),
    ]
    for (name, y) in runs {
      #expect(y.shape == [s.batch, g.outH, g.outW, s.f])
      let (err, bound) = check(y, ref, channels: s.c)
      let peak = ref.map(abs).max() ?? 0
      let direct = check(
        Conv2DKernel.im2colForward(x, kernel: w, bias: b, geometry: g, limit: 1 << 20), ref,
        channels: s.c)
      print("winograd \(s) \(name): max abs err \(err) (bound \(bound)),"
        + " relative \(err / peak), im2col \(direct.err / peak)")
      #expect(err <= bound, "\(s) \(name): max abs error \(err) > \(bound)")
    }
  }

  @Test func fusedActivationsClampAfterBias() {
    var rng = SeededRNG(seed: 5)
    let g = geometry(batch: 2, h: 6, w: 7, c: 11, same: true)
    let x = Tensor(shape: [2, 6, 7, 11]) { _ in rng.uniform(-2, 2) }
    let w = Tensor(shape: [3, 3, 11, 10]) { _ in rng.uniform(-1, 1) }
    let b = Tensor(shape: [10]) { _ in rng.uniform(-1, 1) }
    let ref = directConv(x, w, b, g)
    for (act, f) in [(ActivationKind.relu, { max($0, 0.0) }), (.relu6, { min(max($0, 0), 6) })] {
      let y = WinogradKernel.forward(x, kernel: w, bias: b, activation: act, geometry: g)
      let (err, bound) = check(y, ref.map(f), channels: 11)
      #expect(err <= bound, "\(act): \(err)")
      #expect(y.scalars.contains(0) && y.scalars.allSatisfy { $0 >= 0 })
    }
  }

  /// The transformed filter is G g Gᵀ exactly (in Double), for every (in, out) pair.
  @Test func filterTransformIsGgGt() throws {
    var rng = SeededRNG(seed: 9)
    let (cin, cout) = (3, 11)
    let w = Tensor(shape: [3, 3, cin, cout]) { _ in rng.uniform(-1, 1) }
    let u = try #require(WinogradFilter(kernel: w))
    let gm: [[Double]] = [
      [1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
      [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1],
    ]
    var maxErr = 0.0
    for ci in 0..<cin {
      for co in 0..<cout {
        for i in 0..<6 {
          for j in 0..<6 {
            var s = 0.0
            for a in 0..<3 {
              for b in 0..<3 {
                s += gm[i][a] * Double(w.scalars[((a * 3 + b) * cin + ci) * cout + co])
                  * gm[j][b]
              }
            }
            let got = Double(u.scalars[((i * 6 + j) * cin + ci) * cout + co])
            maxErr = max(maxErr, abs(got - s))
          }
        }
      }
    }
    #expect(maxErr < 1e-6, "max abs error \(maxErr)")
    #expect(WinogradFilter(kernel: Tensor(zeros: [1, 1, 3, 4])) == nil)
  }

  @Test func onlyThreeByThreeStrideOneWithEnoughChannels() {
    var g = geometry(batch: 1, h: 8, w: 8, c: 16, same: true)
    #expect(WinogradKernel.isApplicable(g))
    g.strideH = 2
    #expect(!WinogradKernel.isApplicable(g))
    g = geometry(batch: 1, h: 8, w: 8, c: 3, same: true)
    #expect(!WinogradKernel.isApplicable(g))
    g = geometry(batch: 1, h: 8, w: 8, c: 16, same: true)
    g.kW = 5
    #expect(!WinogradKernel.isApplicable(g))
  }
}

struct TensorPoolTests {
  @Test func reusesExactSizesWithinCapacity() {
    func address(_ t: Tensor) -> UnsafePointer<Float>? { t.withUnsafeBufferPointer(\.baseAddress) }
    let pool = TensorPool(capacity: 100)
    let a = pool.tensor(shape: [2, 30])
    pool.recycle(a)
    // Same element count, other shape: the kept buffer comes back, once.
    let b = pool.tensor(shape: [60])
    #expect(b.shape == [60] && address(b) == address(a))
    #expect(address(pool.tensor(shape: [60])) != address(a))
    // Another size: fresh storage.
    #expect(address(pool.tensor(shape: [61])) != address(a))
    // Over capacity (60 + 50 > 100): the second one is not kept.
    pool.recycle(b)
    let fifty = Tensor(zeros: [50])
    pool.recycle(fifty)
    #expect(address(pool.tensor(shape: [50])) != address(fifty))
    // removeAll drops what was kept.
    pool.removeAll()
    #expect(address(pool.tensor(shape: [60])) != address(b))
  }

  /// A recycled tensor still referenced elsewhere is never changed through the pool:
  /// writing into the reused buffer copies first (copy-on-write).
  @Test func sharedStorageIsNeverOverwritten() {
    let pool = TensorPool()
    let kept = Tensor(zeros: [16], value: 3)
    pool.recycle(kept)
    var reused = pool.tensor(shape: [16])
    reused.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] = -1 } }
    #expect(kept.scalars == [Float](repeating: 3, count: 16))
    #expect(reused.scalars == [Float](repeating: -1, count: 16))
  }
}
