import Testing
import Kernels
import TensorCore
@testable import Layers

// Finite-difference checks (GradientCheck, tolerance `gradientTolerance` = 2e-3, see
// LayerGradientTests) of Conv2D's 3x3 stride-1 backward (`Conv2DBackward`: ReLU/ReLU6 mask
// and bias sums fused into the padded gradient, per-tap dW GEMMs, Winograd dX): at least 8
// channels in and out, so these shapes take that path (forward is Winograd too).
struct Conv2DStrideOneGradients {
  // Linear activation only: this path's forward is Winograd, whose rounding (~1e-5 of the
  // output) needs h = 1e-2, and at that step a weight perturbation moves outputs across
  // ReLU kinks the checker cannot see. The ReLU/ReLU6 masks are checked exactly instead:
  // against the definition in Double (Conv2DBackwardTests) and the im2col path (below).
  @Test(arguments: [
    ([2, 7, 6, 8], 8, Padding.same),
    ([1, 6, 9, 11], 9, Padding.valid),
    ([3, 5, 7, 9], 10, Padding.same),
    ([1, 9, 5, 8], 12, Padding.valid),
  ] as [([Int], Int, Padding)])
  func conv2D(shape: [Int], filters: Int, pad: Padding) throws {
    let trim = pad == .same ? 0 : 2
    let g = WindowGeometry(
      batch: shape[0], inH: shape[1], inW: shape[2], channels: shape[3], kH: 3, kW: 3,
      strideH: 1, strideW: 1, padTop: pad == .same ? 1 : 0, padLeft: pad == .same ? 1 : 0,
      outH: shape[1] - trim, outW: shape[2] - trim)
    #expect(Conv2DBackward.isApplicable(g, filters: filters))
    try expectGradients(Conv2D("c", filters: filters, kernelSize: (3, 3), padding: pad), [shape])
  }

  @Test func frozenKernelAndNoBias() throws {
    let conv = Conv2D("c", filters: 8, kernelSize: (3, 3), padding: .same, useBias: false)
    var rng = SeededRNG(seed: 2)
    _ = try conv.build([[5, 6, 8]], rng: &rng)
    try expectGradients(conv, [[2, 5, 6, 8]])
    conv.isFrozen = true
    try expectGradients(conv, [[2, 5, 6, 8]])
    #expect(conv.weights.allSatisfy { $0.grad == nil })
  }

  /// The layer's backward gives what the im2col path gives (same masked gradient).
  @Test(arguments: [ActivationKind.relu, .relu6, .linear])
  func matchesIm2colPath(activation: ActivationKind) throws {
    let conv = Conv2D(
      "c", filters: 16, kernelSize: (3, 3), padding: .same, activation: activation)
    var rng = SeededRNG(seed: 4)
    _ = try conv.build([[9, 10, 12]], rng: &rng)
    // Weights large enough that ReLU6 clamps some outputs at 6.
    let kernel = try #require(conv.kernel)
    kernel.value = Tensor(shape: kernel.value.shape) { _ in rng.uniform(-1, 1) }
    let x = Tensor(shape: [2, 9, 10, 12]) { _ in rng.uniform(-1, 1) }
    let y = try conv.forward([x], mode: .training)
    let dy = Tensor(shape: y.shape) { _ in rng.uniform(-1, 1) }
    let dx = try conv.backward(dy, needsInputGradient: true)[0]
    let g = try ConvGeometry.window(
      input: x.shape, kernel: (3, 3), strides: (1, 1), padding: .same, layer: "c")
    let dz = activation.backward(dy, recorded: y)
    let clamped = y.scalars.filter { $0 == 6 }.count
    #expect(activation != .relu6 || clamped > 0)
    let (dx2, dw2) = Conv2DKernel.backward(
      x, kernel: kernel.value, outputGradient: dz, geometry: g, needInput: true,
      needKernel: true)
    let db2 = Conv2DKernel.sumRows(dz, columns: 16)
    func close(_ a: Tensor?, _ b: Tensor?, _ tol: Float) -> Bool {
      guard let a, let b, a.count == b.count else { return false }
      let scale = 1 + (b.scalars.map(abs).max() ?? 0)
      return zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= tol * scale }
    }
    #expect(close(dx, dx2, 2e-5))
    #expect(close(kernel.grad, dw2, 1e-5))
    #expect(close(conv.bias?.grad, db2, 1e-5))
  }
}
