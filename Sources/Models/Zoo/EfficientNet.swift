import Foundation
import Layers

/// EfficientNet B0-B7 (Tan & Le 2019), as `keras.applications.efficientnet` builds them with
/// `weights="imagenet"`: preprocessing inside (`Rescaling` 1/255, `Normalization` whose mean
/// and variance are weights, then `Rescaling` by 1/sqrt(stddev)), so the network takes
/// pixels in [0, 255].
public enum EfficientNet {
  /// One stage of `DEFAULT_BLOCKS_ARGS` (every stage has `se_ratio` 0.25 and `id_skip`).
  struct Stage {
    let kernel: Int
    let repeats: Int
    let filtersIn: Int
    let filtersOut: Int
    let expandRatio: Int
    let stride: Int
  }

  static let stages: [Stage] = [
    Stage(kernel: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, stride: 1),
    Stage(kernel: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, stride: 2),
    Stage(kernel: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, stride: 2),
    Stage(kernel: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, stride: 2),
    Stage(kernel: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, stride: 1),
    Stage(kernel: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, stride: 2),
    Stage(kernel: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, stride: 1),
  ]

  /// Keras's `IMAGENET_STDDEV_RGB`.
  static let imagenetStddev: [Double] = [0.229, 0.224, 0.225]

  /// Width and depth coefficients, default size and top dropout of B0…B7.
  static let variants: [(width: Double, depth: Double, size: Int, dropout: Float)] = [
    (1.0, 1.0, 224, 0.2), (1.0, 1.1, 240, 0.2), (1.1, 1.2, 260, 0.3), (1.2, 1.4, 300, 0.3),
    (1.4, 1.8, 380, 0.4), (1.6, 2.2, 456, 0.4), (1.8, 2.6, 528, 0.5), (2.0, 3.1, 600, 0.5),
  ]

  public static let entries: [ZooEntry] = variants.enumerated().map { i, v in
    ZooEntry(
      name: "efficientnet_b\(i)", kerasConstructor: "keras.applications.EfficientNetB\(i)",
      family: "efficientnet", defaultSize: v.size, minSize: 32, preprocessing: .none,
      builder: {
        try build($0, name: "efficientnetb\(i)", width: v.width, depth: v.depth,
                  defaultSize: v.size, dropout: v.dropout)
      },
      weightsFile: { KerasWeightsTable.file("EfficientNetB\(i)", $0) })
  }

  /// `round_filters`: `filters · width` to a multiple of 8, never more than 10% down.
  static func roundFilters(_ filters: Int, width: Double) -> Int {
    MobileNetV2.makeDivisible(Double(filters) * width, 8)
  }

  /// `round_repeats`: ceil(depth · repeats).
  static func roundRepeats(_ repeats: Int, depth: Double) -> Int {
    Int((depth * Double(repeats)).rounded(.up))
  }

