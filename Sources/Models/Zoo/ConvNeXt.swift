import Layers

/// ConvNeXt Tiny…XLarge (Liu et al. 2022), as `keras.applications.convnext` builds them,
/// ImageNet mean/std `Normalization` inside (pixels in [0, 255]). Keras's stem and
/// downsampling blocks are nested `Sequential` models; here their layers sit in place, under
/// their own Keras names. Each block ends with Keras's `inputs + x` op (`add`, `add_1`, …).
public enum ConvNeXt {
  static let variants: [(name: String, constructor: String, depths: [Int], dims: [Int])] = [
    ("tiny", "ConvNeXtTiny", [3, 3, 9, 3], [96, 192, 384, 768]),
    ("small", "ConvNeXtSmall", [3, 3, 27, 3], [96, 192, 384, 768]),
    ("base", "ConvNeXtBase", [3, 3, 27, 3], [128, 256, 512, 1024]),
    ("large", "ConvNeXtLarge", [3, 3, 27, 3], [192, 384, 768, 1536]),
    ("xlarge", "ConvNeXtXLarge", [3, 3, 27, 3], [256, 512, 1024, 2048]),
  ]

  public static let entries: [ZooEntry] = variants.map { v in
    ZooEntry(
      name: "convnext_\(v.name)", kerasConstructor: "keras.applications.\(v.constructor)",
      family: "convnext", defaultSize: 224, minSize: 32, preprocessing: .none,
      builder: { try build($0, name: "convnext_\(v.name)", depths: v.depths, dims: v.dims) },
      weightsFile: { KerasWeightsTable.file(v.constructor, $0) })
  }

  static func layerNorm(_ name: String) -> LayerNormalization {
    LayerNormalization(name, epsilon: 1e-6)
  }

  static func build(_ o: ZooOptions, name n: String, depths: [Int], dims: [Int]) throws -> Graph {
    let g = Graph(name: n, seed: o.seed)
    let names = Names()
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 224))
    // PreStem: ImageNet mean and std, on [0, 255] pixels.
    let mean: [Double] = [0.485, 0.456, 0.406]
    let std: [Double] = [0.229, 0.224, 0.225]
    x = try g.add(
      Normalization("\(n)_prestem_normalization", mean: mean.map { Float($0 * 255) },
                    variance: std.map { Float(($0 * 255) * ($0 * 255)) }), x)
    x = try g.add(Conv2D("\(n)_stem_conv", filters: dims[0], kernelSize: (4, 4),
                         strides: (4, 4)), x)
    x = try g.add(layerNorm("\(n)_stem_layernorm"), x)
    for (i, depth) in depths.enumerated() {
      if i > 0 {
        x = try g.add(layerNorm("\(n)_downsampling_layernorm_\(i - 1)"), x)
        x = try g.add(Conv2D("\(n)_downsampling_conv_\(i - 1)", filters: dims[i],
                             kernelSize: (2, 2), strides: (2, 2)), x)
      }
      for j in 0..<depth {
        x = try block(g, x, dim: dims[i], name: "\(n)_stage_\(i)_block_\(j)", names: names)
      }
    }
    if o.includeTop {
      x = try g.add(GlobalAveragePooling2D("\(n)_head_gap"), x)
      x = try g.add(layerNorm("\(n)_head_layernorm"), x)
      _ = try g.add(Dense("\(n)_head_dense", units: o.classes, activation: o.classifierActivation), x)
    } else {
      x = try ZooHead.pooling(g, x, o.pooling)
      _ = try g.add(layerNorm("layer_normalization"), x)
    }
    return try KerasLayerOrder.reorder(g)
  }

  /// `ConvNeXtBlock` with Keras's defaults (no stochastic depth, layer scale 1e-6):
  /// 7x7 depthwise conv, LayerNorm, Dense 4x, GELU, Dense back, LayerScale, residual.
  static func block(_ g: Graph, _ input: NodeID, dim: Int, name b: String, names: Names) throws
    -> NodeID
  {
    var x = try g.add(
      Conv2D("\(b)_depthwise_conv", filters: dim, kernelSize: (7, 7), padding: .same,
             groups: dim), input)
    x = try g.add(layerNorm("\(b)_layernorm"), x)
    x = try g.add(Dense("\(b)_pointwise_conv_1", units: 4 * dim), x)
    x = try g.add(Activation("\(b)_gelu", .gelu), x)
    x = try g.add(Dense("\(b)_pointwise_conv_2", units: dim), x)
    x = try g.add(LayerScale("\(b)_layer_scale", initValue: 1e-6, projectionDim: dim), x)
    x = try g.add(Activation("\(b)_identity", .linear), x)
    return try g.add(
      Arithmetic(names.next("add"), .add, kerasClassName: "keras.src.ops.numpy.Add"), input, x)
  }
}
