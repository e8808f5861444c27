import Testing
import TensorCore
@testable import Layers

/// BatchNormalization with a ReLU/ReLU6 fused into its output pass (what a training step
/// runs for BN → ReLU pairs), as one layer for the gradient checker.
private final class FusedNormClamp: Layer {
  let name = "fused"
  var kerasClassName: String { "FusedNormClamp" }
  var isFrozen = false
  let bn: BatchNormalization
  let clamp: ActivationKind

  init(_ bn: BatchNormalization, _ clamp: ActivationKind) {
    self.bn = bn
    self.clamp = clamp
  }

  var weights: [Parameter] { bn.weights }
  func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    try bn.build(inputShapes, rng: &rng)
  }
  func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    try bn.forward(inputs, mode: mode, activation: clamp)
  }
  func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    try bn.backward(outputGradient, needsInputGradient: needsInputGradient)
  }
}

/// Training-mode BatchNorm after the move to SIMD kernels: finite differences (the
/// tolerances of LayerGradientTests: error ≤ 2e-3, h = 1e-2, or 1e-3 with kinks) on shapes
/// with partial vectors, fused clamps, and the forward pass against a plain Double
/// reference.
struct BatchNormTrainingTests {
  @Test(arguments: [[5, 3, 7, 37], [64, 20], [2, 3, 3, 1]])
  func gradientsOnOddShapes(shape: [Int]) throws {
    try expectGradients(BatchNormalization("bn"), [shape])
  }

  @Test(arguments: [ActivationKind.relu, .relu6])
  func gradientsWithFusedClamp(clamp: ActivationKind) throws {
    try expectGradients(
      FusedNormClamp(BatchNormalization("bn"), clamp), [[3, 4, 3, 19]], kinks: true)
    let frozen = BatchNormalization("frozen")
    try expectGradients(
      FusedNormClamp(frozen, clamp), [[2, 3, 3, 5]], kinks: true,
      prepare: { frozen.isFrozen = true })
  }

  /// y = clamp(γ(x − μ)/√(σ² + ε) + β) with μ, σ² of the batch in Double; tolerance
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
    for clamp in [ActivationKind.linear, .relu6] {
      let mm = bn.movingMean?.value.scalars ?? []
      let mv = bn.movingVariance?.value.scalars ?? []
      let y = try bn.forward([x], mode: .training, activation: clamp)
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
          var want = Double(gamma[j]) * xHat + Double(beta[j])
          if let b = clamp.clampBounds { want = min(max(want, Double(b.lower)), Double(b.upper)) }
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
