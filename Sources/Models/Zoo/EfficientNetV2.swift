import Layers

/// EfficientNetV2 B0-B3, S, M, L (Tan & Le 2021), as `keras.applications.efficientnet_v2`
/// builds them, preprocessing inside (pixels in [0, 255]): B0-B3 rescale to [0, 1] and
/// normalise by ImageNet mean/std, S/M/L rescale to [-1, 1].
public enum EfficientNetV2 {
  /// One stage of `DEFAULT_BLOCKS_ARGS` (kernel 3 everywhere).
  struct Stage {
    let repeats: Int
    let filtersIn: Int
    let filtersOut: Int
    let expandRatio: Int
    let seRatio: Double
    let stride: Int
    let fused: Bool

    init(_ r: Int, _ i: Int, _ o: Int, _ e: Int, _ se: Double, _ s: Int, fused: Bool) {
      (repeats, filtersIn, filtersOut, expandRatio, seRatio, stride, self.fused) =
        (r, i, o, e, se, s, fused)
    }
  }

  static let bStages: [Stage] = [
    Stage(1, 32, 16, 1, 0, 1, fused: true), Stage(2, 16, 32, 4, 0, 2, fused: true),
    Stage(2, 32, 48, 4, 0, 2, fused: true), Stage(3, 48, 96, 4, 0.25, 2, fused: false),
    Stage(5, 96, 112, 6, 0.25, 1, fused: false), Stage(8, 112, 192, 6, 0.25, 2, fused: false),
  ]
  static let sStages: [Stage] = [
    Stage(2, 24, 24, 1, 0, 1, fused: true), Stage(4, 24, 48, 4, 0, 2, fused: true),
    Stage(4, 48, 64, 4, 0, 2, fused: true), Stage(6, 64, 128, 4, 0.25, 2, fused: false),
    Stage(9, 128, 160, 6, 0.25, 1, fused: false), Stage(15, 160, 256, 6, 0.25, 2, fused: false),
  ]
  static let mStages: [Stage] = [
    Stage(3, 24, 24, 1, 0, 1, fused: true), Stage(5, 24, 48, 4, 0, 2, fused: true),
    Stage(5, 48, 80, 4, 0, 2, fused: true), Stage(7, 80, 160, 4, 0.25, 2, fused: false),
    Stage(14, 160, 176, 6, 0.25, 1, fused: false), Stage(18, 176, 304, 6, 0.25, 2, fused: false),
    Stage(5, 304, 512, 6, 0.25, 1, fused: false),
  ]
  static let lStages: [Stage] = [
    Stage(4, 32, 32, 1, 0, 1, fused: true), Stage(7, 32, 64, 4, 0, 2, fused: true),
    Stage(7, 64, 96, 4, 0, 2, fused: true), Stage(10, 96, 192, 4, 0.25, 2, fused: false),
    Stage(19, 192, 224, 6, 0.25, 1, fused: false), Stage(25, 224, 384, 6, 0.25, 2, fused: false),
    Stage(7, 384, 640, 6, 0.25, 1, fused: false),
  ]

  static let variants:
    [(suffix: String, constructor: String, width: Double, depth: Double, size: Int,
      stages: [Stage])] = [
      ("b0", "EfficientNetV2B0", 1.0, 1.0, 224, bStages),
      ("b1", "EfficientNetV2B1", 1.0, 1.1, 240, bStages),
      ("b2", "EfficientNetV2B2", 1.1, 1.2, 260, bStages),
      ("b3", "EfficientNetV2B3", 1.2, 1.4, 300, bStages),
      ("s", "EfficientNetV2S", 1.0, 1.0, 384, sStages),
      ("m", "EfficientNetV2M", 1.0, 1.0, 480, mStages),
      ("l", "EfficientNetV2L", 1.0, 1.0, 480, lStages),
    ]

  public static let entries: [ZooEntry] = variants.map { v in
    ZooEntry(
      name: "efficientnet_v2_\(v.suffix)", kerasConstructor: "keras.applications.\(v.constructor)",
      family: "efficientnet_v2", defaultSize: v.size, minSize: 32, preprocessing: .none,
      builder: {
        try build($0, name: "efficientnetv2-\(v.suffix)", width: v.width, depth: v.depth,
                  defaultSize: v.size, stages: v.stages)
      },
      weightsFile: { KerasWeightsTable.file(v.constructor, $0) })
  }

  /// `round_filters`: `filters · width` to the nearest multiple of 8, at least 8 (unlike
  /// EfficientNet's, no 10% correction).
  static func roundFilters(_ filters: Int, width: Double) -> Int {
    let f = Double(filters) * width
    return max(8, Int(f + 4) / 8 * 8)
  }

  static func bn(_ name: String) -> BatchNormalization {
    BatchNormalization(name, epsilon: 1e-3, momentum: 0.9)
  }

