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

  /// The end of each block before the trunk's last node: its pooling layers (VGG), or, when
  /// it has none, the residual additions no later layer skips over (ResNet, MobileNetV2).
  static func blockEnds(_ graph: Graph, trunkEnd: Int) -> [Int] {
    let candidates = Array(graph.nodes.indices.prefix(trunkEnd).dropFirst())
    let pools = candidates.filter {
      ["MaxPooling2D", "AveragePooling2D"].contains(graph.nodes[$0].layer.kerasClassName)
    }
    if !pools.isEmpty { return pools }
    return candidates.filter { i in
      graph.nodes[i].layer.kerasClassName == "Add"
        && graph.nodes[(i + 1)...].allSatisfy { $0.inputs.allSatisfy { $0 >= i } }
    }
  }
}

extension CompareWorkflow {
  static func expand(_ list: [String], graph: Graph, trunkEnd: Int) throws -> [CompareStrategy] {
    try CompareStrategy.expand(list, graph: graph, trunkEnd: trunkEnd)
  }
}
