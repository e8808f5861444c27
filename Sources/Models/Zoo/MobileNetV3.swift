import Layers
import TensorCore

/// MobileNetV3 Small and Large (Howard et al. 2019), as Keras 3's
/// `keras.applications.mobilenet_v3` builds them, preprocessing (`Rescaling` to [-1, 1])
/// included: the network takes pixels in [0, 255]. Keras's hard sigmoid is `x + 3`, a
/// `ReLU(6)` and `x * (1/6)`; the two ops are nodes here (`add`, `multiply`), as in
/// Keras's `model.operations`.
public enum MobileNetV3 {
  /// One `_inverted_res_block`: expansion, output filters (before alpha), kernel (nil: the
  /// network's, 5 or 3 when minimalistic), stride, squeeze-excite, and whether it uses the
  /// network's activation (hard swish) or ReLU.
  struct Block {
    let expansion: Double
    let filters: Int
    let kernel: Int?
    let stride: Int
    let se: Bool
    let hardSwish: Bool

    init(_ e: Double, _ f: Int, _ k: Int?, _ s: Int, se: Bool, hs: Bool) {
      (expansion, filters, kernel, stride, self.se, hardSwish) = (e, f, k, s, se, hs)
    }
  }

  static let small: [Block] = [
    Block(1, 16, 3, 2, se: true, hs: false),
    Block(72.0 / 16, 24, 3, 2, se: false, hs: false),
    Block(88.0 / 24, 24, 3, 1, se: false, hs: false),
    Block(4, 40, nil, 2, se: true, hs: true),
    Block(6, 40, nil, 1, se: true, hs: true),
    Block(6, 40, nil, 1, se: true, hs: true),
    Block(3, 48, nil, 1, se: true, hs: true),
    Block(3, 48, nil, 1, se: true, hs: true),
    Block(6, 96, nil, 2, se: true, hs: true),
    Block(6, 96, nil, 1, se: true, hs: true),
    Block(6, 96, nil, 1, se: true, hs: true),
  ]

  static let large: [Block] = [
    Block(1, 16, 3, 1, se: false, hs: false),
    Block(4, 24, 3, 2, se: false, hs: false),
    Block(3, 24, 3, 1, se: false, hs: false),
    Block(3, 40, nil, 2, se: true, hs: false),
    Block(3, 40, nil, 1, se: true, hs: false),
    Block(3, 40, nil, 1, se: true, hs: false),
    Block(6, 80, 3, 2, se: false, hs: true),
    Block(2.5, 80, 3, 1, se: false, hs: true),
    Block(2.3, 80, 3, 1, se: false, hs: true),
    Block(2.3, 80, 3, 1, se: false, hs: true),
    Block(6, 112, 3, 1, se: true, hs: true),
    Block(6, 112, 3, 1, se: true, hs: true),
    Block(6, 160, nil, 2, se: true, hs: true),
    Block(6, 160, nil, 1, se: true, hs: true),
    Block(6, 160, nil, 1, se: true, hs: true),
  ]

  public static let entries: [ZooEntry] = [
    entry("mobilenet_v3_small", "MobileNetV3Small", small, lastPoint: 1024),
    entry("mobilenet_v3_large", "MobileNetV3Large", large, lastPoint: 1280),
  ]

  static func entry(_ name: String, _ constructor: String, _ blocks: [Block], lastPoint: Int)
    -> ZooEntry
  {
    ZooEntry(
      name: name, kerasConstructor: "keras.applications.\(constructor)", family: "mobilenet_v3",
      defaultSize: 224, minSize: 32, preprocessing: .none,
      builder: { try build($0, name: constructor, blocks: blocks, lastPoint: lastPoint) },
      weightsFile: { KerasWeightsTable.file(constructor, $0) })
  }

