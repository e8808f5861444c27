import Layers
import TensorCore

/// ZeroPadding2D → DepthwiseConv2D in passes that record for backward: the padding's zeros
/// become the depthwise window's padding (`forward(_:mode:zeroPadding:)`), so there is no
/// padded copy forward and no cropped copy backward: the depthwise backward returns the
/// unpadded input's gradient, which the absorbed padding node hands straight back.
struct PaddedDepthwise: PlanNode {
  let pad: Int
  let depthwise: Int

  var anchor: Int { depthwise }
  var absorbed: [Int] { [pad] }
  func label(_ graph: Graph) -> String { label("padded", graph, [pad, depthwise]) }

  func run(_ graph: Graph, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    guard let dw = graph.nodes[depthwise].layer as? DepthwiseConv2D,
      let zp = graph.nodes[pad].layer as? ZeroPadding2D
    else {
      throw GraphError.invalid("graph '\(graph.name)': padded depthwise at \(depthwise) lost a part")
    }
    return try dw.forward(inputs, mode: mode, zeroPadding: (zp.top, zp.bottom, zp.left, zp.right))
  }
}

/// The rule: a ZeroPadding2D whose only consumer is a DepthwiseConv2D, both recording.
enum PaddedDepthwiseRule: FusionRule {
  static func enabled(for mode: ForwardMode) -> Bool { NormActivationRule.enabled(for: mode) }

  static func apply(_ plan: inout PlanBuilder) {
    let nodes = plan.graph.nodes
    for (i, node) in nodes.enumerated() where i > plan.start && node.layer is ZeroPadding2D {
      guard plan.consumers[i].count == 1, let d = plan.consumers[i].first, d <= plan.end,
        nodes[d].inputs == [i], plan.recording(i), plan.recording(d),
        nodes[d].layer is DepthwiseConv2D
      else { continue }
      plan.add(PaddedDepthwise(pad: i, depthwise: d))
    }
  }
}
