import Layers
import TensorCore

/// VGG19, as `keras.applications.vgg19.VGG19` builds it (VGG16 with a fourth conv in
/// blocks 3-5).
public enum VGG19 {
  public static let entry = ZooEntry(
    name: "vgg19", kerasConstructor: "keras.applications.VGG19", family: "vgg19",
    defaultSize: 224, minSize: 32, preprocessing: .caffe, builder: build,
    weightsFile: { KerasWeightsTable.file("VGG19", $0) })

  /// Builds VGG19; `options.height`/`width` default to 224.
  public static func build(_ o: ZooOptions) throws -> Graph {
    let g = Graph(name: "vgg19", seed: o.seed)
    var x = try g.input("input_layer", shape: ZooHead.inputShape(o, default: 224))
    x = try VGGConv.trunk(g, x, convsPerBlock: [2, 2, 4, 4, 4])
    try VGGConv.top(g, x, o)
    return g
  }
}
