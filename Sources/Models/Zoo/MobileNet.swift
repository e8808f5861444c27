import Layers

/// MobileNet v1 (Howard et al. 2017), as `keras.applications.mobilenet` builds it, with its
/// width (`alpha`) and depthwise channel multiplier (`depth_multiplier`).
public enum MobileNet {
  /// The widths and sides Keras publishes ImageNet weights for.
  public static let publishedAlphas: [Double] = [0.25, 0.5, 0.75, 1.0]
  public static let publishedSizes = [128, 160, 192, 224]

  public static let entry = ZooEntry(
    name: "mobilenet", kerasConstructor: "keras.applications.MobileNet", family: "mobilenet",
    defaultSize: 224, minSize: 32, preprocessing: .tf, builder: build,
    weightsFile: { KerasWeightsTable.file("MobileNet", $0) })

  /// (filters, stride) of the 13 depthwise-separable blocks.
  static let blocks: [(Int, Int)] = [
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1),
    (512, 1), (512, 1), (1024, 2), (1024, 1),
  ]

  public static func build(_ o: ZooOptions) throws -> Graph {
    guard o.alpha > 0, o.alpha.isFinite, o.depthMultiplier >= 1 else {
      throw ZooError.invalidOption(
        base: "mobilenet", option: "alpha/depth_multiplier",
        reason: "must be positive (Keras: alpha 0.25-1.0, depth_multiplier 1)")
    }
    let shape = ZooHead.inputShape(o, default: 224)
    let g = Graph(
      name: "mobilenet_\(MobileNetV2.formatAlpha(o.alpha))_\(shape[0])", seed: o.seed)
    var x = try g.input("input_layer", shape: shape)
    x = try g.add(
      Conv2D("conv1", filters: Int(32 * o.alpha), kernelSize: (3, 3), strides: (2, 2),
             padding: .same, useBias: false), x)
    x = try g.add(BatchNormalization("conv1_bn"), x)
    x = try g.add(ReLU("conv1_relu", maxValue: 6), x)
    for (i, (filters, stride)) in blocks.enumerated() {
      x = try depthwiseBlock(g, x, filters: Int(Double(filters) * o.alpha), stride: stride,
                             depthMultiplier: o.depthMultiplier, id: i + 1)
    }
    if o.includeTop {
      x = try g.add(GlobalAveragePooling2D("global_average_pooling2d", keepDims: true), x)
      x = try g.add(Dropout("dropout", rate: 1e-3, seed: o.seed), x)
      x = try g.add(Conv2D("conv_preds", filters: o.classes, kernelSize: (1, 1), padding: .same), x)
      x = try g.add(Reshape("reshape_2", targetShape: [o.classes]), x)
      _ = try g.add(Activation("predictions", o.classifierActivation), x)
      return g
    }
    _ = try ZooHead.pooling(g, x, o.pooling)
    return g
  }

  /// `_depthwise_conv_block`: (pad,) depthwise 3x3, BN, ReLU6, pointwise 1x1, BN, ReLU6.
  static func depthwiseBlock(
    _ g: Graph, _ input: NodeID, filters: Int, stride: Int, depthMultiplier: Int, id: Int
  ) throws -> NodeID {
    var x = input
    if stride != 1 { x = try g.add(ZeroPadding2D("conv_pad_\(id)", padding: ((0, 1), (0, 1))), x) }
    x = try g.add(
      DepthwiseConv2D("conv_dw_\(id)", kernelSize: (3, 3), strides: (stride, stride),
                      padding: stride == 1 ? .same : .valid, depthMultiplier: depthMultiplier,
                      useBias: false), x)
    x = try g.add(BatchNormalization("conv_dw_\(id)_bn"), x)
    x = try g.add(ReLU("conv_dw_\(id)_relu", maxValue: 6), x)
    x = try g.add(
      Conv2D("conv_pw_\(id)", filters: filters, kernelSize: (1, 1), padding: .same,
             useBias: false), x)
    x = try g.add(BatchNormalization("conv_pw_\(id)_bn"), x)
    return try g.add(ReLU("conv_pw_\(id)_relu", maxValue: 6), x)
  }
}