  static func build(_ o: ZooOptions, name: String, blocks: [Block], lastPoint: Int) throws
    -> Graph
  {
    guard o.alpha > 0, o.alpha.isFinite else {
      throw ZooError.invalidOption(
        base: name, option: "alpha", reason: "must be positive (Keras: 0.75 or 1.0)")
    }
    let g = Graph(name: name, seed: o.seed)
    let b = Blocks(g: g, minimalistic: o.minimalistic)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 224))
    x = try g.add(Rescaling("rescaling", scale: Float(1 / 127.5), offset: -1), x)
    x = try g.add(Conv2D("conv", filters: 16, kernelSize: (3, 3), strides: (2, 2),
                         padding: .same, useBias: false), x)
    x = try g.add(b.bn("conv_bn"), x)
    x = try b.activation(x, hardSwish: true)
    for (id, block) in blocks.enumerated() {
      let filters = MobileNetV2.makeDivisible(Double(block.filters) * o.alpha)
      x = try b.invertedResidual(x, block, filters: filters, id: id)
    }
    let channels = g.nodes[x.index].outputShape[2]
    x = try g.add(Conv2D("conv_1", filters: MobileNetV2.makeDivisible(Double(channels * 6)),
                         kernelSize: (1, 1), padding: .same, useBias: false), x)
    x = try g.add(b.bn("conv_1_bn"), x)
    x = try b.activation(x, hardSwish: true)
    if o.includeTop {
      let point = o.alpha > 1 ? MobileNetV2.makeDivisible(Double(lastPoint) * o.alpha) : lastPoint
      x = try g.add(GlobalAveragePooling2D("global_average_pooling2d", keepDims: true), x)
      x = try g.add(Conv2D("conv_2", filters: point, kernelSize: (1, 1), padding: .same), x)
      x = try b.activation(x, hardSwish: true)
      x = try g.add(Dropout("dropout", rate: 0.2, seed: o.seed), x)
      x = try g.add(Conv2D("logits", filters: o.classes, kernelSize: (1, 1), padding: .same), x)
      x = try g.add(Flatten("flatten"), x)
      _ = try g.add(Activation("predictions", o.classifierActivation), x)
    } else {
      _ = try ZooHead.pooling(g, x, o.pooling, avgName: "avg_pool", maxName: "max_pool")
    }
    return try KerasLayerOrder.reorder(g)
  }

  /// The layers MobileNetV3 repeats; unnamed Keras layers get Keras's automatic names.
  struct Blocks {
    let g: Graph
    let minimalistic: Bool
    let names = Names()

    /// Hard swish (`Activation("hard_swish")`) or `ReLU()`; minimalistic networks use ReLU.
    func activation(_ x: NodeID, hardSwish: Bool) throws -> NodeID {
      if hardSwish && !minimalistic {
        return try g.add(Activation(names.next("activation"), .hardSilu), x)
      }
      return try g.add(ReLU(names.next("re_lu")), x)
    }

    /// `ReLU(6.0)(x + 3.0) * (1.0 / 6.0)`.
    func hardSigmoid(_ x: NodeID) throws -> NodeID {
      var x = try g.add(
        Arithmetic(names.next("add"), .add, constant: Tensor(zeros: [], value: 3),
                   kerasClassName: "keras.src.ops.numpy.Add"), x)
      x = try g.add(ReLU(names.next("re_lu"), maxValue: 6), x)
      return try g.add(
        Arithmetic(names.next("multiply"), .multiply, constant: Tensor(zeros: [], value: 1.0 / 6.0),
                   kerasClassName: "keras.src.ops.numpy.Multiply"), x)
    }

    func bn(_ name: String) -> BatchNormalization {
      BatchNormalization(name, epsilon: 1e-3, momentum: 0.999)
    }

    /// `_se_block`: average, reduce (ReLU), expand (hard sigmoid), scale the input.
    func squeezeExcite(_ input: NodeID, filters: Int, prefix: String) throws -> NodeID {
      let p = "\(prefix)squeeze_excite_"
      var x = try g.add(GlobalAveragePooling2D("\(p)avg_pool", keepDims: true), input)
      x = try g.add(Conv2D("\(p)conv", filters: MobileNetV2.makeDivisible(Double(filters) * 0.25),
                           kernelSize: (1, 1), padding: .same), x)
      x = try g.add(ReLU("\(p)relu"), x)
      x = try g.add(Conv2D("\(p)conv_1", filters: filters, kernelSize: (1, 1), padding: .same), x)
      x = try hardSigmoid(x)
      return try g.add(Multiply("\(p)mul"), input, x)
    }

    /// `_inverted_res_block`: expand (1x1), depthwise, optional squeeze-excite, project.
    func invertedResidual(_ input: NodeID, _ block: Block, filters: Int, id: Int) throws
      -> NodeID
    {
      let inFilters = g.nodes[input.index].outputShape[2]
      let kernel = block.kernel ?? (minimalistic ? 3 : 5)
      let hardSwish = block.hardSwish
      let expanded = MobileNetV2.makeDivisible(Double(inFilters) * block.expansion)
      var x = input
      var prefix = "expanded_conv_"
      if id > 0 {
        prefix = "expanded_conv_\(id)_"
        x = try g.add(Conv2D("\(prefix)expand", filters: expanded, kernelSize: (1, 1),
                             padding: .same, useBias: false), x)
        x = try g.add(bn("\(prefix)expand_bn"), x)
        x = try activation(x, hardSwish: hardSwish)
      }
      if block.stride == 2 {
        x = try g.add(CorrectPad.layer(g, x, kernel: kernel, name: "\(prefix)depthwise_pad"), x)
      }
      x = try g.add(
        DepthwiseConv2D("\(prefix)depthwise", kernelSize: (kernel, kernel),
                        strides: (block.stride, block.stride),
                        padding: block.stride == 1 ? .same : .valid, useBias: false), x)
      x = try g.add(bn("\(prefix)depthwise_bn"), x)
      x = try activation(x, hardSwish: hardSwish)
      if block.se && !minimalistic {
        x = try squeezeExcite(x, filters: expanded, prefix: prefix)
      }
      x = try g.add(Conv2D("\(prefix)project", filters: filters, kernelSize: (1, 1),
                           padding: .same, useBias: false), x)
      x = try g.add(bn("\(prefix)project_bn"), x)
      if block.stride == 1 && inFilters == filters {
        return try g.add(Add("\(prefix)add"), input, x)
      }
      return x
    }
  }
}
