import Foundation
import Layers
import TensorCore

/// BatchNormalization → ReLU/ReLU6 pairs fused in passes that record for backward (the
/// trainable part of a training step), where folding into the convolution is not possible
/// because the BatchNorm normalises with batch statistics.
///
/// The BatchNorm writes `clamp(x·s + t)` in its output pass and keeps its input, from which
/// its backward recomputes the clamp's mask; the activation node hands its input through
/// and passes the gradient straight back. One full-size tensor is neither written nor
/// kept, and the activation's forward and backward passes disappear.
struct TrainingFusion {
  /// BatchNorm node → the clamp it applies for the activation after it.
  private(set) var norms: [Int: OutputClamp] = [:]
  /// Activation nodes whose clamp a BatchNorm applies.
  private(set) var activations: Set<Int> = []

  init() {}

  /// Pairs within `(start, end]` whose both nodes record (`recording(i)`).
  init(_ graph: Graph, start: Int, end: Int, recording: (Int) -> Bool) {
    guard TrainingFusionSwitch.enabled else { return }
    let nodes = graph.nodes
    var consumers = [Int](repeating: 0, count: nodes.count)
    var consumer = [Int](repeating: -1, count: nodes.count)
    for (i, node) in nodes.enumerated() {
      for j in node.inputs {
        consumers[j] += 1
        consumer[j] = i
      }
    }
    for (i, node) in nodes.enumerated() where i > start && node.layer is BatchNormalization {
      let a = consumer[i]
      guard consumers[i] == 1, a <= end, nodes[a].inputs == [i], recording(i), recording(a),
        let clamp = Graph.clamp(of: nodes[a].layer)
      else { continue }
      norms[i] = clamp
      activations.insert(a)
    }
  }

  /// Node `i`'s output if the fusion handles it, else nil.
  func forward(
    _ i: Int, _ layer: any Layer, _ inputs: [Tensor], mode: ForwardMode
  ) throws -> Tensor? {
    if let clamp = norms[i], let bn = layer as? BatchNormalization {
      return try bn.forward(inputs, mode: mode, clamp: clamp)
    }
    guard activations.contains(i) else { return nil }
    if let r = layer as? ReLU { return try r.forwardFused(inputs, mode: mode) }
    if let a = layer as? Activation { return try a.forwardFused(inputs, mode: mode) }
    return nil
  }
}

/// `FTUNE_FUSE_TRAIN=0` turns the training-pass fusion off (to compare, or to rule it out).
enum TrainingFusionSwitch {
  static let enabled: Bool = ProcessInfo.processInfo.environment["FTUNE_FUSE_TRAIN"] != "0"
}
