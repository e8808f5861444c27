import Layers
import Models

/// One `--freeze` strategy of `ftune compare`, resolved against the base network.
public struct CompareStrategy: Sendable, Equatable {
  /// As given (or as `auto` produced it): `0`, `13`, `block4_pool`, `all`.
  public var name: String
  /// Last frozen node of the base: exactly the layer named (`all`: the trunk end).
  public var cut: Int
  /// Keras name of that node ("" when nothing is frozen).
  public var cutLayer: String
  /// `--freeze 0`: everything trains.
  public var freezesNothing: Bool

  /// Resolves `list` (counts, layer names, `all`, or `auto`: nothing, each block's end, all)
  /// against `graph`; strategies with the same cut appear once, first name wins.
  public static func expand(_ list: [String], graph: Graph, trunkEnd: Int) throws
    -> [CompareStrategy]
  {
    var names: [String] = []
    for item in list {
      if item.lowercased() == "auto" {
        names += ["0"] + blockEnds(graph, trunkEnd: trunkEnd).map { graph.nodes[$0].layer.name }
          + ["all"]
      } else {
        names.append(item)
      }
    }
    var out: [CompareStrategy] = []
    for name in names {
      let spec = FreezeSpec(name)
      let cut = try graph.cutIndex(for: spec)
      let nothing = spec == .count(0)
      guard !out.contains(where: { $0.cut == cut && $0.freezesNothing == nothing }) else {
        continue
      }
      out.append(
        CompareStrategy(
          name: name, cut: cut, cutLayer: nothing ? "" : graph.nodes[cut].layer.name,
          freezesNothing: nothing))
    }
    return out
  }

  /// The end of each stage before the trunk's last node, for every zoo family: where the
  /// network downsamples (its spatial side shrinks by 1.5x or more), the layer just before, among
  /// the layers no later layer skips over. That is the downsampling pool itself (VGG's
  /// `block1_pool`, DenseNet's `pool2_pool`), else the stage's last residual add or
  /// concatenation and the weightless layers right after it (ResNet's `conv2_block3_out`,
  /// Inception's `mixed2`, Xception's `add`), else the last such layer before the change
  /// (MobileNet's `conv_pw_1_relu`).
  static func blockEnds(_ graph: Graph, trunkEnd: Int) -> [Int] {
    let nodes = graph.nodes
    guard trunkEnd > 1 else { return [] }
    // cut[i]: no node after i reads a node before i.
    var earliestLater = Int.max
    var cut = [Bool](repeating: false, count: trunkEnd + 1)
    for i in stride(from: nodes.count - 1, through: 0, by: -1) {
      if i <= trunkEnd { cut[i] = earliestLater >= i }
      earliestLater = min(earliestLater, nodes[i].inputs.min() ?? i)
    }
    let side = { (i: Int) -> Int? in
      let shape = nodes[i].outputShape
      return shape.count == 3 && nodes[i].layer.kerasClassName != "ZeroPadding2D" ? shape[0] : nil
    }
    let pools = ["MaxPooling2D", "AveragePooling2D"]
    let merges = ["Add", "Concatenate"]
    var ends: [Int] = []
    var stageSide = side(0) ?? 0
    var previous = 0  // the last cut node before the current one
    var lastMerge: Int?
    for i in 1..<trunkEnd where cut[i] {
      guard let s = side(i) else { continue }
      if Double(s) * 1.5 <= Double(stageSide) {
        if pools.contains(nodes[i].layer.kerasClassName) {
          ends.append(i)
        } else if previous > 0 {
          ends.append(lastMerge ?? previous)
        }
        stageSide = s
        lastMerge = nil
      } else if merges.contains(nodes[i].layer.kerasClassName) {
        lastMerge = i
      } else if let m = lastMerge, m == previous, nodes[i].layer.weights.isEmpty {
        lastMerge = i  // the ReLU after an add belongs to the block
      }
      previous = i
    }
    // A stage end with no weight layer before it (a stem of preprocessing layers) would
    // freeze nothing, like "0".
    let counts = graph.freezeCounts
    return Array(Set(ends)).filter { counts[$0] > 0 }.sorted()
  }
}

extension CompareWorkflow {
  static func expand(_ list: [String], graph: Graph, trunkEnd: Int) throws -> [CompareStrategy] {
    try CompareStrategy.expand(list, graph: graph, trunkEnd: trunkEnd)
  }
}
