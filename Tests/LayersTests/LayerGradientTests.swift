import Testing
import TensorCore
@testable import Layers

// Finite-difference checks of every layer's backward (GradientCheck: central differences
// in Double, h = 1e-2 on inputs and weights drawn from [-1, 1]; h = 1e-3 for layers with
// kinks, so fewer entries straddle one). Tolerance: error
// |numeric − analytic| / max(1, |numeric|, |analytic|) ≤ 2e-3 everywhere. Float32
// round-off in the loss is ~1e-6 (≤ 5e-4 after dividing by 2h), so 2e-3 leaves room for
// curvature (BN) but not for a wrong index or a missing term, which give errors of order 1.
let gradientTolerance = 2e-3

/// Inference behaviour, but recording for backward (a layer after the first trainable one
/// in an evaluation-mode pass, or a checker probing inference mode).
let recordingInference = ForwardMode(training: false, recordForBackward: true)

/// Runs the check and asserts the tolerance, that something was compared, and that at most
/// `maxKinkFraction` of entries sat on a kink.
func expectGradients(
  _ layer: any Layer, _ shapes: [[Int]], mode: ForwardMode = .training,
  kinks: Bool = false, seed: UInt64 = 1, prepare: () -> Void = {},
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let report = try GradientCheck.run(
    layer: layer, inputShapes: shapes, mode: mode, step: kinks ? 1e-3 : 1e-2, seed: seed,
    detectKinks: kinks,
    prepare: prepare)
  #expect(report.maxError <= gradientTolerance, "\(report)", sourceLocation: sourceLocation)
  #expect(report.checked >= 10, "\(report)", sourceLocation: sourceLocation)
  #expect(
    report.skippedAtKinks * 10 <= report.checked, "\(report)", sourceLocation: sourceLocation)
  #expect(report.unexpectedGradients.isEmpty, "\(report)", sourceLocation: sourceLocation)
}

struct ConvGradients {
  @Test(arguments: [
    // (input [N,H,W,C], filters, kernel, stride, padding)
    ([2, 7, 7, 3], 4, (3, 3), (2, 2), Padding.same),  // stride 2, odd size
    ([2, 8, 6, 3], 4, (3, 3), (2, 2), Padding.same),  // stride 2, even size
    ([1, 5, 6, 2], 3, (2, 4), (1, 1), Padding.same),  // even kernel, 'same'
    ([1, 9, 10, 2], 2, (7, 7), (2, 2), Padding.same),  // 7x7 stem-like
    ([2, 3, 4, 5], 3, (1, 1), (1, 1), Padding.valid),  // 1x1 (GEMM only)
    ([1, 5, 5, 3], 2, (1, 1), (2, 2), Padding.same),  // strided 1x1 (im2col)
    ([1, 6, 5, 2], 3, (3, 2), (1, 2), Padding.valid),  // valid, mixed strides
    ([1, 6, 7, 9], 3, (3, 3), (1, 1), Padding.same),  // Winograd forward, im2col backward
    ([2, 7, 6, 8], 2, (3, 3), (1, 1), Padding.valid),  // Winograd, valid
  ] as [([Int], Int, (Int, Int), (Int, Int), Padding)])
  func conv2D(shape: [Int], filters: Int, kernel: (Int, Int), stride: (Int, Int), pad: Padding)
    throws
  {
    let layer = Conv2D(
      "c", filters: filters, kernelSize: kernel, strides: stride, padding: pad)
    try expectGradients(layer, [shape])
  }

  @Test func conv2DWithFusedReLUAndSigmoid() throws {
    try expectGradients(
      Conv2D("c", filters: 3, kernelSize: (3, 3), padding: .same, activation: .relu),
      [[2, 5, 4, 2]], kinks: true)
    try expectGradients(
      Conv2D("c", filters: 3, kernelSize: (3, 3), strides: (2, 2), activation: .sigmoid),
      [[1, 6, 7, 2]])
  }

  @Test func conv2DWithoutBias() throws {
    try expectGradients(
      Conv2D("c", filters: 2, kernelSize: (3, 3), strides: (2, 2), padding: .same,
             useBias: false),
      [[3, 5, 6, 2]])
  }

  /// Random small shapes: kernel 1-4 per axis, stride 1-3, either padding, batch 1-3.
  @Test(arguments: 1...6)
  func conv2DRandomShapes(seed: UInt64) throws {
    var rng = SeededRNG(seed: seed)
    func r(_ lo: Int, _ hi: Int) -> Int { lo + Int(rng.next() % UInt64(hi - lo + 1)) }
    let k = (r(1, 4), r(1, 4))
    let layer = Conv2D(
      "c", filters: r(1, 3), kernelSize: k, strides: (r(1, 3), r(1, 3)),
      padding: r(0, 1) == 0 ? .valid : .same)
    try expectGradients(layer, [[r(1, 3), r(k.0, 7), r(k.1, 7), r(1, 3)]], seed: seed)
  }

