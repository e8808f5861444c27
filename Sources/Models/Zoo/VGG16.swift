import Layers
import TensorCore

/// VGG16 (Simonyan & Zisserman 2014), as `keras.applications.vgg16.VGG16` builds it.
public enum VGG16 {
  public static let entry = ZooEntry(
    name: "vgg16", kerasConstructor: "keras.applications.VGG16", family: "vgg16",
    defaultSize: 224, minSize: 32, preprocessing: .caffe, builder: build,
    weightsFile: { KerasWeightsTable.file("VGG16", $0) })

  /// Builds VGG16; `options.height`/`width` default to 224.
  public static func build(_ o: ZooOptions) throws -> Graph {
    let g = Graph(name: "vgg16", seed: o.seed)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 224))
    x = try VGGConv.trunk(g, x, convsPerBlock: [2, 2, 3, 3, 3])
    try VGGConv.top(g, x, o)
    return g
  }
}

/// The pieces VGG16 and VGG19 share.
enum VGGConv {
  /// Five blocks of 3x3 "same" ReLU convolutions (64, 128, 256, 512, 512 filters) named
  /// `block{b}_conv{i}`, each block ending in `block{b}_pool`.
  static func trunk(_ g: Graph, _ input: NodeID, convsPerBlock: [Int]) throws -> NodeID {
    var x = input
    for (b, (convs, filters)) in zip(convsPerBlock, [64, 128, 256, 512, 512]).enumerated() {
      for i in 1...convs {
        x = try g.add(conv("block\(b + 1)_conv\(i)", filters), x)
      }
      x = try g.add(pool("block\(b + 1)_pool"), x)
    }
    return x
  }

  /// `Conv2D(filters, (3, 3), activation="relu", padding="same", name=name)`.
  static func conv(_ name: String, _ filters: Int) -> Conv2D {
    Conv2D(name, filters: filters, kernelSize: (3, 3), padding: .same, activation: .relu)
  }

  /// `MaxPooling2D((2, 2), strides=(2, 2), name=name)`.
  static func pool(_ name: String) -> MaxPooling2D {
    MaxPooling2D(name, poolSize: (2, 2), strides: (2, 2))
  }

  /// Classification block (flatten, fc1, fc2, predictions) or the optional pooling.
  static func top(_ g: Graph, _ trunk: NodeID, _ o: ZooOptions) throws {
    var x = trunk
    if o.includeTop {
      x = try g.add(Flatten("flatten"), x)
      x = try g.add(Dense("fc1", units: 4096, activation: .relu), x)
      x = try g.add(Dense("fc2", units: 4096, activation: .relu), x)
      _ = try ZooHead.predictions(g, x, o)
    } else {
      _ = try ZooHead.pooling(g, x, o.pooling)
    }
  }
}
