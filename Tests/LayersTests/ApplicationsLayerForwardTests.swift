import Testing
import TensorCore
@testable import Layers

// Forward values of the layers and activations keras.applications networks use, against
// Keras 3 (and tf_keras for Keras 2's hard_sigmoid and swish): fixtures from
// tools/fixtures/applications_layers_fixtures.py. Tolerance as KerasForwardTests:
// |ours − keras| / (1 + |keras|) ≤ 1e-5 (libm's expf/erff/tanhf against TensorFlow's differ
// in the last bits; a wrong constant or branch gives errors ≥ 1e-3).
struct ApplicationsLayerForwardTests {
  let fixture: KerasFixture

  init() throws { fixture = try KerasFixture("keras_applications_layers.json") }

  /// Builds `layer` for the case's inputs, loads the named weights, runs inference and
  /// compares with the case's `output`.
  func check(
    _ name: String, _ layer: any Layer, inputs: [String] = ["x"], weights: [String] = [],
    output: String = "y", sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let xs = try inputs.map { try fixture.tensor(name, $0) }
    var rng = SeededRNG(seed: 0)
    _ = try layer.build(xs.map { Array($0.shape.dropFirst()) }, rng: &rng)
    try #require(layer.weights.count == weights.count, sourceLocation: sourceLocation)
    for (p, key) in zip(layer.weights, weights) {
      let v = try fixture.tensor(name, key)
      try #require(p.value.shape == v.shape, "\(key)", sourceLocation: sourceLocation)
      p.value = v
    }
    let y = try layer.forward(xs, mode: .inference)
    let err = maxRelativeError(y, try fixture.tensor(name, output))
    #expect(
      err <= forwardTolerance, "\(name).\(output): error \(err)", sourceLocation: sourceLocation)
  }

  /// Every activation but softmax (KerasForwardTests has it) over [−6, 6], ±12, ±30 and
  /// the kinks; fixture keys are the kinds' raw values.
  @Test(arguments: ActivationKind.allCases.filter { $0 != .softmax })
  func activation(kind: ActivationKind) throws {
    try check("act_x", Activation("a", kind), output: kind.rawValue)
  }

  /// Config spellings: Keras 3 aliases, and Keras 2's own hard_sigmoid and swish.
  @Test func activationNames() throws {
    for (name, keras2, key) in [
      ("swish", false, "swish"), ("hard_swish", false, "hard_swish"),
      ("hard_sigmoid", false, "hard_sigmoid"), ("hard_sigmoid", true, "hard_sigmoid_keras2"),
      ("swish", true, "swish_keras2"), ("silu", false, "silu"), ("gelu", true, "gelu"),
    ] {
      let kind = try #require(ActivationKind(kerasName: name, keras2: keras2), "\(name)")
      try check("act_x", Activation("a", kind), output: key)
    }
    #expect(ActivationKind(kerasName: "hard_sigmoid_keras2", keras2: true) == nil)
    #expect(ActivationKind(kerasName: "mish", keras2: false) == nil)
    for kind in ActivationKind.allCases {
      for keras2 in [false, true] {
        guard let name = kind.kerasName(keras2: keras2) else { continue }
        #expect(ActivationKind(kerasName: name, keras2: keras2) == kind, "\(kind) \(keras2)")
      }
    }
  }

  @Test func rescalingAndNormalization() throws {
    try check("rescaling_scalar", Rescaling("r", scale: 1 / 127.5, offset: -1))
    try check("rescaling_per_channel", Rescaling("r", scale: [0.5, 2, -1], offset: [0.1, 0.2, 0.3]))
    try check(
      "normalization_weights", Normalization("n"), weights: ["mean", "variance", "count"])
    let mean = try fixture.tensor("normalization_weights", "mean").scalars
    let variance = try fixture.tensor("normalization_weights", "variance").scalars
    try check("normalization_given", Normalization("n", mean: mean, variance: variance))
    try check(
      "normalization_invert", Normalization("n", mean: mean, variance: variance, invert: true))
  }

  @Test func reshapeAndMerges() throws {
    try check("reshape_111c", Reshape("r", targetShape: [1, 1, 6]))
    try check("reshape_infer", Reshape("r", targetShape: [-1, 2]))
    try check("multiply_se", Multiply("m"), inputs: ["a", "b"])
    try check("multiply_three", Multiply("m"), inputs: ["a", "b", "c"])
    try check("subtract", Subtract("s"), inputs: ["a", "b"])
  }

  @Test func tfOpLambdaArithmetic() throws {
    let scalar = { (v: Float) in Tensor(zeros: [], value: v) }
    try check("tfop_x", Arithmetic("t", .divide, constant: scalar(127.5)), output: "truediv_127_5")
    try check("tfop_x", Arithmetic("t", .subtract, constant: scalar(1)), output: "subtract_1")
    try check(
      "tfop_x", Arithmetic("t", .subtract, constant: scalar(1), constantFirst: true),
      output: "rsubtract_1")
    try check("tfop_x", Arithmetic("t", .add, constant: scalar(3)), output: "add_3")
    try check("tfop_x", Arithmetic("t", .multiply, constant: scalar(1 / 6)), output: "multiply_1_6")
    try check(
      "tfop_x",
      Arithmetic("t", .subtract, constant: try Tensor(shape: [3], scalars: [103.939, 116.779, 123.68])),
      output: "subtract_mean")
  }

  @Test func globalPoolingKeepDims() throws {
    try check("global_avg_keepdims", GlobalAveragePooling2D("g", keepDims: true))
    try check("global_max_keepdims", GlobalMaxPooling2D("g", keepDims: true))
  }

  @Test func croppingLayerNormScales() throws {
    try check("cropping_1203", Cropping2D("c", cropping: ((1, 2), (0, 3))))
    try check("layernorm_eps6", LayerNormalization("ln", epsilon: 1e-6), weights: ["gamma", "beta"])
    try check(
      "layernorm_eps6", LayerNormalization("ln", epsilon: 1e-6), weights: ["gamma", "beta"],
      output: "y_keras2")
    try check("layernorm_plain", LayerNormalization("ln", center: false, scale: false))
    try check("layer_scale", LayerScale("s", initValue: 1e-6, projectionDim: 8), weights: ["gamma"])
    try check("custom_scale", CustomScaleLayer("s", scale: 0.17), inputs: ["a", "b"])
    try check("softmax_layer", Softmax("s"))
  }

  @Test func groupedConvAndDenseOnImages() throws {
    try check(
      "conv_groups_depthwise",
      Conv2D("c", filters: 8, kernelSize: (3, 3), padding: .same, groups: 8),
      weights: ["kernel", "bias"])
    try check(
      "conv_groups_2",
      Conv2D("c", filters: 6, kernelSize: (3, 3), strides: (2, 2), padding: .same, groups: 2),
      weights: ["kernel", "bias"])
    try check(
      "dense_rank4_gelu", Dense("d", units: 5, activation: .gelu), weights: ["kernel", "bias"])
  }

  /// Resizing, CenterCrop and RandomCrop at inference, against Keras 3 and tf_keras.
  @Test func resizingAndCrops() throws {
    for (key, h, w, crop) in [
      ("resize_3x4", 3, 4, false), ("resize_8x9", 8, 9, false),
      ("resize_crop_4x4", 4, 4, true), ("resize_crop_6x3", 6, 3, true),
    ] {
      try check("image_x", Resizing("r", height: h, width: w, cropToAspectRatio: crop), output: key)
      try check(
        "image_x", Resizing("r", height: h, width: w, cropToAspectRatio: crop),
        output: key + "_keras2")
    }
    try check("image_x", CenterCrop("c", height: 3, width: 4), output: "center_crop_3x4")
    try check("image_x", CenterCrop("c", height: 6, width: 4), output: "center_crop_6x4")
    try check("image_x", CenterCrop("c", height: 6, width: 4), output: "center_crop_6x4_keras2")
    try check(
      "image_x", RandomCrop("c", height: 3, width: 4, keras2: false), output: "random_crop_3x4")
    try check(
      "image_x", RandomCrop("c", height: 3, width: 4, keras2: true),
      output: "random_crop_3x4_keras2")
    for kind in RandomAugmentation.Kind.allCases {
      try check("image_x", RandomAugmentation("a", kind), output: "x")
    }
  }

  /// The LeakyReLU layer's default slope is 0.3 in Keras 2 and 3 (the string's is 0.2).
  @Test func leakyReLULayer() throws {
    try check("act_x", LeakyReLU("l"), output: "leaky_relu_layer")
    try check("act_x", LeakyReLU("l"), output: "leaky_relu_layer_keras2")
    try check("act_x", LeakyReLU("l", negativeSlope: 0.1), output: "leaky_relu_layer_0_1")
  }
}
