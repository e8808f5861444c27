import Foundation
import Layers
import TensorCore

/// BatchNormalization → ReLU/ReLU6 pairs fused in passes that record for backward (the
/// trainable part of a training step), where folding into the convolution is not possible
/// because the BatchNorm normalises with batch statistics; and ZeroPadding2D →
/// DepthwiseConv2D pairs, whose zeros become the depthwise window's padding (no padded copy
/// forward, no cropped copy backward: the depthwise backward returns the unpadded
/// gradient and the padding node passes it through).
///
/// The BatchNorm writes `clamp(x·s + t)` in its output pass and keeps its input, from which
/// its backward recomputes the clamp's mask; the activation node hands its input through
/// and passes the gradient straight back. One full-size tensor is neither written nor
/// kept, and the activation's forward and backward passes disappear.
struct TrainingFusion {
  /// BatchNorm node → the activation after it, which it applies in its output pass.
  private(set) var norms: [Int: ActivationKind] = [:]
  /// Activation nodes whose clamp a BatchNorm applies.
  private(set) var activations: Set<Int> = []
  /// DepthwiseConv2D node → the ZeroPadding2D node before it that it absorbs.
  private(set) var paddedConvs: [Int: Int] = [:]
  /// ZeroPadding2D nodes absorbed by the depthwise convolution after them.
  private(set) var paddings: Set<Int> = []

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
    for (i, node) in nodes.enumerated() where i > start && node.layer is ZeroPadding2D {
      let d = consumer[i]
      guard consumers[i] == 1, d <= end, nodes[d].inputs == [i], recording(i), recording(d),
        nodes[d].layer is DepthwiseConv2D
      else { continue }
      paddedConvs[d] = i
      paddings.insert(i)
    }
    for (i, node) in nodes.enumerated() where i > start && node.layer is BatchNormalization {
      let a = consumer[i]
      guard consumers[i] == 1, a <= end, nodes[a].inputs == [i], recording(i), recording(a),
        let kind = Graph.epilogue(of: nodes[a].layer)
      else { continue }
      norms[i] = kind
      activations.insert(a)
    }
  }

  /// Node `i`'s output if the fusion handles it, else nil.
  func forward(
    _ i: Int, _ layer: any Layer, _ inputs: [Tensor], mode: ForwardMode, graph: Graph
  ) throws -> Tensor? {
    if let kind = norms[i], let bn = layer as? BatchNormalization {
      return try bn.forward(inputs, mode: mode, activation: kind)
    }
    if let p = paddedConvs[i], let dw = layer as? DepthwiseConv2D,
      let zp = graph.nodes[p].layer as? ZeroPadding2D
    {
      let pad = (zp.top, zp.bottom, zp.left, zp.right)
      return try dw.forward(inputs, mode: mode, zeroPadding: pad)
    }
    if paddings.contains(i), let zp = layer as? ZeroPadding2D {
      return try zp.forwardFused(inputs, mode: mode)
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
