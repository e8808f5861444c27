import Models

extension TorchVisionMobileNetV2 {
  /// The zoo network torchvision weights load into: Keras MobileNetV2 names with
  /// torchvision's numerics (BN epsilon 1e-5, symmetric stride-2 padding, torch
  /// preprocessing).
  public static let zooName = "mobilenet_v2_torch"

  /// The zoo's `mobilenet_v2_torch` with the ImageNet classifier, holding the checkpoint's
  /// weights. The class count comes from the checkpoint's `classifier.1.weight`, so a
  /// fine-tuned torchvision model with its own head imports too.
  public static func graph(from checkpoint: TorchCheckpoint, size: Int = 224) throws -> Graph {
    let layers = try convert(checkpoint)
    let head = layers.first { $0.layer == "predictions" }?.weights.first { $0.name == "kernel" }
    let classes = head?.value.shape.last ?? 1000
    var options = ZooOptions(includeTop: true, size: size)
    options.classes = classes
    let graph = try ModelZoo.build(zooName, options)
    try graph.assign(layers)
    return graph
  }
}
