import TensorCore

/// Softmax followed by categorical cross-entropy, fused for numerical stability, averaged
/// over the batch as Keras's `sum_over_batch_size`: `loss = Σᵢ wᵢ·CE(tᵢ, softmax(zᵢ)) / N`.
///
/// - `classWeights`: Keras's `class_weight`; sample i weighs `Σ_c weight[c]·label[i, c]`
///   (its class's weight for integer labels), taken from the labels before smoothing.
/// - `labelSmoothing` ε: targets become `t·(1 − ε) + ε / classes`, as Keras.
public struct SoftmaxCrossEntropy: Sendable {
  /// Class targets: an index per sample, or a `[N, classes]` (one-hot or soft) matrix.
  public enum Labels: Sendable {
    case indices([Int])
    case oneHot(Tensor)
  }

  public var classWeights: [Float]?
  public var labelSmoothing: Float

  public init(classWeights: [Float]? = nil, labelSmoothing: Float = 0) {
    self.classWeights = classWeights
    self.labelSmoothing = labelSmoothing
  }

  /// The mean loss and dLoss/dLogits for logits `[N, classes]`.
  public func callAsFunction(logits: Tensor, labels: Labels) throws -> (
    loss: Float, gradient: Tensor
  ) {
    guard logits.rank == 2 else {
      throw LossError.badLogits(shape: logits.shape)
    }
    let (n, k) = (logits.shape[0], logits.shape[1])
    if let w = classWeights, w.count != k {
      throw LossError.classWeightCount(expected: k, got: w.count)
    }
    let targets = try denseTargets(labels, n: n, k: k)
    var grad = logits
    var total: Double = 0
    let eps = labelSmoothing
    grad.withUnsafeMutableBufferPointer { g in
      for i in 0..<n {
        let o = i * k
        var m = -Float.infinity
        for j in 0..<k { m = max(m, g[o + j]) }
        var s: Double = 0
        for j in 0..<k { s += Double(expf(g[o + j] - m)) }
        let logSum = Double(m) + Double(logf(Float(s)))
        var weight: Float = 1
        if let w = classWeights {
          weight = 0
          for j in 0..<k { weight += w[j] * targets[o + j] }
        }
        var targetSum: Float = 0
        for j in 0..<k { targetSum += targets[o + j] }
        var sampleLoss: Double = 0
        for j in 0..<k {
          let t = targets[o + j] * (1 - eps) + eps * targetSum / Float(k)
          let logP = Double(g[o + j]) - logSum
          sampleLoss -= Double(t) * logP
          // d/dz of −Σ t log softmax(z) = softmax(z)·Σt − t.
          g[o + j] = weight * (Float(exp(logP)) * targetSum - t) / Float(max(n, 1))
        }
        total += Double(weight) * sampleLoss
      }
    }
    return (Float(total / Double(max(n, 1))), grad)
  }

  private func denseTargets(_ labels: Labels, n: Int, k: Int) throws -> [Float] {
    switch labels {
    case .indices(let idx):
      guard idx.count == n else { throw LossError.labelCount(expected: n, got: idx.count) }
      var t = [Float](repeating: 0, count: n * k)
      for (i, c) in idx.enumerated() {
        guard c >= 0 && c < k else { throw LossError.labelOutOfRange(label: c, classes: k) }
        t[i * k + c] = 1
      }
      return t
    case .oneHot(let t):
      guard t.shape == [n, k] else {
        throw LossError.labelShape(expected: [n, k], got: t.shape)
      }
      return t.scalars
    }
  }
}

/// Mistakes in what a loss is given; messages say what was expected.
public enum LossError: Error, Equatable, CustomStringConvertible {
  case badLogits(shape: [Int])
  case labelCount(expected: Int, got: Int)
  case labelShape(expected: [Int], got: [Int])
  case labelOutOfRange(label: Int, classes: Int)
  case classWeightCount(expected: Int, got: Int)

  public var description: String {
    switch self {
    case .badLogits(let s):
      return "softmax cross-entropy needs logits [batch, classes], got shape \(s)"
    case .labelCount(let e, let g):
      return "softmax cross-entropy: \(g) labels for a batch of \(e)"
    case .labelShape(let e, let g):
      return "softmax cross-entropy: one-hot labels must have shape \(e), got \(g)"
    case .labelOutOfRange(let l, let k):
      return "softmax cross-entropy: label \(l) is outside 0..<\(k); check the class list"
    case .classWeightCount(let e, let g):
      return "softmax cross-entropy: \(g) class weights for \(e) classes; give one per class"
    }
  }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
