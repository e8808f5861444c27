import Foundation
import Layers
import TensorCore

/// BatchNormalization → ReLU/ReLU6 in passes that record for backward (the trainable part of
/// a training step), where folding into the convolution is not possible because the
/// BatchNorm normalises with batch statistics.
///
/// The BatchNorm writes `act(x·s + t)` in its output pass (`forward(_:mode:activation:)`)
/// and keeps its input, from which its backward recomputes the clamp's mask; the activation
/// node hands its input through forward and its gradient straight back (the plan absorbed
/// it). One full-size tensor is neither written nor kept, and the activation's forward and
/// backward passes disappear.
struct NormActivation: PlanNode {
  let norm: Int
  let activation: Int
  let kind: ActivationKind

  var anchor: Int { norm }
  var absorbed: [Int] { [activation] }
  func label(_ graph: Graph) -> String { label("fused", graph, [norm, activation]) }

  func run(_ graph: Graph, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    guard let bn = graph.nodes[norm].layer as? BatchNormalization else {
      throw GraphError.invalid("graph '\(graph.name)': node \(norm) is not a BatchNorm")
    }
    return try bn.forward(inputs, mode: mode, activation: kind)
  }
}

/// The rule: a BatchNorm whose only consumer is a fusable activation, both recording.
enum NormActivationRule: FusionRule {
  static func enabled(for mode: ForwardMode) -> Bool {
    mode.recordForBackward && TrainingFusionSwitch.enabled
  }

  static func apply(_ plan: inout PlanBuilder) {
    let nodes = plan.graph.nodes
    for (i, node) in nodes.enumerated() where i > plan.start && node.layer is BatchNormalization {
      guard plan.consumers[i].count == 1, let a = plan.consumers[i].first, a <= plan.end,
        nodes[a].inputs == [i], plan.recording(i), plan.recording(a),
        let kind = Graph.epilogue(of: nodes[a].layer)
      else { continue }
      plan.add(NormActivation(norm: i, activation: a, kind: kind))
    }
  }
}

/// `FTUNE_FUSE_TRAIN=0` turns the training-pass rules off (to compare, or to rule them out).
enum TrainingFusionSwitch {
  static let enabled: Bool = ProcessInfo.processInfo.environment["FTUNE_FUSE_TRAIN"] != "0"
}
