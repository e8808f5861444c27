import Testing
@testable import Kernels
import TensorCore

// The fused inverted-residual block (CKernels/invres.c) through every ISA path the CPU has,
// against the unfused chain: pointwise expand + clamp, depthwise + clamp, pointwise project,
// then the residual add, each through its own kernel. Shapes: odd sizes, stride 1 and 2,
// 'same'-style and folded-ZeroPadding-style padding, with and without residual, batches of
// 1 (row chunks per image) and 3, and images wide enough for several bands per chunk.
// Tolerance |fused − chain| ≤ 1e-5·(1 + |chain|): the same Float32 operations in the same
// order per element (bands only change which rows are computed together), so in practice
// they agree exactly.

private struct BlockCase {
  var batch: Int, inH: Int, inW: Int, cin: Int, hidden: Int, cout: Int
  var stride: Int, padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
  var residual: Bool
  /// No expand kernel (hidden = cin), as MobileNetV2's first block.
  var expands = true
}

private func geometry(_ c: BlockCase) -> WindowGeometry {
  let outH = (c.inH + c.padTop + c.padBottom - 3) / c.stride + 1
  let outW = (c.inW + c.padLeft + c.padRight - 3) / c.stride + 1
  return WindowGeometry(
    batch: c.batch, inH: c.inH, inW: c.inW, channels: c.hidden, kH: 3, kW: 3,
    strideH: c.stride, strideW: c.stride, padTop: c.padTop, padLeft: c.padLeft, outH: outH,
    outW: outW)
}

private let cases: [BlockCase] = [
  BlockCase(batch: 3, inH: 7, inW: 9, cin: 3, hidden: 5, cout: 3, stride: 1, padTop: 1,
    padLeft: 1, padBottom: 1, padRight: 1, residual: true),
  BlockCase(batch: 1, inH: 6, inW: 11, cin: 4, hidden: 17, cout: 9, stride: 2, padTop: 0,
    padLeft: 0, padBottom: 1, padRight: 1, residual: false),
  BlockCase(batch: 1, inH: 45, inW: 37, cin: 8, hidden: 96, cout: 8, stride: 1, padTop: 1,
    padLeft: 1, padBottom: 1, padRight: 1, residual: true),
  BlockCase(batch: 2, inH: 29, inW: 31, cin: 16, hidden: 96, cout: 24, stride: 2, padTop: 0,
    padLeft: 0, padBottom: 1, padRight: 1, residual: false),
  BlockCase(batch: 3, inH: 23, inW: 19, cin: 24, hidden: 144, cout: 33, stride: 1, padTop: 1,
    padLeft: 1, padBottom: 1, padRight: 1, residual: false),
  BlockCase(batch: 1, inH: 40, inW: 57, cin: 16, hidden: 96, cout: 24, stride: 2, padTop: 1,
    padLeft: 1, padBottom: 1, padRight: 1, residual: false),
  BlockCase(batch: 2, inH: 41, inW: 39, cin: 32, hidden: 32, cout: 16, stride: 1, padTop: 1,
    padLeft: 1, padBottom: 1, padRight: 1, residual: false, expands: false),
  BlockCase(batch: 1, inH: 9, inW: 13, cin: 12, hidden: 12, cout: 12, stride: 1, padTop: 1,
    padLeft: 1, padBottom: 1, padRight: 1, residual: true, expands: false),
]

/// Serialized: the forced ISA is process-wide.
@Suite(.serialized) struct InvertedResidualTests {
  @Test(arguments: KernelISA.allCases)
  func fusedBlockMatchesTheChain(isa: KernelISA) {
    var rng = SeededRNG(seed: 61 + UInt64(isa.rawValue))
    KernelISA.withForced(isa) {
      for (i, c) in cases.enumerated() {
        let g = geometry(c)
        let x = Tensor(shape: [c.batch, c.inH, c.inW, c.cin]) { _ in rng.uniform(-2, 2) }
        func t(_ shape: [Int], _ s: Float) -> Tensor {
          Tensor(shape: shape) { _ in rng.uniform(-s, s) }
        }
        let w = InvertedResidualWeights(
          expand: c.expands ? t([1, 1, c.cin, c.hidden], 0.8) : nil,
          expandBias: c.expands ? t([c.hidden], 1) : nil, expandActivation: c.expands ? .relu6 : .linear,
          depthwise: t([3, 3, c.hidden, 1], 0.8),
          depthwiseBias: i % 2 == 0 ? t([c.hidden], 1) : nil,
          depthwiseActivation: i % 3 == 2 ? .relu : .relu6, project: t([1, 1, c.hidden, c.cout], 0.5),
          projectBias: t([c.cout], 1))
        #expect(
          InvertedResidualKernel.isApplicable(
            inputShape: x.shape, weights: w, depthwise: g, residual: c.residual))
        let e = w.expand.map {
          PointwiseConvKernel.forward(x, kernel: $0, bias: w.expandBias, activation: w.expandActivation)
        } ?? x
        let d = DepthwiseConvKernel.forward(
          e, kernel: w.depthwise, bias: w.depthwiseBias, multiplier: 1, geometry: g,
          activation: w.depthwiseActivation)
        var want = PointwiseConvKernel.forward(
          d, kernel: w.project, bias: w.projectBias, activation: .linear)
        if c.residual { want.add(x.scalars) }
        let got = InvertedResidualKernel.forward(x, weights: w, depthwise: g, residual: c.residual)
        let ok = got.shape == want.shape
          && zip(got.scalars, want.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * (1 + abs($1)) }
        #expect(ok, "\(isa) case \(i): \(c)")
      }
    }
  }

  @Test func residualNeedsStrideOneAndEqualShapes() {
    let c = cases[1]
    let g = geometry(c)
    let w = InvertedResidualWeights(
      expand: Tensor(zeros: [1, 1, 4, 17]), expandBias: nil, expandActivation: .linear,
      depthwise: Tensor(zeros: [3, 3, 17, 1]), depthwiseBias: nil, depthwiseActivation: .linear,
      project: Tensor(zeros: [1, 1, 17, 4]), projectBias: nil)
    let shape = [1, c.inH, c.inW, 4]
    #expect(!InvertedResidualKernel.isApplicable(
      inputShape: shape, weights: w, depthwise: g, residual: true))
    #expect(InvertedResidualKernel.isApplicable(
      inputShape: shape, weights: w, depthwise: g, residual: false))
    #expect(!InvertedResidualKernel.isApplicable(
      inputShape: [1, c.inH, c.inW, 5], weights: w, depthwise: g, residual: false))
  }
}
