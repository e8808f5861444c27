/// What a network costs per image, for `ftune zoo`.
public enum ZooCost {
  /// Floating-point operations of one image's forward pass, counted as 2 × the
  /// multiply-adds of every kernel (Conv2D, DepthwiseConv2D, SeparableConv2D, Dense): each
  /// kernel element is used once per output position. Element-wise layers are left out, as
  /// the usual published figures do.
  public static func flops(of graph: Graph) -> Int {
    var total = 0
    for node in graph.nodes {
      let positions = node.outputShape.dropLast().reduce(1, *)
      for w in node.layer.weights where w.name.hasSuffix("kernel") {
        total += 2 * w.value.shape.reduce(1, *) * positions
      }
    }
    return total
  }
}
