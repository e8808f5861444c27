import Layers
import TensorCore

/// MobileNetV2 (Sandler et al. 2018), as `keras.applications.mobilenet_v2.MobileNetV2`
/// builds it, plus a variant with torchvision's numerics for converted PyTorch weights.
public enum MobileNetV2 {
  /// The numeric conventions that differ between Keras's and torchvision's MobileNetV2.
  public struct Numerics: Sendable, Equatable {
    /// BatchNormalization epsilon.
    public var bnEpsilon: Float
    /// BatchNormalization momentum (Keras's meaning: weight of the old running value).
    public var bnMomentum: Float
    /// Stride-2 3x3 convs pad 1 on every side (PyTorch) instead of Keras's asymmetric
    /// 'same'/`correct_pad`, which puts the extra row and column at the bottom/right.
    public var symmetricStride2Padding: Bool
    /// Preprocessing the weights expect.
    public var preprocessing: Preprocessing

    /// Keras: epsilon 1e-3, momentum 0.999, `ZeroPadding2D(correct_pad)` + 'valid'.
    public static let keras = Numerics(
      bnEpsilon: 1e-3, bnMomentum: 0.999, symmetricStride2Padding: false, preprocessing: .tf)
    /// torchvision: epsilon 1e-5, momentum 0.1 in PyTorch's sense (0.9 in Keras's),
    /// `padding=1` on stride-2 3x3 convs, ImageNet mean/std ("torch") preprocessing.
    public static let torch = Numerics(
      bnEpsilon: 1e-5, bnMomentum: 0.9, symmetricStride2Padding: true, preprocessing: .torch)
  }