  @Test(arguments: [
    ([2, 7, 6, 3], (3, 3), (2, 2), Padding.same, 2),  // multiplier 2, stride 2
    ([1, 5, 6, 2], (3, 2), (1, 1), Padding.valid, 1),
    ([1, 6, 6, 2], (2, 2), (1, 1), Padding.same, 3),  // even kernel, 'same'
  ] as [([Int], (Int, Int), (Int, Int), Padding, Int)])
  func depthwise(shape: [Int], kernel: (Int, Int), stride: (Int, Int), pad: Padding, mult: Int)
    throws
  {
    let layer = DepthwiseConv2D(
      "d", kernelSize: kernel, strides: stride, padding: pad, depthMultiplier: mult)
    try expectGradients(layer, [shape])
  }

  @Test func depthwiseWithReLU6() throws {
    // Inputs ×4 put some pre-activations above 6, so the cap's zero gradient is probed.
    let layer = DepthwiseConv2D(
      "d", kernelSize: (3, 3), padding: .same, depthMultiplier: 2, activation: .relu6)
    try expectGradients(layer, [[1, 4, 4, 3]], kinks: true)
  }

  @Test func separable() throws {
    try expectGradients(
      SeparableConv2D(
        "s", filters: 4, kernelSize: (3, 3), strides: (2, 2), padding: .same,
        depthMultiplier: 2),
      [[2, 5, 6, 3]])
  }
}

struct DenseAndActivationGradients {
  @Test(arguments: ActivationKind.allCases)
  func dense(activation: ActivationKind) throws {
    try expectGradients(
      Dense("fc", units: 4, activation: activation), [[3, 5]],
      kinks: kinkedActivations.contains(activation))
  }

  @Test(arguments: ActivationKind.allCases)
  func activation(kind: ActivationKind) throws {
    try expectGradients(
      Activation("a", kind), [[3, 2, 2, 4]], kinks: kinkedActivations.contains(kind))
  }

  @Test func reluLayers() throws {
    try expectGradients(ReLU("r"), [[2, 3, 3, 2]], kinks: true)
    try expectGradients(ReLU("r6", maxValue: 0.5), [[2, 3, 3, 2]], kinks: true)
  }
}

struct NormalisationGradients {
  @Test func batchNormTraining() throws {
    try expectGradients(BatchNormalization("bn"), [[3, 2, 3, 4]])
    try expectGradients(BatchNormalization("bn2"), [[6, 5]])
  }

  @Test func batchNormInferenceMode() throws {
    try expectGradients(BatchNormalization("bn"), [[3, 2, 2, 3]], mode: recordingInference)
  }

  @Test func batchNormFrozenIsAffineAndGetsNoGradient() throws {
    let bn = BatchNormalization("bn")
    var rng = SeededRNG(seed: 3)
    _ = try bn.build([[2, 2, 3]], rng: &rng)
    bn.movingMean?.value = try Tensor(shape: [3], scalars: [0.5, -1, 2])
    bn.movingVariance?.value = try Tensor(shape: [3], scalars: [0.25, 2, 4])
    bn.isFrozen = true
    // Training mode, but frozen: moving statistics, no parameter gradients.
    try expectGradients(bn, [[3, 2, 2, 3]], mode: .training)
    #expect(bn.weights.allSatisfy { $0.grad == nil })
    #expect(bn.movingMean?.value.scalars == [0.5, -1, 2])
  }

  @Test func dropoutTrainingAndInference() throws {
    let d = Dropout("drop", rate: 0.4, seed: 9)
    try expectGradients(d, [[4, 6]], prepare: { d.rng = SeededRNG(seed: 9) })
    try expectGradients(Dropout("drop2", rate: 0.4), [[4, 6]], mode: recordingInference)
  }
}

struct ShapeLayerGradients {
  @Test(arguments: [
    ((2, 2), nil, Padding.valid, [1, 5, 5, 2]),
    ((3, 3), (2, 2), Padding.same, [2, 7, 8, 3]),
    ((2, 3), (1, 2), Padding.same, [1, 4, 5, 2]),
  ] as [((Int, Int), (Int, Int)?, Padding, [Int])])
  func pooling(pool: (Int, Int), stride: (Int, Int)?, pad: Padding, shape: [Int]) throws {
    try expectGradients(
      MaxPooling2D("mp", poolSize: pool, strides: stride, padding: pad), [shape], kinks: true)
    try expectGradients(
      AveragePooling2D("ap", poolSize: pool, strides: stride, padding: pad), [shape])
  }

