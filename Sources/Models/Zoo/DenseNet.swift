import Layers

/// DenseNet121, DenseNet169 and DenseNet201 (Huang et al. 2016), as
/// `keras.applications.densenet` builds them.
public enum DenseNet {
  static let depths: [(name: String, constructor: String, blocks: [Int])] = [
    ("densenet121", "DenseNet121", [6, 12, 24, 16]),
    ("densenet169", "DenseNet169", [6, 12, 32, 32]),
    ("densenet201", "DenseNet201", [6, 12, 48, 32]),
  ]

  public static let entries: [ZooEntry] = depths.map { d in
    ZooEntry(
      name: d.name, kerasConstructor: "keras.applications.\(d.constructor)", family: "densenet",
      defaultSize: 224, minSize: 32, preprocessing: .torch,
      builder: { try build($0, name: d.name, blocks: d.blocks) },
      weightsFile: { KerasWeightsTable.file(d.constructor, $0) })
  }

  static func build(_ o: ZooOptions, name: String, blocks: [Int]) throws -> Graph {
    let g = Graph(name: name, seed: o.seed)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 224))
    x = try g.add(ZeroPadding2D("zero_padding2d", padding: 3), x)
    x = try g.add(Conv2D("conv1_conv", filters: 64, kernelSize: (7, 7), strides: (2, 2),
                         useBias: false), x)
    x = try g.add(ResNet.bn("conv1_bn"), x)
    x = try g.add(Activation("conv1_relu", .relu), x)
    x = try g.add(ZeroPadding2D("zero_padding2d_1", padding: 1), x)
    x = try g.add(MaxPooling2D("pool1", poolSize: (3, 3), strides: (2, 2)), x)
    for (i, n) in blocks.enumerated() {
      x = try denseBlock(g, x, blocks: n, name: "conv\(i + 2)")
      if i < 3 { x = try transition(g, x, name: "pool\(i + 2)") }
    }
    x = try g.add(ResNet.bn("bn"), x)
    x = try g.add(Activation("relu", .relu), x)
    try ZooHead.top(g, x, o, avgName: "avg_pool", maxName: "max_pool")
    return g
  }

  /// `dense_block`: `blocks` conv blocks, each concatenating 32 new channels.
  static func denseBlock(_ g: Graph, _ input: NodeID, blocks: Int, name: String) throws
    -> NodeID
  {
    var x = input
    for i in 1...blocks {
      let b = "\(name)_block\(i)"
      var y = try g.add(ResNet.bn("\(b)_0_bn"), x)
      y = try g.add(Activation("\(b)_0_relu", .relu), y)
      y = try g.add(Conv2D("\(b)_1_conv", filters: 128, kernelSize: (1, 1), useBias: false), y)
      y = try g.add(ResNet.bn("\(b)_1_bn"), y)
      y = try g.add(Activation("\(b)_1_relu", .relu), y)
      y = try g.add(
        Conv2D("\(b)_2_conv", filters: 32, kernelSize: (3, 3), padding: .same, useBias: false),
        y)
      x = try g.add(Concatenate("\(b)_concat"), x, y)
    }
    return x
  }

  /// `transition_block`: BN, ReLU, a 1x1 conv halving the channels, 2x2 average pooling.
  static func transition(_ g: Graph, _ input: NodeID, name: String) throws -> NodeID {
    let channels = g.nodes[input.index].outputShape[2]
    var x = try g.add(ResNet.bn("\(name)_bn"), input)
    x = try g.add(Activation("\(name)_relu", .relu), x)
    x = try g.add(
      Conv2D("\(name)_conv", filters: channels / 2, kernelSize: (1, 1), useBias: false), x)
    return try g.add(AveragePooling2D("\(name)_pool", poolSize: (2, 2), strides: (2, 2)), x)
  }
}