  static func build(
    _ o: ZooOptions, name: String, width: Double, depth: Double, defaultSize: Int,
    dropout: Float
  ) throws -> Graph {
    let g = Graph(name: name, seed: o.seed)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: defaultSize))
    x = try g.add(Rescaling("rescaling", scale: Float(1.0 / 255.0)), x)
    x = try g.add(Normalization("normalization"), x)
    x = try g.add(
      Rescaling("rescaling_1", scale: imagenetStddev.map { Float(1 / $0.squareRoot()) }), x)
    x = try g.add(CorrectPad.layer(g, x, kernel: 3, name: "stem_conv_pad"), x)
    x = try g.add(
      Conv2D("stem_conv", filters: roundFilters(32, width: width), kernelSize: (3, 3),
             strides: (2, 2), padding: .valid, useBias: false), x)
    x = try g.add(BatchNormalization("stem_bn"), x)
    x = try g.add(Activation("stem_activation", .silu), x)

    let total = Double(stages.reduce(0) { $0 + roundRepeats($1.repeats, depth: depth) })
    var b = 0
    for (i, stage) in stages.enumerated() {
      let filtersOut = roundFilters(stage.filtersOut, width: width)
      var filtersIn = roundFilters(stage.filtersIn, width: width)
      var stride = stage.stride
      for j in 0..<roundRepeats(stage.repeats, depth: depth) {
        if j > 0 {
          stride = 1
          filtersIn = filtersOut
        }
        let letter = String(UnicodeScalar(UInt8(97 + j)))
        x = try block(
          g, x, dropRate: 0.2 * Double(b) / total, name: "block\(i + 1)\(letter)_",
          filtersIn: filtersIn, filtersOut: filtersOut, kernel: stage.kernel, stride: stride,
          expandRatio: stage.expandRatio)
        b += 1
      }
    }

    x = try g.add(
      Conv2D("top_conv", filters: roundFilters(1280, width: width), kernelSize: (1, 1),
             padding: .same, useBias: false), x)
    x = try g.add(BatchNormalization("top_bn"), x)
    x = try g.add(Activation("top_activation", .silu), x)
    if o.includeTop {
      x = try g.add(GlobalAveragePooling2D("avg_pool"), x)
      x = try g.add(Dropout("top_dropout", rate: dropout, seed: o.seed), x)
      _ = try ZooHead.predictions(g, x, o)
    } else {
      _ = try ZooHead.pooling(g, x, o.pooling, avgName: "avg_pool", maxName: "max_pool")
    }
    return try KerasLayerOrder.reorder(g)
  }

  /// `block`: expand (1x1), depthwise, squeeze-excite, project, and the residual add
  /// (after a per-sample `Dropout`, Keras's drop-connect) when shapes allow.
  static func block(
    _ g: Graph, _ input: NodeID, dropRate: Double, name p: String, filtersIn: Int,
    filtersOut: Int, kernel: Int, stride: Int, expandRatio: Int
  ) throws -> NodeID {
    let filters = filtersIn * expandRatio
    var x = input
    if expandRatio != 1 {
      x = try g.add(Conv2D("\(p)expand_conv", filters: filters, kernelSize: (1, 1),
                           padding: .same, useBias: false), x)
      x = try g.add(BatchNormalization("\(p)expand_bn"), x)
      x = try g.add(Activation("\(p)expand_activation", .silu), x)
    }
    if stride == 2 {
      x = try g.add(CorrectPad.layer(g, x, kernel: kernel, name: "\(p)dwconv_pad"), x)
    }
    x = try g.add(
      DepthwiseConv2D("\(p)dwconv", kernelSize: (kernel, kernel), strides: (stride, stride),
                      padding: stride == 2 ? .valid : .same, useBias: false), x)
    x = try g.add(BatchNormalization("\(p)bn"), x)
    x = try g.add(Activation("\(p)activation", .silu), x)

    let filtersSE = max(1, Int(Double(filtersIn) * 0.25))
    var se = try g.add(GlobalAveragePooling2D("\(p)se_squeeze"), x)
    se = try g.add(Reshape("\(p)se_reshape", targetShape: [1, 1, filters]), se)
    se = try g.add(Conv2D("\(p)se_reduce", filters: filtersSE, kernelSize: (1, 1),
                          padding: .same, activation: .silu), se)
    se = try g.add(Conv2D("\(p)se_expand", filters: filters, kernelSize: (1, 1),
                          padding: .same, activation: .sigmoid), se)
    x = try g.add(Multiply("\(p)se_excite"), x, se)

    x = try g.add(Conv2D("\(p)project_conv", filters: filtersOut, kernelSize: (1, 1),
                         padding: .same, useBias: false), x)
    x = try g.add(BatchNormalization("\(p)project_bn"), x)
    guard stride == 1 && filtersIn == filtersOut else { return x }
    if dropRate > 0 {
      x = try g.add(Dropout("\(p)drop", rate: Float(dropRate), noiseShape: [nil, 1, 1, 1]), x)
    }
    return try g.add(Add("\(p)add"), x, input)
  }
}
