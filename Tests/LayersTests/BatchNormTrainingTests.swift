import Testing
import TensorCore
@testable import Layers

/// Training-mode BatchNorm after the move to SIMD kernels: finite differences (the
/// tolerances of LayerGradientTests: error ≤ 2e-3, h = 1e-2) on shapes with partial
/// vectors, and the forward pass against a plain Double reference. (BatchNorm → ReLU fused
/// in a training step is the plan's: ModelsTests/NormActivationTests.)
struct BatchNormTrainingTests {
  @Test(arguments: [[5, 3, 7, 37], [64, 20], [2, 3, 3, 1]])
  func gradientsOnOddShapes(shape: [Int]) throws {
    try expectGradients(BatchNormalization("bn"), [shape])
  }

  /// y = γ(x − μ)/√(σ² + ε) + β with μ, σ² of the batch in Double, twice (the moving
  /// statistics move each time); tolerance
  /// 1e-5·(1 + |y|) (Float32 statistics and Keras's x·s + (β − μ·s) form).
  @Test func trainingForwardMatchesPlainReference() throws {
    var rng = SeededRNG(seed: 21)
    let (rows, c) = (6 * 5 * 7, 21)
    let bn = BatchNormalization("bn", epsilon: 1e-3, momentum: 0.9)
    _ = try bn.build([[5, 7, c]], rng: &rng)
    let gamma = (0..<c).map { _ in rng.uniform(-2, 2) }
    let beta = (0..<c).map { _ in rng.uniform(-1, 1) }
    bn.gamma?.value = try Tensor(shape: [c], scalars: gamma)
    bn.beta?.value = try Tensor(shape: [c], scalars: beta)
    let offsets = (0..<c).map { _ in rng.uniform(-20, 20) }
    let x = Tensor(shape: [6, 5, 7, c]) { i in offsets[i % c] + rng.uniform(-3, 3) }
    for _ in 0..<2 {
      let mm = bn.movingMean?.value.scalars ?? []
      let mv = bn.movingVariance?.value.scalars ?? []
      let y = try bn.forward([x], mode: .training)
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
        for r in 0..<rows {
          let xHat = (Double(x.scalars[r * c + j]) - m) / (v + 1e-3).squareRoot()
          let want = Double(gamma[j]) * xHat + Double(beta[j])
          let got = Double(y.scalars[r * c + j])
          #expect(abs(got - want) <= 1e-5 * (1 + abs(want)), "row \(r) channel \(j)")
        }
        // Moving statistics: momentum 0.9 towards the batch's (biased) variance.
        let wantMean = Double(mm[j]) * 0.9 + m * 0.1
        let wantVar = Double(mv[j]) * 0.9 + v * 0.1
        let gotMean = Double(bn.movingMean?.value.scalars[j] ?? 0)
        let gotVar = Double(bn.movingVariance?.value.scalars[j] ?? 0)
        #expect(abs(gotMean - wantMean) <= 1e-5 * (1 + abs(wantMean)), "channel \(j)")
        #expect(abs(gotVar - wantVar) <= 1e-5 * (1 + wantVar), "channel \(j)")
      }
      _ = try bn.backward(Tensor(zeros: x.shape), needsInputGradient: false)
    }
  }

  @Test(arguments: [
    ([2, 7, 9, 19], (3, 3), (1, 1), Padding.same),  // wide rows: the 3x3 fast paths
    ([2, 8, 9, 17], (3, 3), (2, 2), Padding.same),  // stride 2
    ([1, 6, 7, 5], (5, 3), (2, 1), Padding.valid),  // other kernel, mixed strides
  ] as [([Int], (Int, Int), (Int, Int), Padding)])
  func depthwiseMultiplierOneGradients(
    shape: [Int], kernel: (Int, Int), stride: (Int, Int), pad: Padding
  ) throws {
    try expectGradients(
      DepthwiseConv2D("d", kernelSize: kernel, strides: stride, padding: pad), [shape])
  }
}
