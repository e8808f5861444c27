import Layers

/// InceptionV3 (Szegedy et al. 2015), as `keras.applications.inception_v3` builds it. Its
/// convolutions are unnamed in Keras (`conv2d_N`, `batch_normalization_N`, `activation_N`);
/// `Names` gives the same automatic names in the same source order.
public enum InceptionV3 {
  public static let entry = ZooEntry(
    name: "inception_v3", kerasConstructor: "keras.applications.InceptionV3",
    family: "inception", defaultSize: 299, minSize: 75, preprocessing: .tf, builder: build,
    weightsFile: { KerasWeightsTable.file("InceptionV3", $0) })

  /// `conv2d_bn`: Conv2D without bias, BatchNormalization without scale, ReLU.
  struct Blocks {
    let g: Graph
    let names = Names()

    func conv(
      _ x: NodeID, _ filters: Int, _ rows: Int, _ cols: Int, strides: Int = 1,
      padding: Padding = .same
    ) throws -> NodeID {
      var x = try g.add(
        Conv2D(names.next("conv2d"), filters: filters, kernelSize: (rows, cols),
               strides: (strides, strides), padding: padding, useBias: false), x)
      x = try g.add(BatchNormalization(names.next("batch_normalization"), scale: false), x)
      return try g.add(Activation(names.next("activation"), .relu), x)
    }

    func maxPool(_ x: NodeID) throws -> NodeID {
      try g.add(MaxPooling2D(names.next("max_pooling2d"), poolSize: (3, 3), strides: (2, 2)), x)
    }

    func avgPool(_ x: NodeID) throws -> NodeID {
      try g.add(
        AveragePooling2D(names.next("average_pooling2d"), poolSize: (3, 3), strides: (1, 1),
                         padding: .same), x)
    }

    func concat(_ inputs: [NodeID], _ name: String? = nil) throws -> NodeID {
      try g.add(Concatenate(name ?? names.next("concatenate")), inputs: inputs)
    }
  }

  public static func build(_ o: ZooOptions) throws -> Graph {
    let g = Graph(name: "inception_v3", seed: o.seed)
    let b = Blocks(g: g)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 299))
    x = try b.conv(x, 32, 3, 3, strides: 2, padding: .valid)
    x = try b.conv(x, 32, 3, 3, padding: .valid)
    x = try b.conv(x, 64, 3, 3)
    x = try b.maxPool(x)
    x = try b.conv(x, 80, 1, 1, padding: .valid)
    x = try b.conv(x, 192, 3, 3, padding: .valid)
    x = try b.maxPool(x)

    // mixed 0, 1, 2: 35 x 35.
    for (i, poolFilters) in [32, 64, 64].enumerated() {
      let b1 = try b.conv(x, 64, 1, 1)
      var b5 = try b.conv(x, 48, 1, 1)
      b5 = try b.conv(b5, 64, 5, 5)
      var b3 = try b.conv(x, 64, 1, 1)
      b3 = try b.conv(b3, 96, 3, 3)
      b3 = try b.conv(b3, 96, 3, 3)
      var bp = try b.avgPool(x)
      bp = try b.conv(bp, poolFilters, 1, 1)
      x = try b.concat([b1, b5, b3, bp], "mixed\(i)")
    }

    // mixed 3: 17 x 17.
    do {
      let b3 = try b.conv(x, 384, 3, 3, strides: 2, padding: .valid)
      var bd = try b.conv(x, 64, 1, 1)
      bd = try b.conv(bd, 96, 3, 3)
      bd = try b.conv(bd, 96, 3, 3, strides: 2, padding: .valid)
      let bp = try b.maxPool(x)
      x = try b.concat([b3, bd, bp], "mixed3")
    }

    // mixed 4-7: factorised 7x7 convolutions.
    for (i, width) in [128, 160, 160, 192].enumerated() {
      let b1 = try b.conv(x, 192, 1, 1)
      var b7 = try b.conv(x, width, 1, 1)
      b7 = try b.conv(b7, width, 1, 7)
      b7 = try b.conv(b7, 192, 7, 1)
      var bd = try b.conv(x, width, 1, 1)
      bd = try b.conv(bd, width, 7, 1)
      bd = try b.conv(bd, width, 1, 7)
      bd = try b.conv(bd, width, 7, 1)
      bd = try b.conv(bd, 192, 1, 7)
      var bp = try b.avgPool(x)
      bp = try b.conv(bp, 192, 1, 1)
      x = try b.concat([b1, b7, bd, bp], "mixed\(4 + i)")
    }

    // mixed 8: 8 x 8.
    do {
      var b3 = try b.conv(x, 192, 1, 1)
      b3 = try b.conv(b3, 320, 3, 3, strides: 2, padding: .valid)
      var b7 = try b.conv(x, 192, 1, 1)
      b7 = try b.conv(b7, 192, 1, 7)
      b7 = try b.conv(b7, 192, 7, 1)
      b7 = try b.conv(b7, 192, 3, 3, strides: 2, padding: .valid)
      let bp = try b.maxPool(x)
      x = try b.concat([b3, b7, bp], "mixed8")
    }

    // mixed 9, 10: expanded filter banks.
    for i in 0..<2 {
      let b1 = try b.conv(x, 320, 1, 1)
      let b3 = try b.conv(x, 384, 1, 1)
      let b3a = try b.conv(b3, 384, 1, 3)
      let b3b = try b.conv(b3, 384, 3, 1)
      let b3cat = try b.concat([b3a, b3b], "mixed9_\(i)")
      var bd = try b.conv(x, 448, 1, 1)
      bd = try b.conv(bd, 384, 3, 3)
      let bda = try b.conv(bd, 384, 1, 3)
      let bdb = try b.conv(bd, 384, 3, 1)
      let bdcat = try b.concat([bda, bdb])
      var bp = try b.avgPool(x)
      bp = try b.conv(bp, 192, 1, 1)
      x = try b.concat([b1, b3cat, bdcat, bp], "mixed\(9 + i)")
    }

    try ZooHead.top(g, x, o)
    return try KerasLayerOrder.reorder(g)
  }
}
