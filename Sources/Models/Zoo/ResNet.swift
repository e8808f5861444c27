import Layers
import TensorCore

/// ResNet50, ResNet101 and ResNet152 (He et al. 2015, v1), as `keras.applications.resnet`
/// builds them: one stem, four stacks of bottleneck blocks that differ only in depth.
public enum ResNet {
  /// Keras's ResNet BatchNormalization epsilon (not the layer default 1e-3).
  public static let bnEpsilon: Float = 1.001e-5

  /// Blocks per stack (conv2…conv5) of each depth.
  static let depths: [(name: String, constructor: String, blocks: [Int])] = [
    ("resnet50", "ResNet50", [3, 4, 6, 3]), ("resnet101", "ResNet101", [3, 4, 23, 3]),
    ("resnet152", "ResNet152", [3, 8, 36, 3]),
  ]

  public static let entries: [ZooEntry] = depths.map { d in
    ZooEntry(
      name: d.name, kerasConstructor: "keras.applications.\(d.constructor)", family: "resnet",
      defaultSize: 224, minSize: 32, preprocessing: .caffe,
      builder: { try build($0, name: d.name, blocks: d.blocks) },
      weightsFile: { KerasWeightsTable.file(d.constructor, $0) })
  }

  /// Builds the v1 ResNet `name` with `blocks` bottlenecks per stack.
  static func build(_ o: ZooOptions, name: String, blocks: [Int]) throws -> Graph {
    let g = Graph(name: name, seed: o.seed)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 224))
    x = try stem(g, x, batchNorm: true)
    x = try stack(g, x, filters: 64, blocks: blocks[0], stride1: 1, name: "conv2")
    x = try stack(g, x, filters: 128, blocks: blocks[1], name: "conv3")
    x = try stack(g, x, filters: 256, blocks: blocks[2], name: "conv4")
    x = try stack(g, x, filters: 512, blocks: blocks[3], name: "conv5")
    try ZooHead.top(g, x, o, avgName: "avg_pool", maxName: "max_pool")
    return g
  }

  /// `conv1` and `pool1`; ResNetV2 (`preact`) has no BatchNormalization/ReLU after conv1.
  static func stem(_ g: Graph, _ input: NodeID, batchNorm: Bool) throws -> NodeID {
    var x = try g.add(ZeroPadding2D("conv1_pad", padding: ((3, 3), (3, 3))), input)
    x = try g.add(Conv2D("conv1_conv", filters: 64, kernelSize: (7, 7), strides: (2, 2)), x)
    if batchNorm {
      x = try g.add(bn("conv1_bn"), x)
      x = try g.add(Activation("conv1_relu", .relu), x)
    }
    x = try g.add(ZeroPadding2D("pool1_pad", padding: ((1, 1), (1, 1))), x)
    return try g.add(MaxPooling2D("pool1_pool", poolSize: (3, 3), strides: (2, 2)), x)
  }

  static func bn(_ name: String) -> BatchNormalization {
    BatchNormalization(name, epsilon: bnEpsilon)
  }

  /// `stack_residual_blocks_v1`: one block with a conv shortcut, then identity blocks.
  static func stack(
    _ g: Graph, _ input: NodeID, filters: Int, blocks: Int, stride1: Int = 2, name: String
  ) throws -> NodeID {
    var x = try block(g, input, filters: filters, stride: stride1, convShortcut: true,
                      name: "\(name)_block1")
    for i in 2...blocks {
      x = try block(g, x, filters: filters, convShortcut: false, name: "\(name)_block\(i)")
    }
    return x
  }

  /// `residual_block_v1`. Nodes are added in the order Keras lists the layers
  /// (`model.layers` sorts by depth: the shortcut conv comes after the `_2_` branch), so
  /// node indices, `--freeze N` and weight-file order match Keras.
  static func block(
    _ g: Graph, _ input: NodeID, filters: Int, kernelSize: Int = 3, stride: Int = 1,
    convShortcut: Bool, name: String
  ) throws -> NodeID {
    let s = (stride, stride)
    var x = try g.add(Conv2D("\(name)_1_conv", filters: filters, kernelSize: (1, 1), strides: s),
                      input)
    x = try g.add(bn("\(name)_1_bn"), x)
    x = try g.add(Activation("\(name)_1_relu", .relu), x)
    x = try g.add(
      Conv2D("\(name)_2_conv", filters: filters, kernelSize: (kernelSize, kernelSize),
             padding: .same), x)
    x = try g.add(bn("\(name)_2_bn"), x)
    x = try g.add(Activation("\(name)_2_relu", .relu), x)

    var shortcut = input
    if convShortcut {
      shortcut = try g.add(
        Conv2D("\(name)_0_conv", filters: 4 * filters, kernelSize: (1, 1), strides: s), input)
    }
    x = try g.add(Conv2D("\(name)_3_conv", filters: 4 * filters, kernelSize: (1, 1)), x)
    if convShortcut {
      shortcut = try g.add(bn("\(name)_0_bn"), shortcut)
    }
    x = try g.add(bn("\(name)_3_bn"), x)

    x = try g.add(Add("\(name)_add"), shortcut, x)
    return try g.add(Activation("\(name)_out", .relu), x)
  }
}
