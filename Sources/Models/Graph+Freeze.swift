import Layers

/// What `--freeze` asks for: a count of weight layers, a Keras layer name, or everything.
public enum FreezeSpec: Equatable, Sendable, CustomStringConvertible {
  /// The first N weight layers (Conv2D, DepthwiseConv2D, SeparableConv2D, Dense), with the
  /// BatchNormalization of each and the weightless layers up to the next weight layer.
  case count(Int)
  /// Every layer up to and including this Keras layer name.
  case layer(String)
  /// Everything but the final classifier, when the network has one (see
  /// `Graph.classifierStart`); else the whole network.
  case all

  /// Parses `all`, a non-negative integer, or anything else as a layer name.
  public init(_ text: String) {
    if text.lowercased() == "all" {
      self = .all
    } else if let n = Int(text) {
      self = .count(n)
    } else {
      self = .layer(text)
    }
  }

  public var description: String {
    switch self {
    case .count(let n): return "\(n)"
    case .layer(let name): return name
    case .all: return "all"
    }
  }
}

/// `--freeze` values that do not fit the network.
public enum FreezeError: Error, CustomStringConvertible, Equatable {
  case countOutOfRange(Int, graph: String, weightLayers: Int)
  case unknownLayer(String, graph: String, names: [String])

  public var description: String {
    switch self {
    case .countOutOfRange(let n, let graph, let count):
      return "--freeze \(n): '\(graph)' has \(count) weight layers;"
        + " use a number from 0 to \(count), 'all', or a layer name (see `ftune inspect`)"
    case .unknownLayer(let name, let graph, let names):
      return "--freeze \(name): '\(graph)' has no layer of that name; use 'all', a number,"
        + " or one of: \(names.joined(separator: ", "))"
    }
  }
}

extension Graph {
  /// Keras classes that count as one step of `--freeze N`; BatchNormalization goes with
  /// the conv before it, so it is not one of them.
  public static let weightLayerClasses: Set<String> = [
    "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense",
  ]

  /// Node indices of the weight layers, in order.
  public var weightLayerIndices: [Int] {
    nodes.indices.filter { Graph.weightLayerClasses.contains(nodes[$0].layer.kerasClassName) }
  }

  /// For every node, the `--freeze N` that freezes up to and including it: the number of
  /// weight layers at or before it.
  public var freezeCounts: [Int] {
    var n = 0
    return nodes.map { node in
      if Graph.weightLayerClasses.contains(node.layer.kerasClassName) { n += 1 }
      return n
    }
  }

  /// The first node of the final classifier a new head replaces: the last Dense with the
  /// Activation/Softmax layers after it (VGG's `predictions`), or, without a Dense, a
  /// trailing softmax Activation alone (Conv → GlobalAveragePooling2D → softmax keeps the
  /// pooled scores and replaces only the softmax). Nil when the network ends otherwise
  /// (a zoo base built without its top).
  public var classifierStart: Int? {
    guard !nodes.isEmpty else { return nil }
    var i = nodes.count - 1
    while i > 0, Graph.classifierTailClasses.contains(nodes[i].layer.kerasClassName) { i -= 1 }
    if nodes[i].layer.kerasClassName == "Dense" { return i }
    let softmaxTail = nodes.indices.dropFirst(i + 1).contains {
      (nodes[$0].layer as? Activation)?.kind == .softmax
        || nodes[$0].layer.kerasClassName == "Softmax"
    }
    return softmaxTail ? i + 1 : nil
  }

  /// Layers that may follow a classifier's Dense and go with it.
  static let classifierTailClasses: Set<String> = ["Activation", "Softmax"]

  /// The last node a new head keeps by default (`--freeze all`): the one before the final
  /// classifier, or the last node when there is none.
  public var trunkEnd: Int { (classifierStart ?? nodes.count) - 1 }

  /// True when no node after `cut` reads an activation from before it (a residual skip
  /// over the cut would need activations a feature cache does not hold).
  public func isSelfContained(cut: Int) -> Bool {
    nodes[(cut + 1)...].allSatisfy { $0.inputs.allSatisfy { $0 >= cut } }
  }

  /// The last node of the frozen prefix that `spec` asks for (0, the input, for
  /// `.count(0)`; `trunkEnd` for `.all`); throws for counts out of range and unknown names.
  /// A named layer is exactly that layer, wherever it lies (past the trunk too).
  public func cutIndex(for spec: FreezeSpec) throws -> Int {
    switch spec {
    case .all:
      return trunkEnd
    case .layer(let layerName):
      guard let i = index(of: layerName) else {
        throw FreezeError.unknownLayer(layerName, graph: name, names: nodes.map(\.layer.name))
      }
      return i
    case .count(let n):
      let weightLayers = weightLayerIndices
      guard n >= 0, n <= weightLayers.count else {
        throw FreezeError.countOutOfRange(n, graph: name, weightLayers: weightLayers.count)
      }
      if n == 0 { return 0 }
      // Through the layers after the N-th weight layer, up to the next one.
      return n < weightLayers.count ? weightLayers[n] - 1 : nodes.count - 1
    }
  }

  /// Freezes what `spec` asks for and unfreezes the rest; returns the cut (the last node
  /// of the frozen prefix).
  @discardableResult
  public func freeze(_ spec: FreezeSpec) throws -> Int {
    let cut = try cutIndex(for: spec)
    freeze(through: spec == .count(0) ? -1 : cut)
    return cut
  }

  /// Freezes nodes `0...cut` and unfreezes the rest, except that a BatchNormalization fed
  /// by a frozen weight layer is frozen with it even when it comes later: ResNet50 lists
  /// `conv2_block1_0_bn` after `conv2_block1_3_conv`, as Keras does.
  public func freeze(through cut: Int) {
    var frozen = [Bool](repeating: false, count: nodes.count)
    for i in nodes.indices {
      let node = nodes[i]
      if i <= cut {
        frozen[i] = true
      } else if node.layer is BatchNormalization, let j = node.inputs.first,
        frozen[j], Graph.weightLayerClasses.contains(nodes[j].layer.kerasClassName)
      {
        frozen[i] = true
      }
      node.layer.isFrozen = frozen[i]
    }
  }

  /// Names of the layers that are frozen, in node order.
  public var frozenLayerNames: [String] {
    nodes.filter(\.layer.isFrozen).map(\.layer.name)
  }
}
