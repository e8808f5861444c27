import Testing
@testable import Kernels
import TensorCore

// The C Winograd kernels (Sources/CKernels/winograd*.c: input transform, per-point GEMMs,
// output transform with bias + clamp) through each ISA path the CPU has (scalar C, AVX2+FMA,
// AVX-512; a path the CPU lacks falls back to the best it has), against the Swift transforms
// + OpenBLAS path (`cKernels: false`), on odd shapes: channel counts that leave partial
// 8/16-lane vectors and partial 64-column GEMM blocks, tile rows that are not multiples of
// the 6-row GEMM tile, edge tiles clipped on both sides, several chunks.
//
// Tolerance: |c − swift| ≤ 2 · 2e-6 · (1 + max|linear output|) · √(9·in) / 3, twice the
// bound WinogradTests states against direct convolution (WinogradTests also runs the C path,
// the default, against direct convolution in Double with that bound). The filter transform:
// C vs Swift ≤ 1e-6 · (1 + |swift|) (a handful of roundings of values ≤ 1).

/// Serialized: the forced ISA is process-wide.
@Suite(.serialized) struct WinogradCKernelTests {
  struct Shape: CustomStringConvertible, Sendable {
    let batch: Int, h: Int, w: Int, c: Int, f: Int, pad: Int
    var description: String { "\(batch)x\(h)x\(w)x\(c)→\(f) pad \(pad)" }
  }

  static let shapes: [Shape] = [
    Shape(batch: 1, h: 8, w: 8, c: 8, f: 8, pad: 1),
    Shape(batch: 2, h: 7, w: 9, c: 13, f: 5, pad: 1),
    Shape(batch: 3, h: 5, w: 11, c: 17, f: 19, pad: 0),
    Shape(batch: 1, h: 1, w: 6, c: 8, f: 1, pad: 1),
    Shape(batch: 2, h: 14, w: 13, c: 24, f: 70, pad: 1),
    Shape(batch: 1, h: 10, w: 9, c: 130, f: 131, pad: 1),
    Shape(batch: 2, h: 7, w: 7, c: 33, f: 129, pad: 1),
  ]

  @Test(arguments: KernelISA.allCases)
  func cKernelsMatchSwiftPath(isa: KernelISA) throws {
    var rng = SeededRNG(seed: 77 + UInt64(isa.rawValue))
    try KernelISA.withForced(isa) {
      #expect(KernelISA.active.rawValue <= isa.rawValue)
      for (trial, s) in Self.shapes.enumerated() {
        let (oh, ow) = (s.h + 2 * s.pad - 2, s.w + 2 * s.pad - 2)
        let g = WindowGeometry(
          batch: s.batch, inH: s.h, inW: s.w, channels: s.c, kH: 3, kW: 3, strideH: 1,
          strideW: 1, padTop: s.pad, padLeft: s.pad, outH: oh, outW: ow)
        let x = Tensor(shape: [s.batch, s.h, s.w, s.c]) { _ in rng.uniform(-1, 1) }
        let w = Tensor(shape: [3, 3, s.c, s.f]) { _ in rng.uniform(-1, 1) }
        let b: Tensor? = trial % 3 == 1 ? nil : Tensor(shape: [s.f]) { _ in rng.uniform(-1, 1) }
        let act: ActivationKind = [.linear, .relu, .relu6][trial % 3]
        let filter = try #require(WinogradFilter(kernel: w))
        // Whole batch in one chunk, and a scratch bound that forces chunks of a few tiles.
        for limit in [WinogradKernel.defaultMaxScratchElements, 36 * (s.c + s.f) * 7] {
          let want = WinogradKernel.forward(
            x, kernel: w, filter: filter, bias: b, activation: act, geometry: g,
            maxScratchElements: limit, cKernels: false)
          let got = WinogradKernel.forward(
            x, kernel: w, filter: trial % 2 == 0 ? filter : nil, bias: b, activation: act,
            geometry: g, maxScratchElements: limit, cKernels: true)
          #expect(got.shape == want.shape)
          let err = zip(got.scalars, want.scalars).map { abs($0 - $1) }.max() ?? .infinity
          // The scale of the error is that of the output before ReLU6 clips it.
          let linear = WinogradKernel.forward(
            x, kernel: w, filter: filter, bias: b, activation: .linear, geometry: g,
            maxScratchElements: limit, cKernels: false)
          let scale = 1 + (linear.scalars.map(abs).max() ?? 0)
          // Both paths err by up to the stated bound against direct convolution: twice it.
          let bound = 2 * 2e-6 * scale * (9 * Float(s.c)).squareRoot() / 3
          #expect(err <= bound, "\(isa) \(s) limit \(limit): max abs error \(err) > \(bound)")
        }
      }
    }
  }

  @Test(arguments: KernelISA.allCases)
  func filterTransformMatchesSwift(isa: KernelISA) throws {
    var rng = SeededRNG(seed: 91 + UInt64(isa.rawValue))
    try KernelISA.withForced(isa) {
      for (cin, cout) in [(1, 1), (3, 11), (17, 33), (64, 70)] {
        let w = Tensor(shape: [3, 3, cin, cout]) { _ in rng.uniform(-1, 1) }
        let want = try #require(WinogradFilter(kernel: w, cKernels: false))
        let got = try #require(WinogradFilter(kernel: w, cKernels: true))
        let ok = zip(got.scalars, want.scalars).allSatisfy {
          abs($0 - $1) <= 1e-6 * (1 + abs($1))
        }
        #expect(ok, "\(isa) \(cin)→\(cout)")
      }
    }
  }
}
