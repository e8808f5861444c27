import Testing
import TensorCore
@testable import Layers

// Forward values against Keras 3 (TensorFlow backend), for odd shapes, stride-2 'same'
// convolutions with odd and even sizes, even kernels, depthwise multipliers, 'same' pooling.
// Tolerance: |ours − keras| / (1 + |keras|) ≤ 1e-5 (Float32 sums of ≤ 150 terms in a
// different order; an off-by-one padding or window gives errors of order 1).
let forwardTolerance: Float = 1e-5

struct KerasForwardTests {
  let fixture: KerasFixture

  init() throws { fixture = try KerasFixture("keras_layers.json") }

  /// Builds `layer` for the case's `x`, loads the named weights, runs inference, compares
  /// with the case's `y` (or `outputKey`).
  func check(
    _ name: String, _ layer: any Layer, weights: [String] = [], outputKey: String = "y",
    mode: ForwardMode = .inference, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let x = try fixture.tensor(name, "x")
    var rng = SeededRNG(seed: 0)
    _ = try layer.build([Array(x.shape.dropFirst())], rng: &rng)
    for (p, key) in zip(layer.weights, weights) {
      let v = try fixture.tensor(name, key)
      try #require(p.value.shape == v.shape, sourceLocation: sourceLocation)
      p.value = v
    }
    let y = try layer.forward([x], mode: mode)
    let err = maxRelativeError(y, try fixture.tensor(name, outputKey))
    #expect(err <= forwardTolerance, "\(name): error \(err)", sourceLocation: sourceLocation)
  }

  @Test func conv2D() throws {
    try check(
      "conv_same_s2_odd_relu",
      Conv2D("c", filters: 4, kernelSize: (3, 3), strides: (2, 2), padding: .same,
             activation: .relu), weights: ["kernel", "bias"])
    try check(
      "conv_same_s2_even",
      Conv2D("c", filters: 4, kernelSize: (3, 3), strides: (2, 2), padding: .same),
      weights: ["kernel", "bias"])
    try check(
      "conv_same_even_kernel",
      Conv2D("c", filters: 3, kernelSize: (2, 4), padding: .same), weights: ["kernel", "bias"])
    try check(
      "conv_7x7_s2_same",
      Conv2D("c", filters: 2, kernelSize: (7, 7), strides: (2, 2), padding: .same),
      weights: ["kernel", "bias"])
    try check(
      "conv_1x1_nobias", Conv2D("c", filters: 3, kernelSize: (1, 1), useBias: false),
      weights: ["kernel"])
    try check(
      "conv_valid_relu6", Conv2D("c", filters: 3, kernelSize: (3, 3), activation: .relu6),
      weights: ["kernel", "bias"])
  }

  @Test func depthwiseAndSeparable() throws {
    try check(
      "depthwise_m2_s2_same",
      DepthwiseConv2D("d", kernelSize: (3, 3), strides: (2, 2), padding: .same,
                      depthMultiplier: 2), weights: ["kernel", "bias"])
    try check(
      "depthwise_valid_3x2", DepthwiseConv2D("d", kernelSize: (3, 2)),
      weights: ["kernel", "bias"])
    try check(
      "separable_m2_same",
      SeparableConv2D("s", filters: 4, kernelSize: (3, 3), padding: .same, depthMultiplier: 2),
      weights: ["depthwise_kernel", "pointwise_kernel", "bias"])
  }

  @Test func pooling() throws {
    try check(
      "maxpool_3_s2_same", MaxPooling2D("p", poolSize: (3, 3), strides: (2, 2), padding: .same))
    try check("maxpool_2_valid", MaxPooling2D("p"))
    // 'same' average pooling divides by the count of real pixels at the borders.
    try check(
      "avgpool_3_s2_same",
      AveragePooling2D("p", poolSize: (3, 3), strides: (2, 2), padding: .same))
    try check("avgpool_2_valid", AveragePooling2D("p"))
    try check("global_avg", GlobalAveragePooling2D("g"))
    try check("global_max", GlobalMaxPooling2D("g"))
  }

  @Test func paddingDenseActivations() throws {
    try check("zeropad_0101", ZeroPadding2D("z", padding: ((0, 1), (0, 1))))
    try check("zeropad_2113", ZeroPadding2D("z", padding: ((2, 1), (1, 3))))
    try check(
      "dense_softmax", Dense("fc", units: 4, activation: .softmax), weights: ["kernel", "bias"])
    try check(
      "dense_sigmoid", Dense("fc", units: 4, activation: .sigmoid), weights: ["kernel", "bias"])
    try check("activation_softmax", Activation("a", .softmax))
    try check("activation_sigmoid", Activation("a", .sigmoid))
    try check("activation_relu6", Activation("a", .relu6))
    try check("activation_relu6", ReLU("r", maxValue: 6))
  }

  /// One Keras training step: batch statistics for the output, moving statistics updated
  /// with the biased batch variance (Keras 3), then inference with the updated statistics.
  @Test func batchNormTrainingStepMatchesKeras3() throws {
    let name = "batchnorm"
    let bn = BatchNormalization("bn", epsilon: 1e-3, momentum: 0.9)
    let weights = ["gamma", "beta", "moving_mean", "moving_variance"]
    try check(name, bn, weights: weights, outputKey: "y_train", mode: .training)
    let mm = try #require(bn.movingMean).value
    let mv = try #require(bn.movingVariance).value
    #expect(maxRelativeError(mm, try fixture.tensor(name, "moving_mean_after")) <= 1e-5)
    #expect(maxRelativeError(mv, try fixture.tensor(name, "moving_variance_after")) <= 1e-5)
    let y = try bn.forward([try fixture.tensor(name, "x")], mode: .inference)
    #expect(maxRelativeError(y, try fixture.tensor(name, "y_inference_after")) <= 1e-5)
    // Frozen: inference even in training mode, statistics untouched.
    bn.isFrozen = true
    let frozen = try bn.forward([try fixture.tensor(name, "x")], mode: .training)
    #expect(maxRelativeError(frozen, try fixture.tensor(name, "y_inference_after")) <= 1e-5)
    #expect(bn.movingMean?.value == mm)
  }

  @Test(arguments: ["ce_plain", "ce_smooth_weighted"])
  func softmaxCrossEntropy(name: String) throws {
    let logits = try fixture.tensor(name, "logits")
    let labels = try fixture.tensor(name, "labels").scalars.map { Int($0) }
    let weights = fixture.cases[name]?["class_weights"]?.scalars
    let loss = SoftmaxCrossEntropy(
      classWeights: weights, labelSmoothing: weights == nil ? 0 : 0.1)
    let (l, g) = try loss(logits: logits, labels: .indices(labels))
    let expected = try fixture.tensor(name, "loss").scalars[0]
    #expect(abs(l - expected) <= 1e-5 * (1 + abs(expected)))
    #expect(maxRelativeError(g, try fixture.tensor(name, "grad")) <= 1e-5)
    // One-hot labels give the same.
    var onehot = Tensor(zeros: logits.shape)
    for (i, c) in labels.enumerated() { onehot.scalars[i * logits.shape[1] + c] = 1 }
    let (l2, g2) = try loss(logits: logits, labels: .oneHot(onehot))
    #expect(l2 == l && g2 == g)
  }
}