  @Test func globalPooling() throws {
    try expectGradients(GlobalAveragePooling2D("gap"), [[2, 3, 4, 5]])
    try expectGradients(GlobalAveragePooling2D("gapk", keepDims: true), [[2, 3, 2, 3]])
    try expectGradients(GlobalMaxPooling2D("gmp"), [[2, 3, 4, 5]], kinks: true)
  }

  @Test func paddingFlattenAddConcatenate() throws {
    try expectGradients(ZeroPadding2D("zp", padding: ((0, 1), (0, 1))), [[2, 3, 4, 2]])
    try expectGradients(ZeroPadding2D("zp2", padding: ((2, 1), (1, 3))), [[1, 3, 2, 2]])
    try expectGradients(Flatten("f"), [[2, 3, 2, 2]])
    try expectGradients(Add("add"), [[2, 3, 3, 2], [2, 3, 3, 2], [2, 3, 3, 2]])
    try expectGradients(Concatenate("cat"), [[2, 2, 3, 2], [2, 2, 3, 3]])
  }
}

struct FrozenLayerGradients {
  @Test func frozenConvGivesInputGradientOnly() throws {
    let conv = Conv2D("c", filters: 2, kernelSize: (3, 3), padding: .same)
    var rng = SeededRNG(seed: 1)
    _ = try conv.build([[4, 4, 2]], rng: &rng)
    conv.isFrozen = true
    try expectGradients(conv, [[1, 4, 4, 2]])
    #expect(conv.weights.allSatisfy { $0.grad == nil })
  }

  @Test func noInputGradientWhenNotAsked() throws {
    let dense = Dense("fc", units: 2)
    var rng = SeededRNG(seed: 1)
    _ = try dense.build([[3]], rng: &rng)
    let x = Tensor(shape: [2, 3]) { Float($0) }
    _ = try dense.forward([x], mode: .training)
    let grads = try dense.backward(Tensor(zeros: [2, 2], value: 1), needsInputGradient: false)
    #expect(grads.isEmpty)
    #expect(dense.bias?.grad?.scalars == [2, 2])
  }

  @Test func backwardWithoutRecordingThrows() throws {
    let conv = Conv2D("c", filters: 2, kernelSize: (1, 1))
    var rng = SeededRNG(seed: 1)
    _ = try conv.build([[2, 2, 1]], rng: &rng)
    _ = try conv.forward([Tensor(zeros: [1, 2, 2, 1])], mode: .inference)
    #expect(throws: LayerError.self) {
      try conv.backward(Tensor(zeros: [1, 2, 2, 2]), needsInputGradient: true)
    }
  }
}

struct LossGradients {
  /// Softmax cross-entropy as a function of the logits, with smoothing and class weights,
  /// integer and soft (non-one-hot) labels; same checker and tolerance as the layers.
  @Test(arguments: [false, true])
  func softmaxCrossEntropy(softLabels: Bool) throws {
    var rng = SeededRNG(seed: 5)
    let logits = Tensor(shape: [4, 5]) { _ in rng.uniform(-3, 3) }
    let loss = SoftmaxCrossEntropy(classWeights: [1, 2, 0.5, 1, 3], labelSmoothing: 0.1)
    let labels: SoftmaxCrossEntropy.Labels = softLabels
      ? .oneHot(Tensor(shape: [4, 5]) { i in [0.7, 0.3, 0, 0, 0][(i + i / 5) % 5] })
      : .indices([0, 3, 4, 2])
    var gradient = Tensor(zeros: [0])
    let report = try GradientCheck.run(
      inputs: [logits], parameters: [],
      forward: { xs in
        let (l, g) = try loss(logits: xs[0], labels: labels)
        gradient = g
        return Tensor(zeros: [1], value: l)
      },
      backward: { dy in [gradient.map { $0 * dy.scalars[0] }] })
    #expect(report.maxError <= gradientTolerance, "\(report)")
    #expect(report.checked == 20)
  }

  @Test func lossRejectsBadLabels() {
    let loss = SoftmaxCrossEntropy()
    let logits = Tensor(zeros: [2, 3])
    #expect(throws: LossError.labelOutOfRange(label: 3, classes: 3)) {
      try loss(logits: logits, labels: .indices([0, 3]))
    }
    #expect(throws: LossError.labelCount(expected: 2, got: 1)) {
      try loss(logits: logits, labels: .indices([0]))
    }
  }
}
