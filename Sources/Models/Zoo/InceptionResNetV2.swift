import Layers

/// InceptionResNetV2 (Szegedy et al. 2016), as `keras.applications.inception_resnet_v2`
/// builds it. Unnamed Keras layers (`conv2d_N`, `custom_scale_layer_N`, …) get the same
/// automatic names in the same source order; `block35_1_conv` and the like are Keras's own.
public enum InceptionResNetV2 {
  public static let entry = ZooEntry(
    name: "inception_resnet_v2", kerasConstructor: "keras.applications.InceptionResNetV2",
    family: "inception_resnet_v2", defaultSize: 299, minSize: 75, preprocessing: .tf,
    builder: build, weightsFile: { KerasWeightsTable.file("InceptionResNetV2", $0) })

  /// `conv2d_bn`: Conv2D (no bias) + BatchNormalization (no scale) + activation, or a
  /// biased Conv2D alone for the residual's projection.
  struct Blocks {
    let g: Graph
    let names = Names()

    func conv(
      _ x: NodeID, _ filters: Int, _ kernel: (Int, Int), strides: Int = 1,
      padding: Padding = .same, activation: Bool = true, useBias: Bool = false,
      name: String? = nil
    ) throws -> NodeID {
      var x = try g.add(
        Conv2D(name ?? names.next("conv2d"), filters: filters, kernelSize: kernel,
               strides: (strides, strides), padding: padding, useBias: useBias), x)
      if !useBias {
        let bn = name.map { "\($0)_bn" } ?? names.next("batch_normalization")
        x = try g.add(BatchNormalization(bn, scale: false), x)
      }
      if activation {
        x = try g.add(Activation(name.map { "\($0)_ac" } ?? names.next("activation"), .relu), x)
      }
      return x
    }

    func conv(_ x: NodeID, _ filters: Int, _ k: Int, strides: Int = 1, padding: Padding = .same)
      throws -> NodeID
    {
      try conv(x, filters, (k, k), strides: strides, padding: padding)
    }

    func maxPool(_ x: NodeID, padding: Padding = .valid) throws -> NodeID {
      try g.add(
        MaxPooling2D(names.next("max_pooling2d"), poolSize: (3, 3), strides: (2, 2),
                     padding: padding), x)
    }

    /// `inception_resnet_block`: branches, `_mixed` concat, `_conv` projection,
    /// x + scale · residual (`CustomScaleLayer`), optional ReLU `_ac`.
    func residual(_ x: NodeID, scale: Float, type: String, index: Int, relu: Bool = true)
      throws -> NodeID
    {
      var branches: [NodeID]
      switch type {
      case "block35":
        let b0 = try conv(x, 32, 1)
        let b1 = try conv(try conv(x, 32, 1), 32, 3)
        let b2 = try conv(try conv(try conv(x, 32, 1), 48, 3), 64, 3)
        branches = [b0, b1, b2]
      case "block17":
        let b0 = try conv(x, 192, 1)
        var b1 = try conv(x, 128, 1)
        b1 = try conv(b1, 160, (1, 7))
        b1 = try conv(b1, 192, (7, 1))
        branches = [b0, b1]
      default:  // block8
        let b0 = try conv(x, 192, 1)
        var b1 = try conv(x, 192, 1)
        b1 = try conv(b1, 224, (1, 3))
        b1 = try conv(b1, 256, (3, 1))
        branches = [b0, b1]
      }
      let name = "\(type)_\(index)"
      let mixed = try g.add(Concatenate("\(name)_mixed"), inputs: branches)
      let up = try conv(
        mixed, g.nodes[x.index].outputShape[2], (1, 1), activation: false, useBias: true,
        name: "\(name)_conv")
      var y = try g.add(CustomScaleLayer(names.next("custom_scale_layer"), scale: scale), x, up)
      if relu { y = try g.add(Activation("\(name)_ac", .relu), y) }
      return y
    }
  }

  public static func build(_ o: ZooOptions) throws -> Graph {
    let g = Graph(name: "inception_resnet_v2", seed: o.seed)
    let b = Blocks(g: g)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 299))
    x = try b.conv(x, 32, 3, strides: 2, padding: .valid)
    x = try b.conv(x, 32, 3, padding: .valid)
    x = try b.conv(x, 64, 3)
    x = try b.maxPool(x)
    x = try b.conv(x, 80, 1, padding: .valid)
    x = try b.conv(x, 192, 3, padding: .valid)
    x = try b.maxPool(x)

    let b0 = try b.conv(x, 96, 1)
    let b1 = try b.conv(try b.conv(x, 48, 1), 64, 5)
    let b2 = try b.conv(try b.conv(try b.conv(x, 64, 1), 96, 3), 96, 3)
    var pool = try g.add(
      AveragePooling2D(b.names.next("average_pooling2d"), poolSize: (3, 3), strides: (1, 1),
                       padding: .same), x)
    pool = try b.conv(pool, 64, 1)
    x = try g.add(Concatenate("mixed_5b"), inputs: [b0, b1, b2, pool])
    for i in 1...10 { x = try b.residual(x, scale: 0.17, type: "block35", index: i) }

    let c0 = try b.conv(x, 384, 3, strides: 2, padding: .valid)
    let c1 = try b.conv(try b.conv(try b.conv(x, 256, 1), 256, 3), 384, 3, strides: 2,
                        padding: .valid)
    let cp = try b.maxPool(x)
    x = try g.add(Concatenate("mixed_6a"), inputs: [c0, c1, cp])
    for i in 1...20 { x = try b.residual(x, scale: 0.1, type: "block17", index: i) }

    let d0 = try b.conv(try b.conv(x, 256, 1), 384, 3, strides: 2, padding: .valid)
    let d1 = try b.conv(try b.conv(x, 256, 1), 288, 3, strides: 2, padding: .valid)
    let d2 = try b.conv(try b.conv(try b.conv(x, 256, 1), 288, 3), 320, 3, strides: 2,
                        padding: .valid)
    let dp = try b.maxPool(x)
    x = try g.add(Concatenate("mixed_7a"), inputs: [d0, d1, d2, dp])
    for i in 1...9 { x = try b.residual(x, scale: 0.2, type: "block8", index: i) }
    x = try b.residual(x, scale: 1.0, type: "block8", index: 10, relu: false)
    x = try b.conv(x, 1536, (1, 1), name: "conv_7b")
    try ZooHead.top(g, x, o)
    return try KerasLayerOrder.reorder(g)
  }
}
