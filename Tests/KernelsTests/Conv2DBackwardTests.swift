import Testing
@testable import Kernels
import TensorCore

// The 3x3 stride-1 backward (Conv2DBackward: padded gradient, per-tap dW GEMMs, Winograd dX
// with the flipped kernel) against the definition in Double and against the im2col backward,
// on odd sizes, 'same' and 'valid', channel counts off the SIMD lanes, ReLU/ReLU6 masks, and
// chunk bounds small enough to split the batch.
//
// Stated error, checked: dX max abs error ≤ 2e-6 · (1 + max|dX|) · √(9·out) / 3 (Winograd's
// bound with the gradient's channels as its inputs); dW and the bias gradient (plain GEMMs
// and sums) ≤ 1e-6 · (1 + max|ref|) · √(terms summed).

private struct Case: CustomStringConvertible, Sendable {
  let batch: Int, h: Int, w: Int, c: Int, f: Int, same: Bool, act: ActivationKind
  var description: String {
    "\(batch)x\(h)x\(w)x\(c)→\(f) \(same ? "same" : "valid") \(act)"
  }
}

private func geometry(_ s: Case) -> WindowGeometry {
  let pad = s.same ? 1 : 0
  return WindowGeometry(
    batch: s.batch, inH: s.h, inW: s.w, channels: s.c, kH: 3, kW: 3, strideH: 1, strideW: 1,
    padTop: pad, padLeft: pad, outH: s.same ? s.h : s.h - 2, outW: s.same ? s.w : s.w - 2)
}

/// dz = dy masked, then dX, dW, db by their definitions, in Double.
private func reference(
  _ x: Tensor, _ w: Tensor, _ dy: Tensor, _ y: Tensor, _ act: ActivationKind,
  _ g: WindowGeometry
) -> (dx: [Double], dw: [Double], db: [Double]) {
  let f = w.shape[3]
  let c = g.channels
  let dz = zip(dy.scalars, y.scalars).map { d, o -> Double in
    switch act {
    case .relu: return o > 0 ? Double(d) : 0
    case .relu6: return o > 0 && o < 6 ? Double(d) : 0
    default: return Double(d)
    }
  }
  var dx = [Double](repeating: 0, count: x.count)
  var dw = [Double](repeating: 0, count: w.count)
  var db = [Double](repeating: 0, count: f)
  for n in 0..<g.batch {
    for oy in 0..<g.outH {
      for ox in 0..<g.outW {
        let o = ((n * g.outH + oy) * g.outW + ox) * f
        for k in 0..<f { db[k] += dz[o + k] }
        for ky in 0..<3 {
          for kx in 0..<3 {
            let (iy, ix) = (oy - g.padTop + ky, ox - g.padLeft + kx)
            guard iy >= 0, iy < g.inH, ix >= 0, ix < g.inW else { continue }
            let xi = ((n * g.inH + iy) * g.inW + ix) * c
            for ci in 0..<c {
              let wi = ((ky * 3 + kx) * c + ci) * f
              for k in 0..<f {
                dx[xi + ci] += dz[o + k] * Double(w.scalars[wi + k])
                dw[wi + k] += dz[o + k] * Double(x.scalars[xi + ci])
              }
            }
          }
        }
      }
    }
  }
  return (dx, dw, db)
}

private func maxError(_ t: Tensor?, _ ref: [Double]) -> (err: Double, scale: Double) {
  guard let t, t.count == ref.count else { return (.infinity, 1) }
  let err = zip(t.scalars, ref).map { abs(Double($0) - $1) }.max() ?? 0
  return (err, 1 + (ref.map(abs).max() ?? 0))
}

struct Conv2DBackwardTests {
  fileprivate static let cases: [Case] = [
    Case(batch: 1, h: 8, w: 8, c: 8, f: 8, same: true, act: .linear),
    Case(batch: 2, h: 7, w: 9, c: 13, f: 10, same: true, act: .relu),
    Case(batch: 3, h: 5, w: 11, c: 9, f: 17, same: false, act: .relu6),
    Case(batch: 2, h: 6, w: 5, c: 16, f: 8, same: false, act: .linear),
    Case(batch: 1, h: 13, w: 14, c: 24, f: 33, same: true, act: .relu),
    Case(batch: 2, h: 1, w: 6, c: 8, f: 9, same: true, act: .relu),
  ]

