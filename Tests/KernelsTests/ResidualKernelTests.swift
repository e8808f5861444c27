import Testing
@testable import Kernels
import TensorCore

// The ResNet kernels (pointwise_strided.c, pooling.c) on every ISA path against plain
// references, in SIMDKernelTests' serialized suite (the forced ISA is process-wide).

/// Strided 1×1 convolution with bias, residual and clamp, by the definition in Double.
private func pointwiseReference(
  _ x: Tensor, _ kernel: Tensor, bias: Tensor?, residual: Tensor?, clamp: ActivationKind,
  _ g: WindowGeometry
) -> (value: [Double], magnitude: [Double]) {
  let (k, f) = (g.channels, kernel.shape.last ?? 0)
  var value: [Double] = []
  var magnitude: [Double] = []
  for n in 0..<g.batch {
    for oy in 0..<g.outH {
      for ox in 0..<g.outW {
        let r = (n * g.outH + oy) * g.outW + ox
        let p = n * g.inputImageSize + ((oy * g.strideH) * g.inW + ox * g.strideW) * k
        for o in 0..<f {
          var s = Double(bias?.scalars[o] ?? 0) + Double(residual?.scalars[r * f + o] ?? 0)
          var mag = abs(s)
          for j in 0..<k {
            let t = Double(x.scalars[p + j]) * Double(kernel.scalars[j * f + o])
            s += t
            mag += abs(t)
          }
          if let c = clamp.clampBounds { s = min(max(s, Double(c.lower)), Double(c.upper)) }
          value.append(s)
          magnitude.append(mag)
        }
      }
    }
  }
  return (value, magnitude)
}

extension SIMDKernelTests {
  /// Strides 1-3 (also unequal), depths and widths that leave row and column tails
  /// (8×32 AVX-512 and 6×16 AVX2 tiles), chunks of more than 512 rows.
  /// Tolerance 1e-5·(1 + Σ|terms|): Float32 sums in another order.
  @Test(arguments: KernelISA.allCases)
  func stridedPointwiseMatchesDefinition(isa: KernelISA) {
    var rng = SeededRNG(seed: 61 + UInt64(isa.rawValue))
    let cases = [
      (1, 1, 1, 1), (3, 5, 2, 2), (16, 16, 1, 1), (17, 33, 2, 1), (40, 50, 3, 3),
      (8, 96, 1, 2), (24, 7, 2, 2), (64, 40, 2, 2), (5, 70, 1, 1),
    ]
    KernelISA.withForced(isa) {
      for (trial, (k, f, sh, sw)) in cases.enumerated() {
        func r(_ lo: Int, _ hi: Int) -> Int { lo + Int(rng.next() % UInt64(hi - lo + 1)) }
        let big = trial == 4
        let (n, h, w) = (r(1, 3), big ? 31 : r(1, 9), big ? 29 : r(1, 11))
        let (oh, ow) = ((h - 1) / sh + 1, (w - 1) / sw + 1)
        let g = WindowGeometry(
          batch: n, inH: h, inW: w, channels: k, kH: 1, kW: 1, strideH: sh, strideW: sw,
          padTop: 0, padLeft: 0, outH: oh, outW: ow)
        #expect(PointwiseConvKernel.isApplicable(g))
        let x = Tensor(shape: [n, h, w, k]) { _ in rng.uniform(-1, 1) }
        let kernel = Tensor(shape: [1, 1, k, f]) { _ in rng.uniform(-1, 1) }
        let bias: Tensor? = trial % 2 == 0 ? Tensor(shape: [f]) { _ in rng.uniform(-1, 1) } : nil
        let res: Tensor? =
          trial % 3 == 2 ? nil : Tensor(shape: [n, oh, ow, f]) { _ in rng.uniform(-2, 2) }
        let clamp: ActivationKind = [.linear, .relu, .relu6, .relu][
          trial % 4]
        let got = PointwiseConvKernel.forward(
          x, kernel: kernel, bias: bias, geometry: g, residual: res, activation: clamp)
        #expect(got.shape == [n, oh, ow, f])
        let want = pointwiseReference(x, kernel, bias: bias, residual: res, clamp: clamp, g)
        let bad = (0..<got.count).filter {
          abs(Double(got.scalars[$0]) - want.value[$0]) > 1e-5 * (1 + want.magnitude[$0])
        }
        #expect(bad.isEmpty, "\(isa) trial \(trial): \(g), \(bad.count) wrong")
      }
    }
  }

