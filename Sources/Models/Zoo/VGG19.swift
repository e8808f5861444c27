import Layers
import TensorCore

/// VGG19, as `keras.applications.vgg19.VGG19` builds it (VGG16 with a fourth conv in
/// blocks 3-5).
public enum VGG19 {
  public static let entry = ZooEntry(
    name: "vgg19", kerasConstructor: "keras.applications.VGG19", defaultSize: 224,
    minSize: 32, preprocessing: .caffe, builder: build,
    weightsFile: { o in
      o.includeTop
        ? "vgg19_weights_tf_dim_ordering_tf_kernels.h5"
        : "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
    })

  /// Builds VGG19; `options.height`/`width` default to 224.
  public static func build(_ o: ZooOptions) throws -> Graph {
    let g = Graph(name: "vgg19", seed: o.seed)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 224))
    // Block 1
    x = try g.add(VGGConv.conv("block1_conv1", 64), x)
    x = try g.add(VGGConv.conv("block1_conv2", 64), x)
    x = try g.add(VGGConv.pool("block1_pool"), x)
    // Block 2
    x = try g.add(VGGConv.conv("block2_conv1", 128), x)
    x = try g.add(VGGConv.conv("block2_conv2", 128), x)
    x = try g.add(VGGConv.pool("block2_pool"), x)
    // Block 3
    x = try g.add(VGGConv.conv("block3_conv1", 256), x)
    x = try g.add(VGGConv.conv("block3_conv2", 256), x)
    x = try g.add(VGGConv.conv("block3_conv3", 256), x)
    x = try g.add(VGGConv.conv("block3_conv4", 256), x)
    x = try g.add(VGGConv.pool("block3_pool"), x)
    // Block 4
    x = try g.add(VGGConv.conv("block4_conv1", 512), x)
    x = try g.add(VGGConv.conv("block4_conv2", 512), x)
    x = try g.add(VGGConv.conv("block4_conv3", 512), x)
    x = try g.add(VGGConv.conv("block4_conv4", 512), x)
    x = try g.add(VGGConv.pool("block4_pool"), x)
    // Block 5
    x = try g.add(VGGConv.conv("block5_conv1", 512), x)
    x = try g.add(VGGConv.conv("block5_conv2", 512), x)
    x = try g.add(VGGConv.conv("block5_conv3", 512), x)
    x = try g.add(VGGConv.conv("block5_conv4", 512), x)
    x = try g.add(VGGConv.pool("block5_pool"), x)

    try VGGConv.top(g, x, o)
    return g
  }
}
