import Layers

/// The end of every `keras.applications` network: the ImageNet classifier, or the optional
/// global pooling of `include_top=False`.
enum ZooHead {
  /// Adds global pooling (`include_top=False`) with the names the network's Keras source
  /// gives; unnamed Keras layers get Keras's automatic names in a fresh session.
  static func pooling(
    _ g: Graph, _ x: NodeID, _ pooling: Pooling,
    avgName: String = "global_average_pooling2d", maxName: String = "global_max_pooling2d"
  ) throws -> NodeID {
    switch pooling {
    case .none: return x
    case .avg: return try g.add(GlobalAveragePooling2D(avgName), x)
    case .max: return try g.add(GlobalMaxPooling2D(maxName), x)
    }
  }

  /// The usual end: `GlobalAveragePooling2D(name=topPool)` and `predictions` with the top,
  /// else the optional pooling under the names the network's source gives.
  static func top(
    _ g: Graph, _ x: NodeID, _ o: ZooOptions, topPool: String = "avg_pool",
    avgName: String = "global_average_pooling2d", maxName: String = "global_max_pooling2d"
  ) throws {
    if o.includeTop {
      _ = try predictions(g, try g.add(GlobalAveragePooling2D(topPool), x), o)
    } else {
      _ = try pooling(g, x, o.pooling, avgName: avgName, maxName: maxName)
    }
  }

  /// `Dense(classes, activation=classifier_activation, name="predictions")`.
  static func predictions(_ g: Graph, _ x: NodeID, _ o: ZooOptions) throws -> NodeID {
    try g.add(Dense("predictions", units: o.classes, activation: o.classifierActivation), x)
  }

  /// Keras's `ZooOptions.height`/`width` after `ZooEntry.build` resolved them.
  static func inputShape(_ o: ZooOptions, default size: Int) -> [Int] {
    [o.height ?? size, o.width ?? size, 3]
  }
}
