import Layers
import TensorCore

/// ZeroPadding2D → MaxPooling2D ('valid'): the pool reads the unpadded input and counts the
/// padding's cells as zeros (exactly Keras's zero padding then max; ResNet50's pool1 pads
/// a ReLU output, where zeros never exceed a real pixel anyway), so no padded copy is made.
struct PaddedPool {
  let pad: Int
  let pool: Int
}

/// The rule: every such pair of the pass whose two nodes record nothing.
enum PaddedPoolRule: FusionRule {
  static func enabled(for mode: ForwardMode) -> Bool { FoldSwitch.enabled }

  static func apply(_ plan: inout PlanBuilder) {
    for f in plan.graph.paddedPools(plan.consumers)
    where plan.inPass(f.pad) && f.pool <= plan.end && !plan.recording(f.pad)
      && !plan.recording(f.pool)
    {
      plan.add(f)
    }
  }
}

extension PaddedPool: PlanNode {
  var anchor: Int { pool }
  var absorbed: [Int] { [pad] }
  func label(_ graph: Graph) -> String { label("padded", graph, [pad, pool]) }
  func run(_ graph: Graph, _ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    try graph.runPaddedPool(self, inputs)
  }
}

extension Graph {
  /// Every ZeroPadding2D whose only consumer is a 'valid' MaxPooling2D.
  func paddedPools(_ consumers: [[Int]]? = nil) -> [PaddedPool] {
    let consumers = consumers ?? consumerLists()
    return nodes.indices.compactMap { i in
      guard let pool = nodes[i].layer as? MaxPooling2D, pool.padding == .valid,
        nodes[i].inputs.count == 1, let p = nodes[i].inputs.first,
        nodes[p].layer is ZeroPadding2D, consumers[p] == [i]
      else { return nil }
      return PaddedPool(pad: p, pool: i)
    }
  }

  /// The pool's output from the padding's input.
  func runPaddedPool(_ f: PaddedPool, _ inputs: [Tensor]) throws -> Tensor {
    guard inputs.count == 1, let pool = nodes[f.pool].layer as? MaxPooling2D,
      let zp = nodes[f.pad].layer as? ZeroPadding2D
    else {
      throw GraphError.invalid("graph '\(name)': fold of '\(nodes[f.pad].layer.name)' failed")
    }
    return try pool.forwardZeroPadded(
      inputs[0], top: zp.top, bottom: zp.bottom, left: zp.left, right: zp.right)
  }
}
