import Layers

/// Keras's `imagenet_utils.correct_pad`: the `ZeroPadding2D` before a stride-2 'valid'
/// convolution that reproduces TensorFlow's 'same' (the extra row and column go at the
/// bottom/right on even sides).
enum CorrectPad {
  /// ((top, bottom), (left, right)) for a square `kernel` on an input of `height` x `width`.
  static func padding(height: Int, width: Int, kernel: Int = 3)
    -> ((Int, Int), (Int, Int))
  {
    let adjust = (1 - height % 2, 1 - width % 2)
    let correct = kernel / 2
    return ((correct - adjust.0, correct), (correct - adjust.1, correct))
  }

  /// The padding layer for node `x` of `g`.
  static func layer(_ g: Graph, _ x: NodeID, kernel: Int, name: String) -> ZeroPadding2D {
    let s = g.nodes[x.index].outputShape
    return ZeroPadding2D(name, padding: padding(height: s[0], width: s[1], kernel: kernel))
  }
}
