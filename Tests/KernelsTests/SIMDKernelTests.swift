import Testing
@testable import Kernels
import TensorCore

// Every ISA path of the CKernels (scalar C, AVX2, AVX-512; a path the CPU lacks falls back
// to the best it has) against the plain Swift reference loop, on random geometries with
// channel counts that leave partial vectors (1-40), widths that exercise the four-pixel
// interior loop and the edges, strides 1-3 and 'same'-style padding.
// Tolerance |simd − reference| ≤ 1e-5·(1 + |reference|): both sum ≤ 16 Float32 products,
// in different orders and with or without FMA.

private func randomDepthwiseGeometry(_ rng: inout SeededRNG) -> WindowGeometry {
  func r(_ lo: Int, _ hi: Int) -> Int { lo + Int(rng.next() % UInt64(hi - lo + 1)) }
  let square = r(0, 2) > 0
  let kH = square ? 3 : r(1, 4), kW = square ? 3 : r(1, 4)
  let sH = r(1, 3), sW = r(1, 3)
  let inH = r(kH, 10), inW = r(kW, 17)
  let padTop = r(0, kH - 1), padLeft = r(0, kW - 1)
  let outH = (inH + padTop - kH) / sH + 1 + r(0, 1)
  let outW = (inW + padLeft - kW) / sW + 1 + r(0, 1)
  return WindowGeometry(
    batch: r(1, 3), inH: inH, inW: inW, channels: r(1, 40), kH: kH, kW: kW,
    strideH: sH, strideW: sW, padTop: padTop, padLeft: padLeft, outH: outH, outW: outW)
}

private func within(_ a: Tensor, _ b: Tensor, _ tol: Float = 1e-5) -> Bool {
  a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= tol * (1 + abs($1)) }
}

private func clamped(_ t: Tensor, _ a: ActivationKind) -> Tensor {
  guard let c = a.clampBounds else { return t }
  var u = t
  u.scalars = u.scalars.map { min(max($0, c.lower), c.upper) }
  return u
}

/// Serialized: the forced ISA is process-wide.
@Suite(.serialized) struct SIMDKernelTests {
  @Test(arguments: KernelISA.allCases)
  func depthwiseSIMDMatchesReference(isa: KernelISA) {
    var rng = SeededRNG(seed: 41 + UInt64(isa.rawValue))
    KernelISA.withForced(isa) {
      #expect(KernelISA.active.rawValue <= isa.rawValue)
      for trial in 0..<60 {
        let g = randomDepthwiseGeometry(&rng)
        let c = g.channels
        let x = Tensor(shape: [g.batch, g.inH, g.inW, c]) { _ in rng.uniform(-2, 2) }
        let w = Tensor(shape: [g.kH, g.kW, c, 1]) { _ in rng.uniform(-1, 1) }
        let b: Tensor? = trial % 3 == 0 ? nil : Tensor(shape: [c]) { _ in rng.uniform(-1, 1) }
        let clamp: ActivationKind = [.linear, .relu, .relu6, .relu][
          trial % 4]
        let want = clamped(
          DepthwiseConvKernel.reference(x, kernel: w, bias: b, multiplier: 1, geometry: g), clamp)
        let got = DepthwiseConvKernel.forward(
          x, kernel: w, bias: b, multiplier: 1, geometry: g, activation: clamp)
        #expect(within(got, want), "\(isa) trial \(trial): \(g)")
      }
    }
  }

  @Test func depthwiseMultiplierAboveOneKeepsTheReferencePath() {
    var rng = SeededRNG(seed: 5)
    let g = WindowGeometry(
      batch: 2, inH: 6, inW: 7, channels: 3, kH: 3, kW: 3, strideH: 1, strideW: 2,
      padTop: 1, padLeft: 1, outH: 6, outW: 4)
    let x = Tensor(shape: [2, 6, 7, 3]) { _ in rng.uniform(-2, 2) }
    let w = Tensor(shape: [3, 3, 3, 2]) { _ in rng.uniform(-1, 1) }
    let want = clamped(
      DepthwiseConvKernel.reference(x, kernel: w, bias: nil, multiplier: 2, geometry: g), .relu6)
    let got = DepthwiseConvKernel.forward(
      x, kernel: w, bias: nil, multiplier: 2, geometry: g, activation: .relu6)
    #expect(within(got, want))
  }

