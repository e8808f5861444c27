import Testing
import TensorCore
@testable import Layers

// Finite-difference checks of the layers keras.applications networks use beyond round 1,
// with LayerGradientTests' checker and tolerance (gradientTolerance).

/// Activations with kinks (where one-sided differences disagree).
let kinkedActivations: Set<ActivationKind> = [
  .relu, .relu6, .hardSigmoid, .hardSigmoidKeras2, .hardSilu, .leakyRelu, .selu,
]

struct ApplicationsLayerGradients {
  /// Inputs over [−5, 5], so the hard_* kinks at ±3 (±2.5) and the clamped tails count.
  @Test(arguments: ActivationKind.allCases)
  func activationOverWideRange(kind: ActivationKind) throws {
    let layer = Activation("a", kind)
    var rng = SeededRNG(seed: 7)
    let x = Tensor(shape: [2, 24]) { _ in rng.uniform(-5, 5) }
    let kinks = kinkedActivations.contains(kind)
    let report = try GradientCheck.run(
      inputs: [x], parameters: [], step: kinks ? 1e-3 : 1e-2, detectKinks: kinks,
      forward: { try layer.forward($0, mode: .training) },
      backward: { try layer.backward($0, needsInputGradient: true) })
    #expect(report.maxError <= gradientTolerance, "\(kind): \(report)")
    #expect(report.checked >= 40, "\(kind): \(report)")
  }

  /// Activations fused into Dense and Conv2D, including those whose gradient needs the
  /// pre-activation (silu, gelu, hard_silu).
  @Test(arguments: [ActivationKind.silu, .gelu, .geluApproximate, .hardSilu, .tanh, .elu])
  func fusedActivation(kind: ActivationKind) throws {
    try expectGradients(Dense("fc", units: 4, activation: kind), [[3, 5]], kinks: kinkedActivations.contains(kind))
    try expectGradients(
      Conv2D("c", filters: 3, kernelSize: (3, 3), padding: .same, activation: kind),
      [[1, 4, 5, 2]], kinks: kinkedActivations.contains(kind))
    try expectGradients(
      DepthwiseConv2D("d", kernelSize: (3, 3), padding: .same, activation: kind),
      [[1, 4, 4, 2]], kinks: kinkedActivations.contains(kind))
  }

  @Test func rescalingNormalizationReshape() throws {
    try expectGradients(Rescaling("r", scale: [0.5, -2, 3], offset: [1]), [[2, 2, 2, 3]])
    try expectGradients(Normalization("n", mean: [0.5, -1], variance: [4, 0.25]), [[3, 2, 2]])
    try expectGradients(
      Normalization("n", mean: [0.5, -1], variance: [4, 0.25], invert: true), [[3, 2, 2]])
    let n = Normalization("nw")
    try expectGradients(n, [[2, 3, 3]], mode: recordingInference)
    #expect(n.weights.allSatisfy { $0.grad == nil })
    try expectGradients(Reshape("r", targetShape: [1, 1, -1]), [[2, 6]])
  }

  @Test func multiplySubtractArithmetic() throws {
    try expectGradients(Multiply("se"), [[2, 3, 4, 5], [2, 1, 1, 5]])
    try expectGradients(Multiply("m3"), [[2, 3, 2], [2, 3, 2], [2, 1, 2]])
    try expectGradients(Multiply("col"), [[2, 3, 4, 1], [2, 3, 4, 3]])
    try expectGradients(Subtract("s"), [[2, 3, 4], [2, 1, 4]])
    let c = try Tensor(shape: [3], scalars: [2, -1.5, 3])
    for op in BinaryOperation.allCases {
      try expectGradients(Arithmetic("k", op, constant: c), [[2, 2, 3]])
    }
    // Divisors away from 0: inputs in [1, 2].
    try expectPositiveInputGradients(Arithmetic("div", .divide), [[2, 3], [2, 1]])
    for op in BinaryOperation.allCases {
      try expectPositiveInputGradients(
        Arithmetic("k", op, constant: c, constantFirst: true), [[2, 2, 3]])
    }
  }

  /// The gradient check with inputs drawn from [1, 2] instead of [−1, 1].
  func expectPositiveInputGradients(
    _ layer: any Layer, _ shapes: [[Int]], sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    var rng = SeededRNG(seed: 3)
    _ = try layer.build(shapes.map { Array($0.dropFirst()) }, rng: &rng)
    let xs = shapes.map { s in Tensor(shape: s) { _ in rng.uniform(1, 2) } }
    let report = try GradientCheck.run(
      inputs: xs, parameters: [],
      forward: { try layer.forward($0, mode: .training) },
      backward: { try layer.backward($0, needsInputGradient: true) })
    #expect(report.maxError <= gradientTolerance, "\(report)", sourceLocation: sourceLocation)
    #expect(report.checked >= 6, "\(report)", sourceLocation: sourceLocation)
  }

