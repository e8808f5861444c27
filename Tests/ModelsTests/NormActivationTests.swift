import Layers
import TensorCore
import Testing

@testable import Models

/// The BatchNorm → ReLU/ReLU6 step of a training pass (Plan/Rules/NormActivation.swift) owns
/// its forward and its backward: finite differences through the step alone (the tolerances
/// of LayersTests' gradient checks: error ≤ 2e-3 with h = 1e-3 and kinks detected), with
/// batch statistics and frozen; and its output is the plain BatchNorm's, clamped
/// (1e-6·(1 + |y|): the same affine map, clamped in the same pass or after it).
@Suite struct NormActivationTests {
  /// Input → BatchNorm → ReLU (or ReLU6), weights in [−1, 1] so every term matters.
  static func graph(_ clamp: ActivationKind, frozen: Bool) throws -> (Graph, NormActivation) {
    let g = Graph(name: "norm-activation", seed: 9)
    let x = try g.input("input", shape: [4, 3, 19])
    let y = try g.add(BatchNormalization("bn"), x)
    try g.add(clamp == .relu6 ? ReLU("act", maxValue: 6) : ReLU("act"), y)
    var rng = SeededRNG(seed: 10)
    for p in g.nodes[1].layer.weights {
      let lo: Float = p.name == "moving_variance" ? 0.2 : -1
      p.value = Tensor(shape: p.value.shape) { _ in rng.uniform(lo, 1) }
    }
    g.nodes[1].layer.isFrozen = frozen
    let plan = ExecutionPlan(g, start: 0, end: 2, mode: .training, recording: { _ in true })
    let step = try #require(plan.nodes[1] as? NormActivation, "the rule did not match")
    #expect(plan.steps[1] != nil && plan.absorbed[2] == 0)
    return (g, step)
  }

  @Test(arguments: [ActivationKind.relu, .relu6], [false, true])
  func gradientsThroughTheStep(clamp: ActivationKind, frozen: Bool) throws {
    let (g, step) = try Self.graph(clamp, frozen: frozen)
    var rng = SeededRNG(seed: 11)
    // Offsets past the clamp bounds so both kinks are exercised.
    let x = Tensor(shape: [3, 4, 3, 19]) { _ in rng.uniform(-4, 4) }
    let report = try GradientCheck.run(
      inputs: [x], parameters: g.nodes[1].layer.weights, step: 1e-3, detectKinks: true,
      forward: { xs in try step.run(g, xs, mode: .training) },
      backward: { dy in try step.backward(g, dy, needsInputGradient: true) })
    #expect(report.maxError <= 2e-3, "\(report)")
    #expect(report.checked >= 10, "\(report)")
    #expect(report.skippedAtKinks * 10 <= report.checked, "\(report)")
    #expect(report.unexpectedGradients.isEmpty, "\(report)")
  }

  @Test(arguments: [ActivationKind.relu, .relu6])
  func outputIsThePlainNormClamped(clamp: ActivationKind) throws {
    let (g, step) = try Self.graph(clamp, frozen: false)
    let (h, _) = try Self.graph(clamp, frozen: false)
    var rng = SeededRNG(seed: 12)
    let x = Tensor(shape: [3, 4, 3, 19]) { _ in rng.uniform(-4, 4) }
    let fused = try step.run(g, [x], mode: .training)
    let plain = try h.nodes[1].layer.forward([x], mode: .training)
    let bounds = try #require(clamp.clampBounds)
    for (a, b) in zip(fused.scalars, plain.scalars) {
      let want = min(max(b, bounds.lower), bounds.upper)
      #expect(abs(a - want) <= 1e-6 * (1 + abs(want)))
    }
    // A second backward without a forward is an error, not a stale gradient.
    _ = try step.backward(g, fused, needsInputGradient: true)
    #expect(throws: LayerError.self) { try step.backward(g, fused, needsInputGradient: true) }
  }
}
