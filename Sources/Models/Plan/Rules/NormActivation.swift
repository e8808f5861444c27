import Foundation
import Kernels
import Layers
import TensorCore

/// BatchNormalization → ReLU/ReLU6 in passes that record for backward (the trainable part of
/// a training step), where folding into the convolution is not possible because the
/// BatchNorm normalises with batch statistics.
///
/// The step owns its forward and its backward; both layers stay plain. Forward: the
/// BatchNorm's normalisation (batch statistics, moving ones updated), then `act(x·s + t)` in
/// one output pass, keeping the input. Backward: the clamp's mask, recomputed from the input
/// and `s`, `t`, zeroes the gradient inside the BatchNorm's own backward reductions
/// (`BatchNormalization.gradients`); the activation node hands its gradient through (the
/// plan absorbed it). One full-size tensor is neither written nor kept, and the
/// activation's forward and backward passes disappear.
struct NormActivation: RecordingPlanNode {
  let norm: Int
  let activation: Int
  let kind: ActivationKind
  /// What this step's backward needs, from its recording forward.
  let saved = StepRecord<(x: Tensor, normalisation: BatchNormalization.Normalisation)>()

  var anchor: Int { norm }
  var absorbed: [Int] { [activation] }
  func label(_ graph: Graph) -> String { label("fused", graph, [norm, activation]) }

  func run(_ graph: Graph, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    let bn = try layer(graph)
    let x = try bn.single(inputs)
    let n = try bn.normalisation(x, mode: mode)
    let y = ChannelAffine.map(
      x, channels: n.scale.count, scale: n.scale, shift: n.shift, activation: kind)
    saved.value = mode.recordForBackward ? (x, n) : nil
    return y
  }

  func backward(
    _ graph: Graph, _ outputGradient: Tensor, needsInputGradient: Bool
  ) throws -> [Tensor] {
    let bn = try layer(graph)
    guard let (x, n) = saved.take() else {
      throw LayerError.noRecordedForward(layer: bn.name)
    }
    let mask = ClampMask(scale: n.scale, shift: n.shift, activation: kind)
    return try bn.gradients(
      outputGradient, input: x, n, mask: mask, needsInputGradient: needsInputGradient)
  }

  private func layer(_ graph: Graph) throws -> BatchNormalization {
    guard let bn = graph.nodes[norm].layer as? BatchNormalization else {
      throw GraphError.invalid("graph '\(graph.name)': node \(norm) is not a BatchNorm")
    }
    return bn
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
