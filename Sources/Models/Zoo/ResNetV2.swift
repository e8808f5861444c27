import Layers

/// ResNet50V2, ResNet101V2 and ResNet152V2 (He et al. 2016, pre-activation), as
/// `keras.applications.resnet_v2` builds them; the stem is ResNet's without its BN/ReLU.
public enum ResNetV2 {
  static let depths: [(name: String, constructor: String, blocks: [Int])] = [
    ("resnet50_v2", "ResNet50V2", [3, 4, 6, 3]), ("resnet101_v2", "ResNet101V2", [3, 4, 23, 3]),
    ("resnet152_v2", "ResNet152V2", [3, 8, 36, 3]),
  ]

  public static let entries: [ZooEntry] = depths.map { d in
    ZooEntry(
      name: d.name, kerasConstructor: "keras.applications.\(d.constructor)",
      family: "resnet_v2", defaultSize: 224, minSize: 32, preprocessing: .tf,
      builder: { try build($0, name: d.name.replacingOccurrences(of: "_", with: ""),
                           blocks: d.blocks) },
      weightsFile: { KerasWeightsTable.file(d.constructor, $0) })
  }

  static func build(_ o: ZooOptions, name: String, blocks: [Int]) throws -> Graph {
    let g = Graph(name: name, seed: o.seed)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 224))
    x = try ResNet.stem(g, x, batchNorm: false)
    let names = Names()
    x = try stack(g, x, filters: 64, blocks: blocks[0], name: "conv2", names)
    x = try stack(g, x, filters: 128, blocks: blocks[1], name: "conv3", names)
    x = try stack(g, x, filters: 256, blocks: blocks[2], name: "conv4", names)
    x = try stack(g, x, filters: 512, blocks: blocks[3], stride1: 1, name: "conv5", names)
    x = try g.add(ResNet.bn("post_bn"), x)
    x = try g.add(Activation("post_relu", .relu), x)
    try ZooHead.top(g, x, o, avgName: "avg_pool", maxName: "max_pool")
    return try KerasLayerOrder.reorder(g)
  }

  /// `stack_residual_blocks_v2`: a conv-shortcut block, identity blocks, and a last block
  /// that downsamples (its shortcut an unnamed 1x1 MaxPooling2D).
  static func stack(
    _ g: Graph, _ input: NodeID, filters: Int, blocks: Int, stride1: Int = 2, name: String,
    _ names: Names
  ) throws -> NodeID {
    var x = try block(g, input, filters: filters, convShortcut: true, name: "\(name)_block1",
                      names)
    for i in 2..<blocks {
      x = try block(g, x, filters: filters, name: "\(name)_block\(i)", names)
    }
    return try block(g, x, filters: filters, stride: stride1, name: "\(name)_block\(blocks)",
                     names)
  }

  /// `residual_block_v2`.
  static func block(
    _ g: Graph, _ input: NodeID, filters: Int, stride: Int = 1, convShortcut: Bool = false,
    name: String, _ names: Names
  ) throws -> NodeID {
    let s = (stride, stride)
    var preact = try g.add(ResNet.bn("\(name)_preact_bn"), input)
    preact = try g.add(Activation("\(name)_preact_relu", .relu), preact)
    var shortcut = input
    if convShortcut {
      shortcut = try g.add(
        Conv2D("\(name)_0_conv", filters: 4 * filters, kernelSize: (1, 1), strides: s), preact)
    } else if stride > 1 {
      shortcut = try g.add(
        MaxPooling2D(names.next("max_pooling2d"), poolSize: (1, 1), strides: s), input)
    }
    var x = try g.add(
      Conv2D("\(name)_1_conv", filters: filters, kernelSize: (1, 1), useBias: false), preact)
    x = try g.add(ResNet.bn("\(name)_1_bn"), x)
    x = try g.add(Activation("\(name)_1_relu", .relu), x)
    x = try g.add(ZeroPadding2D("\(name)_2_pad", padding: 1), x)
    x = try g.add(
      Conv2D("\(name)_2_conv", filters: filters, kernelSize: (3, 3), strides: s, useBias: false),
      x)
    x = try g.add(ResNet.bn("\(name)_2_bn"), x)
    x = try g.add(Activation("\(name)_2_relu", .relu), x)
    x = try g.add(Conv2D("\(name)_3_conv", filters: 4 * filters, kernelSize: (1, 1)), x)
    return try g.add(Add("\(name)_out"), shortcut, x)
  }
}

/// Keras's automatic names for unnamed layers in a fresh session: `max_pooling2d`,
/// `max_pooling2d_1`, … counted per class name.
final class Names {
  private var counts: [String: Int] = [:]

  func next(_ base: String) -> String {
    let n = counts[base, default: 0]
    counts[base] = n + 1
    return n == 0 ? base : "\(base)_\(n)"
  }
}
