import Testing
@testable import Kernels
import TensorCore

// Kernels against naive loops written straight from the definitions, in Double, on random
// geometries ('same'-style padding before, odd and even sizes, strides 1-3, batch > 1).
// Tolerance |kernel − naive| ≤ 1e-4·(1 + |naive|): Float32 sums of ≤ 100 terms.

/// Direct definition: out[n,oy,ox,f] = Σ x[n, oy·s−pad+ky, ox·s−pad+kx, c]·w[ky,kx,c,f].
private func naiveConv(_ x: Tensor, _ w: Tensor, _ g: WindowGeometry) -> [Double] {
  let f = w.shape[3]
  var out = [Double](repeating: 0, count: g.batch * g.outH * g.outW * f)
  for n in 0..<g.batch {
    for oy in 0..<g.outH {
      for ox in 0..<g.outW {
        for o in 0..<f {
          var s = 0.0
          for ky in 0..<g.kH {
            for kx in 0..<g.kW {
              let iy = oy * g.strideH - g.padTop + ky
              let ix = ox * g.strideW - g.padLeft + kx
              guard iy >= 0, iy < g.inH, ix >= 0, ix < g.inW else { continue }
              for c in 0..<g.channels {
                let xv = x.scalars[((n * g.inH + iy) * g.inW + ix) * g.channels + c]
                let wv = w.scalars[((ky * g.kW + kx) * g.channels + c) * f + o]
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

private func randomGeometry(_ rng: inout SeededRNG) -> WindowGeometry {
  func r(_ lo: Int, _ hi: Int) -> Int { lo + Int(rng.next() % UInt64(hi - lo + 1)) }
  let kH = r(1, 4), kW = r(1, 4), sH = r(1, 3), sW = r(1, 3)
  let inH = r(kH, 9), inW = r(kW, 9)
  let padTop = r(0, kH - 1), padLeft = r(0, kW - 1)
  let outH = (inH + padTop - kH) / sH + 1
  let outW = (inW + padLeft - kW) / sW + 1
  return WindowGeometry(
    batch: r(1, 3), inH: inH, inW: inW, channels: r(1, 4), kH: kH, kW: kW,
    strideH: sH, strideW: sW, padTop: padTop, padLeft: padLeft, outH: outH, outW: outW)
}

private func close(_ a: [Float], _ b: [Double]) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= 1e-4 * (1 + abs($1)) }
}

@Test func conv2DKernelMatchesDefinition() {
  var rng = SeededRNG(seed: 17)
  for _ in 0..<40 {
    let g = randomGeometry(&rng)
    let f = 1 + Int(rng.next() % 3)
    let x = Tensor(shape: [g.batch, g.inH, g.inW, g.channels]) { _ in rng.uniform(-1, 1) }
    let w = Tensor(shape: [g.kH, g.kW, g.channels, f]) { _ in rng.uniform(-1, 1) }
    let y = Conv2DKernel.forward(x, kernel: w, bias: nil, geometry: g)
    #expect(y.shape == [g.batch, g.outH, g.outW, f])
    #expect(close(y.scalars, naiveConv(x, w, g)), "\(g)")
    // Backward is the adjoint: <dy, conv(x)> = <col2im(dy), x> and = <dW, w>.
    let dy = Tensor(shape: y.shape) { _ in rng.uniform(-1, 1) }
    let (dx, dw) = Conv2DKernel.backward(
      x, kernel: w, outputGradient: dy, geometry: g, needInput: true, needKernel: true)
    let lhs = zip(dy.scalars, y.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let viaX = zip(dx?.scalars ?? [], x.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let viaW = zip(dw?.scalars ?? [], w.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    #expect(abs(lhs - viaX) <= 1e-3 * (1 + abs(lhs)), "\(g)")
    #expect(abs(lhs - viaW) <= 1e-3 * (1 + abs(lhs)), "\(g)")
  }
}

@Test func depthwiseKernelMatchesPerChannelConv() {
  var rng = SeededRNG(seed: 23)
  for _ in 0..<30 {
    let g = randomGeometry(&rng)
    let mult = 1 + Int(rng.next() % 2)
    let x = Tensor(shape: [g.batch, g.inH, g.inW, g.channels]) { _ in rng.uniform(-1, 1) }
    let w = Tensor(shape: [g.kH, g.kW, g.channels, mult]) { _ in rng.uniform(-1, 1) }
    let y = DepthwiseConvKernel.forward(x, kernel: w, bias: nil, multiplier: mult, geometry: g)
    // Reference: a full conv whose kernel is zero except input c → output c·mult + m.
    var full = Tensor(zeros: [g.kH, g.kW, g.channels, g.channels * mult])
    for k in 0..<(g.kH * g.kW) {
      for c in 0..<g.channels {
        for m in 0..<mult {
          full.scalars[(k * g.channels + c) * g.channels * mult + c * mult + m] =
            w.scalars[(k * g.channels + c) * mult + m]
        }
      }
    }
    #expect(close(y.scalars, naiveConv(x, full, g)), "\(g)")
  }
}

@Test func averagePoolingCountsOnlyRealPixels() throws {
  // An input of ones: every window average is exactly 1, padding or not.
  let g = WindowGeometry(
    batch: 1, inH: 3, inW: 4, channels: 1, kH: 3, kW: 3, strideH: 2, strideW: 2,
    padTop: 1, padLeft: 1, outH: 2, outW: 2)
  let ones = Tensor(zeros: [1, 3, 4, 1], value: 1)
  #expect(PoolingKernel.averageForward(ones, geometry: g).scalars == [1, 1, 1, 1])
  // Values 0..11: window (0,0) covers rows 0-1, cols 0-1 → (0+1+4+5)/4 = 2.5.
  let ramp = Tensor(shape: [1, 3, 4, 1]) { Float($0) }
  let y = PoolingKernel.averageForward(ramp, geometry: g)
  #expect(y.scalars[0] == 2.5)
  // Max ignores padding even when every real value is negative.
  let neg = ramp.map { -$0 - 1 }
  let (m, _) = PoolingKernel.maxForward(neg, geometry: g)
  #expect(m.scalars[0] == -1)
}

@Test func scratchPoolLendsDistinctBuffersConcurrently() {
  let pool = ScratchPool(capacity: 2)
  pool.withBuffer(count: 8) { a in
    pool.withBuffer(count: 8) { b in
      #expect(a.baseAddress != b.baseAddress)
      #expect(a.count >= 8 && b.count >= 8)
    }
  }
}

/// Chunking the batch (one image per GEMM here) changes nothing: forward and both
/// gradients equal the whole-batch result up to summation order.
@Test func conv2DChunkedEqualsWholeBatch() {
  var rng = SeededRNG(seed: 31)
  let g = WindowGeometry(
    batch: 3, inH: 5, inW: 6, channels: 2, kH: 3, kW: 3, strideH: 2, strideW: 2,
    padTop: 1, padLeft: 1, outH: 3, outW: 3)
  let x = Tensor(shape: [3, 5, 6, 2]) { _ in rng.uniform(-1, 1) }
  let w = Tensor(shape: [3, 3, 2, 4]) { _ in rng.uniform(-1, 1) }
  let b = Tensor(shape: [4]) { _ in rng.uniform(-1, 1) }
  let whole = Conv2DKernel.forward(x, kernel: w, bias: b, geometry: g)
  let chunked = Conv2DKernel.forward(x, kernel: w, bias: b, geometry: g, maxColumnElements: 1)
  #expect(zip(whole.scalars, chunked.scalars).allSatisfy { abs($0 - $1) <= 1e-5 })
  let dy = Tensor(shape: whole.shape) { _ in rng.uniform(-1, 1) }
  let (dx1, dw1) = Conv2DKernel.backward(
    x, kernel: w, outputGradient: dy, geometry: g, needInput: true, needKernel: true)
  let (dx2, dw2) = Conv2DKernel.backward(
    x, kernel: w, outputGradient: dy, geometry: g, needInput: true, needKernel: true,
    maxColumnElements: 1)
  let a: [Float] = (dx1?.scalars ?? []) + (dw1?.scalars ?? [])
  let c: [Float] = (dx2?.scalars ?? []) + (dw2?.scalars ?? [])
  #expect(a.count == x.count + w.count && c.count == a.count)
  #expect(zip(a, c).allSatisfy { abs($0 - $1) <= 1e-4 })
}
