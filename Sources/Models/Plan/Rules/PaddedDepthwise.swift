import Kernels
import Layers
import TensorCore

/// ZeroPadding2D → DepthwiseConv2D in passes that record for backward: the padding's zeros
/// become the depthwise window's padding (`Graph.window(pad:...)`, as the fold rule does), so
/// there is no padded copy forward and no cropped copy backward. The step owns its backward:
/// the depthwise layer's over that window returns the unpadded input's gradient, which the
/// absorbed padding node hands straight back.
struct PaddedDepthwise: RecordingPlanNode {
  let pad: Int
  let depthwise: Int

  var anchor: Int { depthwise }
  var absorbed: [Int] { [pad] }
  func label(_ graph: Graph) -> String { label("padded", graph, [pad, depthwise]) }

  func run(_ graph: Graph, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let dw = try layer(graph)
    let x = try dw.single(inputs)
    let window = try graph.window(
      pad: pad, x.shape, kernel: dw.kernelSize, strides: dw.strides, padding: dw.padding,
      layer: dw.name)
    return try dw.forward(x, window: window, mode: mode)
  }

  func backward(
    _ graph: Graph, _ outputGradient: Tensor, needsInputGradient: Bool
  ) throws -> [Tensor] {
    try layer(graph).backward(outputGradient, needsInputGradient: needsInputGradient)
  }

  private func layer(_ graph: Graph) throws -> DepthwiseConv2D {
    guard let dw = graph.nodes[depthwise].layer as? DepthwiseConv2D else {
      throw GraphError.invalid("graph '\(graph.name)': padded depthwise at \(depthwise) lost a part")
    }
    return dw
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
