import Testing
@testable import Kernels
import TensorCore

// The training kernels (Sources/CKernels/bn_train.c, depthwise_backward.c) through every ISA
// path (scalar C, AVX2, AVX-512; a path the CPU lacks falls back to the best it has) against
// plain loops in Double, on shapes that leave partial vectors (channels 1-40) and odd row
// counts. Tolerances are stated per test; the kernels sum in Float32 within blocks (FMA or
// not, in another order), so they differ from the Double reference by Float32 round-off.

private func randomDepthwiseGeometry(_ rng: inout SeededRNG) -> WindowGeometry {
  func r(_ lo: Int, _ hi: Int) -> Int { lo + Int(rng.next() % UInt64(hi - lo + 1)) }
  let square = r(0, 2) > 0
  let kH = square ? 3 : r(1, 5), kW = square ? 3 : r(1, 5)
  let sH = r(1, 3), sW = r(1, 3)
  let inH = r(kH, 11), inW = r(kW, 19)
  let padTop = r(0, kH - 1), padLeft = r(0, kW - 1)
  // Sometimes one more output row/column than 'valid' gives: padding below/right too.
  let outH = (inH + padTop - kH) / sH + 1 + r(0, 1)
  let outW = (inW + padLeft - kW) / sW + 1 + r(0, 1)
  return WindowGeometry(
    batch: r(1, 5), inH: inH, inW: inW, channels: r(1, 40), kH: kH, kW: kW,
    strideH: sH, strideW: sW, padTop: padTop, padLeft: padLeft, outH: outH, outW: outW)
}

/// |a − b| ≤ tol·(1 + |b|) elementwise, same shapes.
private func within(_ a: Tensor, _ b: Tensor, _ tol: Float) -> Bool {
  a.shape == b.shape
    && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= tol * (1 + abs($1)) }
}

/// Serialized: the forced ISA is process-wide.
@Suite(.serialized) struct TrainingKernelTests {
  /// Depthwise backward (multiplier 1), SIMD vs the Swift reference loops. Tolerance
  /// 1e-5·(1 + |ref|): dx sums ≤ 25 products; dw sums up to 5·11·19 products, but of
  /// values in [−2, 2] against a Float32 reference with the same terms.
  @Test(arguments: KernelISA.allCases)
  func depthwiseBackwardMatchesReference(isa: KernelISA) {
    var rng = SeededRNG(seed: 71 + UInt64(isa.rawValue))
    KernelISA.withForced(isa) {
      for trial in 0..<80 {
        var g = randomDepthwiseGeometry(&rng)
        if trial < 4 {
          // MobileNetV2-like: wide rows (the 3x3 fast paths), stride 1 and 2, 'same'.
          let s = trial % 2 + 1
          g = WindowGeometry(
            batch: 2, inH: 9, inW: 23, channels: [35, 48][trial / 2], kH: 3, kW: 3,
            strideH: s, strideW: s, padTop: s == 1 ? 1 : 0, padLeft: s == 1 ? 1 : 0,
            outH: s == 1 ? 9 : 5, outW: s == 1 ? 23 : 12)
        }
        let c = g.channels
        let x = Tensor(shape: [g.batch, g.inH, g.inW, c]) { _ in rng.uniform(-2, 2) }
        let w = Tensor(shape: [g.kH, g.kW, c, 1]) { _ in rng.uniform(-1, 1) }
        let dy = Tensor(shape: [g.batch, g.outH, g.outW, c]) { _ in rng.uniform(-1, 1) }
        let want = DepthwiseConvKernel.referenceBackward(
          x, kernel: w, outputGradient: dy, multiplier: 1, geometry: g, needInput: true,
          needKernel: true)
        let got = DepthwiseConvKernel.backward(
          x, kernel: w, outputGradient: dy, multiplier: 1, geometry: g, needInput: true,
          needKernel: true)
        guard let wx = want.input, let ww = want.kernel, let gx = got.input,
          let gw = got.kernel
        else {
          Issue.record("\(isa) trial \(trial): missing gradient")
          continue
        }
        #expect(within(gx, wx, 1e-5), "\(isa) trial \(trial) dx: \(g)")
        #expect(within(gw, ww, 1e-5), "\(isa) trial \(trial) dw: \(g)")
        // One of the two alone gives the same values, bit for bit (the forced ISA is this
        // thread's, so tests running alongside cannot change it).
        let onlyKernel = DepthwiseConvKernel.backward(
          x, kernel: w, outputGradient: dy, multiplier: 1, geometry: g, needInput: false,
          needKernel: true)
        #expect(onlyKernel.input == nil)
        #expect(onlyKernel.kernel?.scalars == gw.scalars)
      }
    }
  }