  @Test(arguments: KernelISA.allCases)
  func channelAffineMatchesDefinition(isa: KernelISA) {
    var rng = SeededRNG(seed: 9 + UInt64(isa.rawValue))
    KernelISA.withForced(isa) {
      for c in [1, 3, 8, 15, 16, 17, 33, 96] {
        let rows = 1 + Int(rng.next() % 50)
        let x = Tensor(shape: [rows, c]) { _ in rng.uniform(-8, 8) }
        let scale = (0..<c).map { _ in rng.uniform(-2, 2) }
        let shift = (0..<c).map { _ in rng.uniform(-2, 2) }
        for clamp in [ActivationKind.linear, .relu6] {
          var want = x
          for i in 0..<x.count {
            want.scalars[i] = x.scalars[i] * scale[i % c] + shift[i % c]
          }
          want = clamped(want, clamp)
          let got = ChannelAffine.map(x, channels: c, scale: scale, shift: shift, activation: clamp)
          #expect(within(got, want, 1e-6), "\(isa) c=\(c)")
          var inPlace = x
          ChannelAffine.apply(&inPlace, channels: c, shift: shift, activation: .relu)
          let wantShift = clamped(
            Tensor(shape: x.shape) { x.scalars[$0] + shift[$0 % c] }, .relu)
          #expect(within(inPlace, wantShift, 1e-6), "\(isa) c=\(c) in place")
          // Any bounds (ReLU(max_value:) with another maximum), lower ≠ 0 included.
          let bounded = ChannelAffine.map(
            x, channels: c, scale: scale, shift: nil, bounds: (-0.5, 0.25))
          let wantBounded = Tensor(shape: x.shape) {
            min(max(x.scalars[$0] * scale[$0 % c], -0.5), 0.25)
          }
          #expect(within(bounded, wantBounded, 1e-6), "\(isa) c=\(c) bounds")
        }
      }
    }
  }

  /// 1×1 convolution tiles (8×32 AVX-512, 6×16 AVX2, scalar) with row and column tails,
  /// against the definition in Double. Tolerance 1e-5·(1 + Σ|x·w|): Float32 sums of ≤ 40
  /// products in another order.
  @Test(arguments: KernelISA.allCases)
  func pointwiseMatchesDefinition(isa: KernelISA) {
    var rng = SeededRNG(seed: 23 + UInt64(isa.rawValue))
    KernelISA.withForced(isa) {
      for (trial, (k, f)) in [(1, 1), (3, 5), (16, 16), (17, 33), (40, 50), (8, 96), (24, 7)]
        .enumerated()
      {
        let n = 1 + Int(rng.next() % 3), h = 1 + Int(rng.next() % 5), w = 1 + Int(rng.next() % 7)
        let x = Tensor(shape: [n, h, w, k]) { _ in rng.uniform(-1, 1) }
        let kernel = Tensor(shape: [1, 1, k, f]) { _ in rng.uniform(-1, 1) }
        let bias: Tensor? = trial % 2 == 0 ? Tensor(shape: [f]) { _ in rng.uniform(-1, 1) } : nil
        let clamp: ActivationKind = [.linear, .relu6, .relu][trial % 3]
        let got = PointwiseConvKernel.forward(x, kernel: kernel, bias: bias, activation: clamp)
        #expect(got.shape == [n, h, w, f])
        var ok = true
        for r in 0..<(n * h * w) {
          for o in 0..<f {
            var s = Double(bias?.scalars[o] ?? 0), mag = 0.0
            for j in 0..<k {
              let t = Double(x.scalars[r * k + j]) * Double(kernel.scalars[j * f + o])
              s += t
              mag += abs(t)
            }
            if let c = clamp.clampBounds { s = min(max(s, Double(c.lower)), Double(c.upper)) }
            if abs(Double(got.scalars[r * f + o]) - s) > 1e-5 * (1 + mag) { ok = false }
          }
        }
        #expect(ok, "\(isa) k=\(k) f=\(f)")
      }
    }
  }
}
