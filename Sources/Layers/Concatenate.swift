import TensorCore

/// `Concatenate` along the last axis.
public final class Concatenate: Layer {
  public let name: String
  public var kerasClassName: String { "Concatenate" }
  public var isFrozen = false

  public init(_ name: String) { self.name = name }

  public func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    guard var out = inputShapes.first, inputShapes.count >= 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputShapes.count)
    }
    for s in inputShapes.dropFirst() {
      guard s.count == out.count, s.dropLast() == out.dropLast() else {
        throw LayerError.badInputShape(
          layer: name, shape: s, reason: "must match \(out) but the last axis")
      }
      out[out.count - 1] += s[s.count - 1]
    }
    return out
  }

  private var widths: [Int]?

  /// y = inputs joined along the last axis.
  public func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    guard let first = inputs.first, inputs.count >= 2 else {
      throw LayerError.wrongInputCount(layer: name, expected: 2, got: inputs.count)
    }
    let outer = Array(first.shape.dropLast())
    for x in inputs where Array(x.shape.dropLast()) != outer || x.rank != first.rank {
      throw LayerError.badInputShape(
        layer: name, shape: x.shape, reason: "must match \(first.shape) but the last axis")
    }
    let ws = inputs.map { $0.shape.last ?? 0 }
    let total = ws.reduce(0, +)
    let rows = outer.reduce(1, *)
    var y = Tensor(zeros: outer + [total])
    y.withUnsafeMutableBufferPointer { o in
      var offset = 0
      for (x, w) in zip(inputs, ws) {
        x.withUnsafeBufferPointer { p in
          for r in 0..<rows {
            for j in 0..<w { o[r * total + offset + j] = p[r * w + j] }
          }
        }
        offset += w
      }
    }
    widths = mode.recordForBackward ? ws : nil
    return y
  }

  /// Splits the output gradient back along the last axis.
  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let ws = try recorded(widths)
    widths = nil
    guard needsInputGradient else { return [] }
    let total = ws.reduce(0, +)
    let outer = Array(outputGradient.shape.dropLast())
    guard outputGradient.shape.last == total else {
      throw LayerError.badInputShape(
        layer: name, shape: outputGradient.shape, reason: "gradient needs \(total) channels")
    }
    let rows = outer.reduce(1, *)
    var grads: [Tensor] = []
    var offset = 0
    for w in ws {
      var g = Tensor(zeros: outer + [w])
      g.withUnsafeMutableBufferPointer { d in
        outputGradient.withUnsafeBufferPointer { p in
          for r in 0..<rows {
            for j in 0..<w { d[r * w + j] = p[r * total + offset + j] }
          }
        }
      }
      grads.append(g)
      offset += w
    }
    return grads
  }
}