  @Test func broadcastShapes() {
    #expect(Broadcast.shape([1, 1, 5], [3, 4, 5]) == [3, 4, 5])
    #expect(Broadcast.shape([5], [3, 4, 5]) == [3, 4, 5])
    #expect(Broadcast.shape([], [3, 4]) == [3, 4])
    #expect(Broadcast.shape([3, 1], [1, 4]) == [3, 4])
    #expect(Broadcast.shape([2, 5], [3, 5]) == nil)
    var rng = SeededRNG(seed: 1)
    #expect(throws: LayerError.self) {
      try Multiply("m").build([[2, 5], [3, 5]], rng: &rng)
    }
  }

  @Test func croppingLayerNormScales() throws {
    try expectGradients(Cropping2D("c", cropping: ((1, 0), (2, 1))), [[2, 4, 5, 2]])
    try expectGradients(LayerNormalization("ln", epsilon: 1e-6), [[2, 2, 3, 5]])
    try expectGradients(LayerNormalization("ln2", center: false, scale: false), [[3, 4]])
    try expectGradients(LayerScale("s", initValue: 0.5, projectionDim: 3), [[2, 2, 2, 3]])
    try expectGradients(CustomScaleLayer("s", scale: 0.3), [[2, 2, 3], [2, 2, 3]])
    try expectGradients(Softmax("s"), [[2, 3, 4]])
  }

  /// Training: whole samples kept (scaled by 1/keep) or dropped, reseeded per pass; the
  /// identity at inference.
  @Test func stochasticDepth() throws {
    let d = StochasticDepth("sd", rate: 0.5, seed: 4)
    try expectGradients(d, [[6, 2, 2]], prepare: { d.rng = SeededRNG(seed: 4) })
    d.rng = SeededRNG(seed: 4)
    let x = Tensor(shape: [6, 2, 2]) { Float($0 + 1) }
    let y = try d.forward([x], mode: .training)
    var kept = 0
    for n in 0..<6 {
      let out = Array(y.scalars[(n * 4)..<(n * 4 + 4)])
      let input = Array(x.scalars[(n * 4)..<(n * 4 + 4)])
      if out == input.map({ $0 * 2 }) { kept += 1 } else { #expect(out == [0, 0, 0, 0]) }
    }
    #expect(kept > 0 && kept < 6)
    #expect(try d.forward([x], mode: .inference) == x)
  }

  @Test func groupedConvAndDenseOnImages() throws {
    try expectGradients(
      Conv2D("dw", filters: 4, kernelSize: (3, 3), padding: .same, groups: 4), [[2, 4, 5, 4]])
    try expectGradients(
      Conv2D("dw2", filters: 6, kernelSize: (3, 3), strides: (2, 2), groups: 3), [[1, 5, 6, 3]])
    try expectGradients(
      Conv2D("g2", filters: 4, kernelSize: (2, 3), padding: .same, groups: 2), [[2, 4, 5, 6]])
    try expectGradients(Dense("d", units: 3, activation: .gelu), [[2, 2, 3, 4]])
  }

  @Test func resizingAndCrops() throws {
    try expectGradients(Resizing("down", height: 3, width: 4), [[2, 5, 7, 2]])
    try expectGradients(Resizing("up", height: 6, width: 5), [[1, 3, 2, 2]])
    try expectGradients(Resizing("crop", height: 4, width: 4, cropToAspectRatio: true), [[1, 5, 7, 1]])
    try expectGradients(CenterCrop("cc", height: 3, width: 4), [[2, 5, 7, 2]])
    try expectGradients(CenterCrop("up", height: 6, width: 4), [[1, 5, 7, 1]])
    try expectGradients(RandomCrop("rc2", height: 3, width: 4, keras2: true), [[1, 5, 7, 2]])
    try expectGradients(RandomCrop("rc3", height: 3, width: 4, keras2: false), [[1, 5, 7, 2]])
    for kind in RandomAugmentation.Kind.allCases {
      try expectGradients(RandomAugmentation("a", kind), [[2, 3, 3, 2]])
    }
  }

  /// EfficientNet's drop-connect `Dropout(noise_shape=(None, 1, 1, 1))`: one draw per
  /// sample; the identity at inference.
  @Test func dropoutNoiseShape() throws {
    let d = Dropout("drop", rate: 0.5, noiseShape: [nil, 1, 1, 1], seed: 5)
    try expectGradients(d, [[6, 2, 2, 2]], prepare: { d.rng = SeededRNG(seed: 5) })
    d.rng = SeededRNG(seed: 5)
    let x = Tensor(shape: [6, 2, 2, 2]) { Float($0 + 1) }
    let y = try d.forward([x], mode: .training)
    var kept = 0
    for n in 0..<6 {
      let out = Array(y.scalars[(n * 8)..<(n * 8 + 8)])
      let input = Array(x.scalars[(n * 8)..<(n * 8 + 8)])
      if out == input.map({ $0 * 2 }) { kept += 1 } else { #expect(out == Array(repeating: 0, count: 8)) }
    }
    #expect(kept > 0 && kept < 6)
    #expect(try d.forward([x], mode: .inference) == x)
    var rng = SeededRNG(seed: 1)
    #expect(throws: LayerError.self) {
      try Dropout("bad", rate: 0.5, noiseShape: [nil, 3]).build([[2, 2]], rng: &rng)
    }
  }

  @Test func leakyReLULayer() throws {
    try expectGradients(LeakyReLU("l"), [[2, 3, 4]], kinks: true)
  }
}
