import TensorCore

/// Keras's `categorical_crossentropy` on probabilities (`from_logits=False`): the head ends
/// in `Dense(k, softmax)` as Keras saves it, so the loss reads the softmax output.
///
/// As Keras does, rows are rescaled to sum 1, probabilities clipped to `[ε, 1-ε]`
/// (ε = 1e-7) and per-sample class weights scale each sample's loss; the mean is over the
/// batch size (Keras's `sum_over_batch_size`), not over the weights.
public struct CategoricalCrossentropy: Sendable {
  public static let epsilon: Float = 1e-7
  /// One weight per class (`class_weight` in Keras's `fit`); nil means all 1.
  public var classWeights: [Float]?

  public init(classWeights: [Float]? = nil) {
    self.classWeights = classWeights
  }

  /// Loss and dLoss/dProbabilities for `probabilities` `[N, K]` and integer `labels`.
  public func callAsFunction(
    _ probabilities: Tensor, labels: [Int]
  ) throws -> (loss: Float, gradient: Tensor) {
    guard probabilities.rank == 2, probabilities.shape[0] == labels.count else {
      throw TensorError.shapeMismatch(
        context: "categorical cross-entropy", expected: [labels.count, -1],
        got: probabilities.shape)
    }
    let n = labels.count
    let k = probabilities.shape[1]
    var grad = Tensor(zeros: probabilities.shape)
    var total = 0.0
    let eps = Self.epsilon
    for (i, label) in labels.enumerated() {
      guard label >= 0 && label < k else {
        throw TrainingError.labelOutOfRange(label: label, classes: k)
      }
      let w = classWeights.map { label < $0.count ? $0[label] : 1 } ?? 1
      // Keras first rescales rows to sum 1 (a no-op on softmax outputs), then clips.
      var sum: Float = 0
      for j in 0..<k { sum += probabilities.scalars[i * k + j] }
      let p = probabilities.scalars[i * k + label]
      let q = p / max(sum, .leastNormalMagnitude)
      total += Double(w) * -log(Double(min(max(q, eps), 1 - eps)))
      // d(-log(p_y / S))/dp_j = -δ_jy / p_y + 1 / S inside the clip range, 0 where it holds.
      if q > eps && q < 1 - eps {
        let scale = w / Float(n)
        for j in 0..<k { grad.scalars[i * k + j] = scale / sum }
        grad.scalars[i * k + label] -= scale / p
      }
    }
    return (Float(total / Double(max(1, n))), grad)
  }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