  @Test(arguments: cases)
  fileprivate func matchesDefinitionAndIm2col(_ s: Case) throws {
    var rng = SeededRNG(seed: UInt64(s.h * 97 + s.c * 5 + s.f))
    let g = geometry(s)
    #expect(Conv2DBackward.isApplicable(g, filters: s.f) || Conv2DBackward.forcedIm2col)
    let x = Tensor(shape: [s.batch, s.h, s.w, s.c]) { _ in rng.uniform(-1, 1) }
    let w = Tensor(shape: [3, 3, s.c, s.f]) { _ in rng.uniform(-1, 1) }
    let outShape = [s.batch, g.outH, g.outW, s.f]
    let dy = Tensor(shape: outShape) { _ in rng.uniform(-1, 1) }
    // Recorded outputs with exact zeros and values at and past 6, so both masks bite.
    let y = Tensor(shape: outShape) { i in i % 7 == 0 ? 0 : i % 11 == 0 ? 6 : rng.uniform(-2, 8) }
    let ref = reference(x, w, dy, y, s.act, g)
    let runs = [
      ("one chunk", Conv2DBackward.defaultMaxPaddedElements), ("a chunk per image", 1),
    ]
    for (name, limit) in runs {
      let r = Conv2DBackward.backward(
        x, kernel: w, outputGradient: dy, output: y, activation: s.act, geometry: g,
        needInput: true, needKernel: true, needBias: true, maxPaddedElements: limit)
      #expect(r.input?.shape == x.shape && r.kernel?.shape == w.shape)
      let (ex, sx) = maxError(r.input, ref.dx)
      let (ew, sw) = maxError(r.kernel, ref.dw)
      let (eb, sb) = maxError(r.bias, ref.db)
      let pixels = Double(s.batch * g.outH * g.outW)
      #expect(ex <= 2e-6 * sx * (9 * Double(s.f)).squareRoot() / 3, "\(s) \(name) dX: \(ex)")
      #expect(ew <= 1e-6 * sw * pixels.squareRoot(), "\(s) \(name) dW: \(ew)")
      #expect(eb <= 1e-6 * sb * pixels.squareRoot(), "\(s) \(name) db: \(eb)")
    }
    // The im2col backward on the same masked gradient agrees as closely.
    let masked = Conv2DBackward.paddedGradient(
      dy, output: y, activation: s.act, geometry: g, biasGradient: false)
    let dz = try Tensor(
      shape: outShape, scalars: zip(dy.scalars, y.scalars).map { d, o in
        switch s.act {
        case .relu: return o > 0 ? d : 0
        case .relu6: return o > 0 && o < 6 ? d : 0
        default: return d
        }
      })
    let (dx2, dw2) = Conv2DKernel.backward(
      x, kernel: w, outputGradient: dz, geometry: g, needInput: true, needKernel: true)
    let dx1 = WinogradKernel.inputGradient(masked.gradient, kernel: w, geometry: g)
    let dw1 = Conv2DBackward.kernelGradient(
      x, paddedGradient: masked.gradient, geometry: g, kernelShape: w.shape)
    let (ex, sx) = maxError(dx1, (dx2?.scalars ?? []).map(Double.init))
    let (ew, sw) = maxError(dw1, (dw2?.scalars ?? []).map(Double.init))
    #expect(ex <= 2e-6 * sx * (9 * Double(s.f)).squareRoot() / 3, "\(s) vs im2col dX: \(ex)")
    #expect(ew <= 1e-5 * sw, "\(s) vs im2col dW: \(ew)")
  }

  /// The padded gradient holds dy (masked) in the top-left outH×outW of each image and
  /// zeros in the two extra rows and columns; dX also takes dy on its own grid.
  @Test func paddedGridAndUnpaddedGradientAgree() {
    var rng = SeededRNG(seed: 3)
    let s = Case(batch: 2, h: 5, w: 6, c: 8, f: 9, same: true, act: .linear)
    let g = geometry(s)
    let w = Tensor(shape: [3, 3, 8, 9]) { _ in rng.uniform(-1, 1) }
    let dy = Tensor(shape: [2, 5, 6, 9]) { _ in rng.uniform(-1, 1) }
    let (p, _) = Conv2DBackward.paddedGradient(
      dy, output: nil, activation: .linear, geometry: g, biasGradient: false)
    #expect(p.shape == [2, 7, 8, 9])
    for n in 0..<2 {
      for r in 0..<7 {
        for q in 0..<8 {
          for k in 0..<9 {
            let v = p.scalars[((n * 7 + r) * 8 + q) * 9 + k]
            let want = r < 5 && q < 6 ? dy.scalars[((n * 5 + r) * 6 + q) * 9 + k] : 0
            #expect(v == want)
          }
        }
      }
    }
    let a = WinogradKernel.inputGradient(p, kernel: w, geometry: g)
    let b = WinogradKernel.inputGradient(dy, kernel: w, geometry: g)
    #expect(a == b)
  }

  @Test func flippedKernelRotatesAndSwapsChannels() {
    let w = Tensor(shape: [3, 3, 5, 19]) { Float($0) }
    let f = WinogradKernel.flipped(w)
    #expect(f.shape == [3, 3, 19, 5])
    for t in 0..<9 {
      for i in 0..<5 {
        for o in 0..<19 {
          #expect(f.scalars[(t * 19 + o) * 5 + i] == w.scalars[((8 - t) * 5 + i) * 19 + o])
        }
      }
    }
  }
}
