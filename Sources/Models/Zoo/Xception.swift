import Layers

/// Xception (Chollet 2016), as `keras.applications.xception` builds it: depthwise-separable
/// convolutions in residual blocks; the shortcut convs and adds are unnamed in Keras.
public enum Xception {
  public static let entry = ZooEntry(
    name: "xception", kerasConstructor: "keras.applications.Xception", family: "xception",
    defaultSize: 299, minSize: 71, preprocessing: .tf, builder: build,
    weightsFile: { KerasWeightsTable.file("Xception", $0) })

  public static func build(_ o: ZooOptions) throws -> Graph {
    let g = Graph(name: "xception", seed: o.seed)
    let names = Names()
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 299))
    x = try g.add(Conv2D("block1_conv1", filters: 32, kernelSize: (3, 3), strides: (2, 2),
                         useBias: false), x)
    x = try g.add(BatchNormalization("block1_conv1_bn"), x)
    x = try g.add(Activation("block1_conv1_act", .relu), x)
    x = try g.add(Conv2D("block1_conv2", filters: 64, kernelSize: (3, 3), useBias: false), x)
    x = try g.add(BatchNormalization("block1_conv2_bn"), x)
    x = try g.add(Activation("block1_conv2_act", .relu), x)

    /// Entry and exit blocks: two separable convs, a stride-2 pool, a 1x1 stride-2 shortcut.
    func downBlock(_ input: NodeID, _ block: Int, _ f1: Int, _ f2: Int, firstReLU: Bool) throws
      -> NodeID
    {
      var r = try g.add(
        Conv2D(names.next("conv2d"), filters: f2, kernelSize: (1, 1), strides: (2, 2),
               padding: .same, useBias: false), input)
      r = try g.add(BatchNormalization(names.next("batch_normalization")), r)
      var x = input
      if firstReLU { x = try g.add(Activation("block\(block)_sepconv1_act", .relu), x) }
      x = try sepconv(g, x, f1, "block\(block)_sepconv1")
      x = try g.add(Activation("block\(block)_sepconv2_act", .relu), x)
      x = try sepconv(g, x, f2, "block\(block)_sepconv2")
      x = try g.add(
        MaxPooling2D("block\(block)_pool", poolSize: (3, 3), strides: (2, 2), padding: .same), x)
      return try g.add(Add(names.next("add")), x, r)
    }

    x = try downBlock(x, 2, 128, 128, firstReLU: false)
    x = try downBlock(x, 3, 256, 256, firstReLU: true)
    x = try downBlock(x, 4, 728, 728, firstReLU: true)
    for i in 5...12 {
      let residual = x
      for j in 1...3 {
        x = try g.add(Activation("block\(i)_sepconv\(j)_act", .relu), x)
        x = try sepconv(g, x, 728, "block\(i)_sepconv\(j)")
      }
      x = try g.add(Add(names.next("add")), x, residual)
    }
    x = try downBlock(x, 13, 728, 1024, firstReLU: true)
    x = try sepconv(g, x, 1536, "block14_sepconv1")
    x = try g.add(Activation("block14_sepconv1_act", .relu), x)
    x = try sepconv(g, x, 2048, "block14_sepconv2")
    x = try g.add(Activation("block14_sepconv2_act", .relu), x)

    try ZooHead.top(g, x, o)
    return try KerasLayerOrder.reorder(g)
  }

  /// SeparableConv2D 3x3 'same' without bias, then its BatchNormalization (`NAME_bn`).
  static func sepconv(_ g: Graph, _ x: NodeID, _ filters: Int, _ name: String) throws
    -> NodeID
  {
    let y = try g.add(
      SeparableConv2D(name, filters: filters, kernelSize: (3, 3), padding: .same,
                      useBias: false), x)
    return try g.add(BatchNormalization("\(name)_bn"), y)
  }
}