  /// Batch moments vs two passes in Double, with channel means far from zero (the shifted
  /// sums keep E[x²] − E[x]² from cancelling). Tolerance: mean 1e-6·(1 + |μ|) (Float32
  /// partial sums of ≤ 16 rows), variance 1e-5·σ² relative.
  @Test(arguments: KernelISA.allCases)
  func batchNormMomentsMatchDouble(isa: KernelISA) {
    var rng = SeededRNG(seed: 5 + UInt64(isa.rawValue))
    KernelISA.withForced(isa) {
      for (rows, c) in [(1, 3), (7, 1), (37, 17), (300, 40), (2000, 33), (40000, 5)] {
        let offsets = (0..<c).map { _ in rng.uniform(-50, 50) }
        let spreads = (0..<c).map { _ in rng.uniform(0.01, 3) }
        let x = Tensor(shape: [rows, c]) { i in
          offsets[i % c] + spreads[i % c] * rng.uniform(-1, 1)
        }
        let (mean, variance) = BatchNormKernel.moments(x, channels: c)
        for j in 0..<c {
          var s = 0.0
          for r in 0..<rows { s += Double(x.scalars[r * c + j]) }
          let m = s / Double(rows)
          var q = 0.0
          for r in 0..<rows {
            let d = Double(x.scalars[r * c + j]) - m
            q += d * d
          }
          let v = q / Double(rows)
          #expect(abs(mean[j] - m) <= 1e-6 * (1 + abs(m)), "\(isa) \(rows)x\(c) mean \(j)")
          #expect(abs(variance[j] - v) <= 1e-5 * v + 1e-9, "\(isa) \(rows)x\(c) var \(j)")
        }
      }
    }
  }

  /// Backward sums and dx vs Double loops, with and without a fused clamp mask.
  /// Tolerance: sums 1e-5·(1 + Σ|terms|); dx 1e-5·(1 + |ref|).
  @Test(arguments: KernelISA.allCases)
  func batchNormBackwardMatchesDouble(isa: KernelISA) {
    var rng = SeededRNG(seed: 9 + UInt64(isa.rawValue))
    KernelISA.withForced(isa) {
      for (trial, (rows, c)) in [(1, 3), (19, 17), (300, 40), (1500, 33), (64, 16)].enumerated()
      {
        let x = Tensor(shape: [rows, c]) { _ in rng.uniform(-2, 3) }
        let dy = Tensor(shape: [rows, c]) { _ in rng.uniform(-1, 1) }
        let mean = (0..<c).map { _ in rng.uniform(-1, 1) }
        let a = (0..<c).map { _ in rng.uniform(-2, 2) }
        let b = (0..<c).map { _ in rng.uniform(-2, 2) }
        let k = (0..<c).map { _ in rng.uniform(-2, 2) }
        let clamp = [ActivationKind.linear, .relu, .relu6, .relu][trial % 4]
        let mask = ClampMask(
          scale: (0..<c).map { _ in rng.uniform(-3, 3) },
          shift: (0..<c).map { _ in rng.uniform(-1, 1) }, activation: clamp)
        func d(_ i: Int) -> Double {
          guard let mask else { return Double(dy.scalars[i]) }
          let j = i % c
          let y = x.scalars[i] * mask.scale[j] + mask.shift[j]
          return y > mask.lower && y < mask.upper ? Double(dy.scalars[i]) : 0
        }
        let (sumDy, sumDyX) = BatchNormKernel.backwardSums(
          dy, x, channels: c, mean: mean, mask: mask)
        let dx = BatchNormKernel.inputGradient(
          dy, x, channels: c, mean: mean, a: a, b: b, k: k, mask: mask)
        let fixed = BatchNormKernel.inputGradient(
          dy, x, channels: c, mean: mean, a: a, b: nil, k: nil, mask: mask)
        for j in 0..<c {
          var s = 0.0, q = 0.0, scale = 1.0
          for r in 0..<rows {
            let i = r * c + j
            s += d(i)
            q += d(i) * (Double(x.scalars[i]) - Double(mean[j]))
            scale += abs(d(i)) * (1 + abs(Double(x.scalars[i])))
          }
          #expect(abs(sumDy[j] - s) <= 1e-5 * scale, "\(isa) \(rows)x\(c) Σdy \(j)")
          #expect(abs(sumDyX[j] - q) <= 1e-5 * scale, "\(isa) \(rows)x\(c) Σdy·x \(j)")
        }
        var want = dy
        var wantFixed = dy
        for i in 0..<dy.count {
          let j = i % c
          let xc = Double(x.scalars[i]) - Double(mean[j])
          want.scalars[i] = Float(Double(a[j]) * d(i) + Double(b[j]) * xc + Double(k[j]))
          wantFixed.scalars[i] = Float(Double(a[j]) * d(i))
        }
        #expect(within(dx, want, 1e-5), "\(isa) \(rows)x\(c) dx")
        #expect(within(fixed, wantFixed, 1e-6), "\(isa) \(rows)x\(c) dx (fixed statistics)")
      }
    }
  }

  /// ReLU/ReLU6 backward: exactly dy where lower < y < upper, else 0 (also at the kinks).
  @Test(arguments: KernelISA.allCases)
  func clampBackwardIsExact(isa: KernelISA) {
    var rng = SeededRNG(seed: 13)
    KernelISA.withForced(isa) {
      for n in [1, 15, 16, 17, 1000, 200_003] {
        // Values on the kinks (0, 6) and between.
        let y = Tensor(shape: [n]) { i in i % 5 == 0 ? 0 : i % 7 == 0 ? 6 : rng.uniform(-2, 8) }
        let dy = Tensor(shape: [n]) { _ in rng.uniform(-1, 1) }
        for clamp: (lower: Float, upper: Float) in [(0, .infinity), (0, 6), (-0.5, 0.5)] {
          let got = ClampBackward.gradient(
            dy, output: y, lower: clamp.lower, upper: clamp.upper)
          let want = Tensor(shape: [n]) { i in
            y.scalars[i] > clamp.lower && y.scalars[i] < clamp.upper ? dy.scalars[i] : 0
          }
          #expect(got == want, "\(isa) n \(n) \(clamp)")
        }
      }
    }
  }
}
