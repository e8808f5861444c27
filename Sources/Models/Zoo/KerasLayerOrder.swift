import Layers

/// Keras's order of `model.layers` for a functional model (`keras/src/ops/function.py`,
/// `map_graph`): layers by decreasing depth (longest path to the output), ties by the order a
/// depth-first walk from the output first meets them. Networks with branches (Inception,
/// DenseNet, ResNetV2 shortcuts, …) are written in source order and then put in this order,
/// so node indices, `--freeze N` and weight-file order are Keras's.
enum KerasLayerOrder {
  /// `g` with its nodes in Keras's order; layers (and their weights) are reused, not copied.
  static func reorder(_ g: Graph) throws -> Graph {
    let order = kerasOrder(inputs: g.nodes.map(\.inputs))
    let out = Graph(name: g.name)
    var newID = [Int: NodeID]()
    for old in order {
      let node = g.nodes[old]
      let inputs = node.inputs.compactMap { newID[$0] }
      newID[old] = node.layer is InputLayer
        ? try out.add(node.layer, inputs: []) : try out.add(node.layer, inputs: inputs)
    }
    return out
  }

  /// The permutation of nodes (given by their input lists; the last node is the output).
  static func kerasOrder(inputs: [[Int]]) -> [Int] {
    guard let output = inputs.indices.last else { return [] }
    // `_build_map`: pre-order indices and post-order list of a DFS from the output.
    var firstSeen = [Int](repeating: -1, count: inputs.count)
    var postOrder: [Int] = []
    var finished = [Bool](repeating: false, count: inputs.count)
    var stack: [(node: Int, next: Int)] = [(output, 0)]
    var seen = 0
    firstSeen[output] = 0
    while let top = stack.last {
      let parents = inputs[top.node]
      if top.next < parents.count {
        stack[stack.count - 1].next += 1
        let p = parents[top.next]
        if finished[p] { continue }
        if firstSeen[p] < 0 {
          seen += 1
          firstSeen[p] = seen
        }
        stack.append((p, 0))
      } else {
        stack.removeLast()
        if !finished[top.node] {
          finished[top.node] = true
          postOrder.append(top.node)
        }
      }
    }
    // Depth: longest path to the output, walking consumers before producers.
    var depth = [Int](repeating: 0, count: inputs.count)
    for node in postOrder.reversed() {
      for p in inputs[node] { depth[p] = max(depth[p], depth[node] + 1) }
    }
    return postOrder.sorted { (depth[$0], -firstSeen[$0]) > (depth[$1], -firstSeen[$1]) }
  }
}
