import Testing
@testable import Kernels
import TensorCore

// The direct small-Cin convolution (CKernels/smallcin.c) through every ISA path the CPU has
// (scalar C, AVX2, AVX-512) against the im2col + GEMM path, on random odd geometries: 1-4
// input channels, windows 1-7, strides 1-3, padding up to the window size on either side
// (as a folded ZeroPadding2D gives), output channels 1-70 (partial vectors and pixel tiles).
// Tolerance |direct − im2col| ≤ 1e-5·(1 + Σ|x·w|) per output: both are Float32 sums of the
// same ≤ 196 products in different orders (with or without FMA).

private func randomSmallCinGeometry(_ rng: inout SeededRNG) -> WindowGeometry {
  func r(_ lo: Int, _ hi: Int) -> Int { lo + Int(rng.next() % UInt64(hi - lo + 1)) }
  let kH = r(1, 7), kW = r(1, 7)
  let sH = r(1, 3), sW = r(1, 3)
  let inH = r(1, 12), inW = r(1, 23)
  let padTop = r(0, kH), padLeft = r(0, kW)
  let padBottom = r(0, kH), padRight = r(0, kW)
  let outH = max(1, (inH + padTop + padBottom - kH) / sH + 1)
  let outW = max(1, (inW + padLeft + padRight - kW) / sW + 1)
  return WindowGeometry(
    batch: r(1, 3), inH: inH, inW: inW, channels: r(1, 4), kH: kH, kW: kW,
    strideH: sH, strideW: sW, padTop: padTop, padLeft: padLeft, outH: outH, outW: outW)
}

/// Σ|x·w| per output element, in Double: the scale of the rounding error.
private func magnitudes(_ x: Tensor, _ w: Tensor, _ g: WindowGeometry, filters f: Int) -> [Double]
{
  var mag = [Double](repeating: 0, count: g.batch * g.outputPixels * f)
  for n in 0..<g.batch {
    for oy in 0..<g.outH {
      for ox in 0..<g.outW {
        let o0 = ((n * g.outH + oy) * g.outW + ox) * f
        for ky in 0..<g.kH {
          let iy = oy * g.strideH - g.padTop + ky
          guard iy >= 0 && iy < g.inH else { continue }
          for kx in 0..<g.kW {
            let ix = ox * g.strideW - g.padLeft + kx
            guard ix >= 0 && ix < g.inW else { continue }
            for c in 0..<g.channels {
              let xv = abs(Double(x.scalars[((n * g.inH + iy) * g.inW + ix) * g.channels + c]))
              let w0 = ((ky * g.kW + kx) * g.channels + c) * f
              for o in 0..<f { mag[o0 + o] += xv * abs(Double(w.scalars[w0 + o])) }
            }
          }
        }
      }
    }
  }
  return mag
}

/// Serialized: the forced ISA is process-wide.
@Suite(.serialized) struct SmallCinConvTests {
  @Test(arguments: KernelISA.allCases)
  func directMatchesIm2col(isa: KernelISA) {
    var rng = SeededRNG(seed: 131 + UInt64(isa.rawValue))
    KernelISA.withForced(isa) {
      for trial in 0..<60 {
        let g = randomSmallCinGeometry(&rng)
        let f = [1, 5, 16, 17, 32, 33, 64, 70][trial % 8]
        let x = Tensor(shape: [g.batch, g.inH, g.inW, g.channels]) { _ in rng.uniform(-2, 2) }
        let w = Tensor(shape: [g.kH, g.kW, g.channels, f]) { _ in rng.uniform(-1, 1) }
        let b: Tensor? = trial % 3 == 0 ? nil : Tensor(shape: [f]) { _ in rng.uniform(-1, 1) }
        let clamp: ActivationKind = [.linear, .relu, .relu6, .relu][
          trial % 4]
        var want = Conv2DKernel.im2colForward(
          x, kernel: w, bias: b, geometry: g, limit: Conv2DKernel.forwardMaxColumnElements)
        if let c = clamp.clampBounds { want.scalars = want.scalars.map { min(max($0, c.lower), c.upper) } }
        let got = SmallCinConvKernel.forward(x, kernel: w, bias: b, geometry: g, activation: clamp)
        let mag = magnitudes(x, w, g, filters: f)
        let ok = got.shape == want.shape
          && (0..<want.count).allSatisfy {
            abs(Double(got.scalars[$0]) - Double(want.scalars[$0])) <= 1e-5 * (1 + mag[$0])
          }
        #expect(ok, "\(isa) trial \(trial): \(g) filters \(f)")
      }
    }
  }

  /// The RGB stems of the zoo at a reduced size, through `Conv2DKernel.forward` (which
  /// dispatches here) against im2col: MobileNetV2 Conv1 (3×3/2, padding folded from
  /// ZeroPadding2D), ResNet50 conv1 (7×7/2, pad 3), VGG16 block1_conv1 (3×3/1 'same', ReLU).
  @Test func zooStemsMatchIm2col() {
    var rng = SeededRNG(seed: 7)
    let stems: [(WindowGeometry, Int, ActivationKind)] = [
      (WindowGeometry(batch: 2, inH: 33, inW: 31, channels: 3, kH: 3, kW: 3, strideH: 2,
        strideW: 2, padTop: 0, padLeft: 0, outH: 16, outW: 15), 32, .relu6),
      (WindowGeometry(batch: 1, inH: 37, inW: 35, channels: 3, kH: 7, kW: 7, strideH: 2,
        strideW: 2, padTop: 3, padLeft: 3, outH: 19, outW: 18), 64, .linear),
      (WindowGeometry(batch: 2, inH: 19, inW: 21, channels: 3, kH: 3, kW: 3, strideH: 1,
        strideW: 1, padTop: 1, padLeft: 1, outH: 19, outW: 21), 64, .relu),
    ]
    for (g, f, act) in stems {
      #expect(SmallCinConvKernel.isApplicable(g))
      let x = Tensor(shape: [g.batch, g.inH, g.inW, 3]) { _ in rng.uniform(0, 1) }
      let w = Tensor(shape: [g.kH, g.kW, 3, f]) { _ in rng.uniform(-0.5, 0.5) }
      let b = Tensor(shape: [f]) { _ in rng.uniform(-1, 1) }
      let got = Conv2DKernel.forward(x, kernel: w, bias: b, activation: act, geometry: g)
      var want = Conv2DKernel.im2colForward(
        x, kernel: w, bias: b, geometry: g, limit: Conv2DKernel.forwardMaxColumnElements)
      ChannelAffine.apply(&want, channels: f, activation: act)
      let mag = magnitudes(x, w, g, filters: f)
      let ok = (0..<want.count).allSatisfy {
        abs(Double(got.scalars[$0]) - Double(want.scalars[$0])) <= 1e-5 * (1 + mag[$0])
      }
      #expect(got.shape == want.shape && ok, "\(g)")
    }
  }
}
