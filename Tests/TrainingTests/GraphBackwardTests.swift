import Testing
import Layers
import Models
import TensorCore
import Training

/// Wraps a layer and counts its backward calls (to prove a frozen prefix never runs one).
private final class BackwardSpy: Layer {
  let inner: any Layer
  var backwardCalls = 0
  var recordedForwards = 0
  init(_ inner: any Layer) { self.inner = inner }
  var name: String { inner.name }
  var kerasClassName: String { inner.kerasClassName }
  var weights: [Parameter] { inner.weights }
  var isFrozen: Bool {
    get { inner.isFrozen }
    set { inner.isFrozen = newValue }
  }
  func build(_ s: [[Int]], rng: inout SeededRNG) throws -> [Int] { try inner.build(s, rng: &rng) }
  func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    if mode.recordForBackward { recordedForwards += 1 }
    return try inner.forward(inputs, mode: mode)
  }
  func backward(_ g: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    backwardCalls += 1
    return try inner.backward(g, needsInputGradient: needsInputGradient)
  }
}

/// input → stem conv (frozen) → bn (frozen) → a: conv ─┬─ b: conv ─ add(a, b) → gap → dense
///                                                    └────────────┘
/// Node `a` feeds two consumers, so its gradient is the sum of both paths.
struct GraphBackwardTests {
  @Test func residualGraphGradientsAndFrozenPrefix() throws {
    let g = Graph(name: "residual", seed: 3)
    let x = try g.input("input_1", shape: [5, 6, 2])
    let stem = BackwardSpy(Conv2D("stem", filters: 3, kernelSize: (3, 3), padding: .same))
    stem.isFrozen = true
    let bn = BackwardSpy(BatchNormalization("stem_bn"))
    bn.isFrozen = true
    let s = try g.add(stem, x)
    let n = try g.add(bn, s)
    let a = try g.add(
      Conv2D("a", filters: 3, kernelSize: (3, 3), strides: (2, 2), padding: .same), n)
    let b = try g.add(Conv2D("b", filters: 3, kernelSize: (1, 1)), a)
    let sum = try g.add(Add("add"), a, b)
    let pooled = try g.add(GlobalAveragePooling2D("gap"), sum)
    try g.add(Dense("fc", units: 2), pooled)
    #expect(g.firstTrainableIndex == 3)

    var rng = SeededRNG(seed: 11)
    let input = Tensor(shape: [2, 5, 6, 2]) { _ in rng.uniform(-1, 1) }
    // Graph-level finite differences over every trainable parameter (1e-2 step, error
    // ≤ 2e-3 as in the layer checks): covers the two-consumer accumulation at `a`.
    let report = try GradientCheck.run(
      inputs: [], parameters: g.parameters,
      forward: { _ in try g.forward(input, mode: .training) },
      backward: { dy in
        try g.backward(dy)
        return []
      })
    #expect(report.maxError <= 2e-3, "\(report)")
    #expect(report.checked > 40)
    #expect(report.unexpectedGradients.isEmpty, "\(report)")
    // The frozen prefix ran forward only, never recorded, never ran backward.
    #expect(stem.backwardCalls == 0 && bn.backwardCalls == 0)
    #expect(stem.recordedForwards == 0 && bn.recordedForwards == 0)
  }

  /// Removing the second path must change `a`'s kernel gradient: the accumulation is real.
  @Test func twoConsumersAddTheirGradients() throws {
    func kernelGrad(residual: Bool) throws -> [Float] {
      let g = Graph(name: "r", seed: 5)
      let x = try g.input("input_1", shape: [3, 3, 1])
      let a = try g.add(Conv2D("a", filters: 1, kernelSize: (1, 1), useBias: false), x)
      let b = try g.add(Activation("b", .linear), a)
      if residual { try g.add(Add("add"), a, b) } else { try g.add(Add("add"), b, b) }
      let input = Tensor(zeros: [1, 3, 3, 1], value: 1)
      _ = try g.forward(input, mode: .training)
      try g.backward(Tensor(zeros: [1, 3, 3, 1], value: 1))
      return g.parameters.first?.grad?.scalars ?? []
    }
    // y = a + b = 2·w·x either way; both wirings must give dL/dw = 2·Σx = 18.
    #expect(try kernelGrad(residual: true) == [18])
    #expect(try kernelGrad(residual: false) == [18])
  }
}