  static func build(
    _ o: ZooOptions, name: String, width: Double, depth: Double, defaultSize: Int,
    stages: [Stage]
  ) throws -> Graph {
    let g = Graph(name: name, seed: o.seed)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: defaultSize))
    if name.hasSuffix("-s") || name.hasSuffix("-m") || name.hasSuffix("-l") {
      x = try g.add(Rescaling("rescaling", scale: Float(1.0 / 128.0), offset: -1), x)
    } else {
      x = try g.add(Rescaling("rescaling", scale: Float(1.0 / 255.0)), x)
      let std: [Double] = [0.229, 0.224, 0.225]
      x = try g.add(
        Normalization("normalization", mean: [0.485, 0.456, 0.406],
                      variance: std.map { Float($0 * $0) }), x)
    }
    x = try g.add(
      Conv2D("stem_conv", filters: roundFilters(stages[0].filtersIn, width: width),
             kernelSize: (3, 3), strides: (2, 2), padding: .same, useBias: false), x)
    x = try g.add(bn("stem_bn"), x)
    x = try g.add(Activation("stem_activation", .silu), x)

    // Keras divides by the unrounded repeat count.
    let total = Double(stages.reduce(0) { $0 + $1.repeats })
    var b = 0
    for (i, stage) in stages.enumerated() {
      let filtersOut = roundFilters(stage.filtersOut, width: width)
      var filtersIn = roundFilters(stage.filtersIn, width: width)
      var stride = stage.stride
      let repeats = EfficientNet.roundRepeats(stage.repeats, depth: depth)
      for j in 0..<repeats {
        if j > 0 {
          stride = 1
          filtersIn = filtersOut
        }
        let p = "block\(i + 1)\(String(UnicodeScalar(UInt8(97 + j))))_"
        let drop = 0.2 * Double(b) / total
        x = try block(
          g, x, p, filtersIn: filtersIn, filtersOut: filtersOut, expandRatio: stage.expandRatio,
          seRatio: stage.seRatio, stride: stride, fused: stage.fused, drop: drop)
        b += 1
      }
    }

    x = try g.add(
      Conv2D("top_conv", filters: roundFilters(1280, width: width), kernelSize: (1, 1),
             padding: .same, useBias: false), x)
    x = try g.add(bn("top_bn"), x)
    x = try g.add(Activation("top_activation", .silu), x)
    if o.includeTop {
      x = try g.add(GlobalAveragePooling2D("avg_pool"), x)
      x = try g.add(Dropout("top_dropout", rate: 0.2, seed: o.seed), x)
      _ = try ZooHead.predictions(g, x, o)
    } else {
      _ = try ZooHead.pooling(g, x, o.pooling, avgName: "avg_pool", maxName: "max_pool")
    }
    return try KerasLayerOrder.reorder(g)
  }

  /// `MBConvBlock` (1x1 expand, 3x3 depthwise) or `FusedMBConvBlock` (3x3 expand conv),
  /// squeeze-excite when `seRatio` > 0, project, and the residual after a per-sample
  /// `Dropout` (Keras passes the drop-connect rate as the dropout rate).
  static func block(
    _ g: Graph, _ input: NodeID, _ p: String, filtersIn: Int, filtersOut: Int,
    expandRatio: Int, seRatio: Double, stride: Int, fused: Bool, drop: Double
  ) throws -> NodeID {
    let filters = filtersIn * expandRatio
    let s = (stride, stride)
    var x = input
    if expandRatio != 1 {
      x = try g.add(
        Conv2D("\(p)expand_conv", filters: filters, kernelSize: fused ? (3, 3) : (1, 1),
               strides: fused ? s : (1, 1), padding: .same, useBias: false), x)
      x = try g.add(bn("\(p)expand_bn"), x)
      x = try g.add(Activation("\(p)expand_activation", .silu), x)
    }
    if !fused {
      x = try g.add(
        DepthwiseConv2D("\(p)dwconv2", kernelSize: (3, 3), strides: s, padding: .same,
                        useBias: false), x)
      x = try g.add(bn("\(p)bn"), x)
      x = try g.add(Activation("\(p)activation", .silu), x)
    }
    if seRatio > 0 {
      var se = try g.add(GlobalAveragePooling2D("\(p)se_squeeze"), x)
      se = try g.add(Reshape("\(p)se_reshape", targetShape: [1, 1, filters]), se)
      se = try g.add(
        Conv2D("\(p)se_reduce", filters: max(1, Int(Double(filtersIn) * seRatio)),
               kernelSize: (1, 1), padding: .same, activation: .silu), se)
      se = try g.add(Conv2D("\(p)se_expand", filters: filters, kernelSize: (1, 1),
                            padding: .same, activation: .sigmoid), se)
      x = try g.add(Multiply("\(p)se_excite"), x, se)
    }
    // A fused block without expansion convolves here with its 3x3 kernel and stride.
    let projectsAlone = fused && expandRatio == 1
    x = try g.add(
      Conv2D("\(p)project_conv", filters: filtersOut,
             kernelSize: projectsAlone ? (3, 3) : (1, 1), strides: projectsAlone ? s : (1, 1),
             padding: .same, useBias: false), x)
    x = try g.add(bn("\(p)project_bn"), x)
    if projectsAlone { x = try g.add(Activation("\(p)project_activation", .silu), x) }
    guard stride == 1 && filtersIn == filtersOut else { return x }
    if drop > 0 {
      x = try g.add(Dropout("\(p)drop", rate: Float(drop), noiseShape: [nil, 1, 1, 1]), x)
    }
    return try g.add(Add("\(p)add"), x, input)
  }
}