  @Test(arguments: KernelISA.allCases)
  func addResidualMatchesDefinition(isa: KernelISA) {
    var rng = SeededRNG(seed: 71 + UInt64(isa.rawValue))
    KernelISA.withForced(isa) {
      for c in [1, 3, 8, 15, 16, 17, 33, 96] {
        let rows = 1 + Int(rng.next() % 50)
        let y = Tensor(shape: [rows, c]) { _ in rng.uniform(-8, 8) }
        let res = Tensor(shape: [rows, c]) { _ in rng.uniform(-8, 8) }
        let shift = (0..<c).map { _ in rng.uniform(-2, 2) }
        for (shiftOrNil, clamp) in [(shift, ActivationKind.relu), (nil, .linear)] {
          var got = y
          ChannelAffine.addResidual(&got, res, channels: c, shift: shiftOrNil, activation: clamp)
          let want = (0..<y.count).map { i -> Float in
            let v = y.scalars[i] + (shiftOrNil?[i % c] ?? 0) + res.scalars[i]
            return clamp.clampBounds.map { min(max(v, $0.lower), $0.upper) } ?? v
          }
          let ok = zip(got.scalars, want).allSatisfy { abs($0 - $1) <= 1e-6 * (1 + abs($1)) }
          #expect(ok, "\(isa) c=\(c)")
        }
      }
    }
  }

  /// The SIMD max pool equals the reference loop exactly (a max rounds nothing), with
  /// 'same'-style padding that never wins, and with zero padding folded in equals padding
  /// with zeros first (on inputs of both signs, so the zeros do win somewhere).
  @Test(arguments: KernelISA.allCases)
  func maxPoolMatchesReference(isa: KernelISA) {
    var rng = SeededRNG(seed: 81 + UInt64(isa.rawValue))
    KernelISA.withForced(isa) {
      for trial in 0..<40 {
        func r(_ lo: Int, _ hi: Int) -> Int { lo + Int(rng.next() % UInt64(hi - lo + 1)) }
        let (kH, kW, sH, sW) = (r(1, 3), r(1, 3), r(1, 3), r(1, 3))
        let (h, w, c, n) = (r(kH, 12), r(kW, 13), [1, 3, 8, 16, 17, 40, 64, 70][trial % 8], r(1, 2))
        let (pt, pl) = (r(0, kH - 1), r(0, kW - 1))
        let g = WindowGeometry(
          batch: n, inH: h, inW: w, channels: c, kH: kH, kW: kW, strideH: sH, strideW: sW,
          padTop: pt, padLeft: pl, outH: (h + pt - kH) / sH + 1 + r(0, 1),
          outW: (w + pl - kW) / sW + 1 + r(0, 1))
        let x = Tensor(shape: [n, h, w, c]) { _ in rng.uniform(-2, 2) }
        let (want, _) = PoolingKernel.maxForward(x, geometry: g)
        let got = PoolingKernel.maxForwardFast(x, geometry: g)
        #expect(got == want, "\(isa) trial \(trial): \(g)")
        // Zeros: pad explicitly by (pt, pl) top/left and enough bottom/right, pool 'valid'.
        let (pb, pr) = (r(0, 2), r(0, 2))
        let padded = ZeroPaddingKernel.pad(x, top: pt, bottom: pb, left: pl, right: pr)
        let (ph, pw) = (h + pt + pb, w + pl + pr)
        let valid = WindowGeometry(
          batch: n, inH: ph, inW: pw, channels: c, kH: kH, kW: kW, strideH: sH, strideW: sW,
          padTop: 0, padLeft: 0, outH: (ph - kH) / sH + 1, outW: (pw - kW) / sW + 1)
        let (wantZero, _) = PoolingKernel.maxForward(padded, geometry: valid)
        var folded = valid
        (folded.inH, folded.inW, folded.padTop, folded.padLeft) = (h, w, pt, pl)
        let gotZero = PoolingKernel.maxForwardFast(x, geometry: folded, zeroPadding: true)
        #expect(gotZero == wantZero, "\(isa) trial \(trial) zero padded: \(folded)")
      }
    }
  }
}