  /// The widths Keras publishes ImageNet weights for.
  public static let publishedAlphas: [Double] = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4]
  /// The input sides Keras publishes ImageNet weights for.
  public static let publishedSizes = [96, 128, 160, 192, 224]

  public static let entry = ZooEntry(
    name: "mobilenet_v2", kerasConstructor: "keras.applications.MobileNetV2", family: "mobilenet_v2",
    defaultSize: 224, minSize: 32, preprocessing: .tf,
    builder: { try build($0, numerics: .keras) }, weightsFile: { KerasWeightsTable.file("MobileNetV2", $0) })

  /// Same layer names as `mobilenet_v2`, torchvision's numerics; weights come from
  /// `ftune import-torch`, never from Keras, so there is no Keras file name.
  public static let torchEntry = ZooEntry(
    name: "mobilenet_v2_torch", kerasConstructor: "torchvision.models.mobilenet_v2", family: "mobilenet_v2",
    defaultSize: 224, minSize: 32, preprocessing: .torch,
    builder: { try build($0, numerics: .torch) }, weightsFile: { _ in nil })

  /// Keras's `_make_divisible`: round `v` to a multiple of `divisor`, never below
  /// `minValue` and never more than 10% below `v`.
  public static func makeDivisible(_ v: Double, _ divisor: Int = 8, minValue: Int? = nil) -> Int {
    let floor = minValue ?? divisor
    var newV = Swift.max(floor, Int(v + Double(divisor) / 2) / divisor * divisor)
    if Double(newV) < 0.9 * v { newV += divisor }
    return newV
  }

  /// Builds MobileNetV2 with width `options.alpha`; height/width default to 224.
  public static func build(_ o: ZooOptions, numerics: Numerics = .keras) throws -> Graph {
    guard o.alpha > 0, o.alpha.isFinite else {
      throw ZooError.invalidOption(
        base: "mobilenet_v2", option: "alpha", reason: "must be positive (Keras: 0.35-1.4)")
    }
    let shape = ZooHead.inputShape(o, default: 224)
    let alpha = o.alpha
    let prefix = numerics == .keras ? "mobilenetv2" : "mobilenetv2_torch"
    let g = Graph(name: "\(prefix)_\(formatAlpha(alpha))_\(shape[0])", seed: o.seed)
    let b = Blocks(g: g, numerics: numerics)
    var x = try g.input("input_layer", shape: shape)

    let firstBlockFilters = makeDivisible(32 * alpha, 8)
    x = try b.conv3x3Stride2(x, filters: firstBlockFilters, name: "Conv1")
    x = try g.add(b.bn("bn_Conv1"), x)
    x = try g.add(ReLU("Conv1_relu", maxValue: 6), x)

    x = try b.invertedResidual(x, filters: 16, alpha: alpha, stride: 1, expansion: 1, id: 0)

    x = try b.invertedResidual(x, filters: 24, alpha: alpha, stride: 2, expansion: 6, id: 1)
    x = try b.invertedResidual(x, filters: 24, alpha: alpha, stride: 1, expansion: 6, id: 2)

    x = try b.invertedResidual(x, filters: 32, alpha: alpha, stride: 2, expansion: 6, id: 3)
    x = try b.invertedResidual(x, filters: 32, alpha: alpha, stride: 1, expansion: 6, id: 4)
    x = try b.invertedResidual(x, filters: 32, alpha: alpha, stride: 1, expansion: 6, id: 5)

    x = try b.invertedResidual(x, filters: 64, alpha: alpha, stride: 2, expansion: 6, id: 6)
    x = try b.invertedResidual(x, filters: 64, alpha: alpha, stride: 1, expansion: 6, id: 7)
    x = try b.invertedResidual(x, filters: 64, alpha: alpha, stride: 1, expansion: 6, id: 8)
    x = try b.invertedResidual(x, filters: 64, alpha: alpha, stride: 1, expansion: 6, id: 9)

    x = try b.invertedResidual(x, filters: 96, alpha: alpha, stride: 1, expansion: 6, id: 10)
    x = try b.invertedResidual(x, filters: 96, alpha: alpha, stride: 1, expansion: 6, id: 11)
    x = try b.invertedResidual(x, filters: 96, alpha: alpha, stride: 1, expansion: 6, id: 12)

    x = try b.invertedResidual(x, filters: 160, alpha: alpha, stride: 2, expansion: 6, id: 13)
    x = try b.invertedResidual(x, filters: 160, alpha: alpha, stride: 1, expansion: 6, id: 14)
    x = try b.invertedResidual(x, filters: 160, alpha: alpha, stride: 1, expansion: 6, id: 15)

    x = try b.invertedResidual(x, filters: 320, alpha: alpha, stride: 1, expansion: 6, id: 16)

    // No alpha on the last conv, as in the paper, unless the network is wider than 1.0.
    let lastBlockFilters = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280
    x = try g.add(Conv2D("Conv_1", filters: lastBlockFilters, kernelSize: (1, 1), useBias: false),
                  x)
    x = try g.add(b.bn("Conv_1_bn"), x)
    x = try g.add(ReLU("out_relu", maxValue: 6), x)

    if o.includeTop {
      x = try g.add(GlobalAveragePooling2D("global_average_pooling2d"), x)
      _ = try ZooHead.predictions(g, x, o)
    } else {
      _ = try ZooHead.pooling(g, x, o.pooling)
    }
    return g
  }

  /// Python's `f"{alpha:0.2f}"`, as in Keras's model name `mobilenetv2_1.00_224`.
  static func formatAlpha(_ alpha: Double) -> String {
    let hundredths = Int((alpha * 100).rounded())
    let frac = hundredths % 100
    return "\(hundredths / 100)." + (frac < 10 ? "0\(frac)" : "\(frac)")
  }

  /// The layers MobileNetV2 repeats, parameterised by the numerics.
  struct Blocks {
    let g: Graph
    let numerics: Numerics

    func bn(_ name: String) -> BatchNormalization {
      BatchNormalization(name, epsilon: numerics.bnEpsilon, momentum: numerics.bnMomentum)
    }

    /// The stem: Keras uses `padding="same"` (extra pixel bottom/right); torchvision pads
    /// 1 on every side (`Conv1_pad`) and convolves 'valid'.
    func conv3x3Stride2(_ x: NodeID, filters: Int, name: String) throws -> NodeID {
      var x = x
      var padding = Padding.same
      if numerics.symmetricStride2Padding {
        x = try g.add(ZeroPadding2D("\(name)_pad", padding: 1), x)
        padding = .valid
      }
      return try g.add(
        Conv2D(name, filters: filters, kernelSize: (3, 3), strides: (2, 2), padding: padding,
               useBias: false), x)
    }

    /// `_inverted_res_block`: expand (1x1), depthwise (3x3), project (1x1), residual add
    /// when the shape allows.
    func invertedResidual(
      _ input: NodeID, filters: Int, alpha: Double, stride: Int, expansion: Int, id: Int
    ) throws -> NodeID {
      let inChannels = g.nodes[input.index].outputShape[2]
      let pointwiseFilters = makeDivisible(Double(Int(Double(filters) * alpha)), 8)
      var x = input
      var prefix = "block_\(id)_"
      if id != 0 {
        x = try g.add(
          Conv2D("\(prefix)expand", filters: expansion * inChannels, kernelSize: (1, 1),
                 padding: .same, useBias: false), x)
        x = try g.add(bn("\(prefix)expand_BN"), x)
        x = try g.add(ReLU("\(prefix)expand_relu", maxValue: 6), x)
      } else {
        prefix = "expanded_conv_"
      }

      if stride == 2 {
        let s = g.nodes[x.index].outputShape
        let pad = numerics.symmetricStride2Padding
          ? ((1, 1), (1, 1)) : CorrectPad.padding(height: s[0], width: s[1])
        x = try g.add(ZeroPadding2D("\(prefix)pad", padding: pad), x)
      }
      x = try g.add(
        DepthwiseConv2D("\(prefix)depthwise", kernelSize: (3, 3), strides: (stride, stride),
                        padding: stride == 1 ? .same : .valid, useBias: false), x)
      x = try g.add(bn("\(prefix)depthwise_BN"), x)
      x = try g.add(ReLU("\(prefix)depthwise_relu", maxValue: 6), x)

      x = try g.add(
        Conv2D("\(prefix)project", filters: pointwiseFilters, kernelSize: (1, 1),
               padding: .same, useBias: false), x)
      x = try g.add(bn("\(prefix)project_BN"), x)

      if inChannels == pointwiseFilters && stride == 1 {
        return try g.add(Add("\(prefix)add"), input, x)
      }
      return x
    }
  }
}
