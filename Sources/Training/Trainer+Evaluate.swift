import Foundation
import Layers
import Models
import TensorCore

extension Trainer {
  /// Loss, accuracy and per-sample predictions over a set, in inference mode.
  public struct Evaluation {
    public var loss: Float
    public var accuracy: Float
    public var predictions: [Int]
    /// `[N, K]` softmax outputs.
    public var probabilities: Tensor
  }

  /// Runs `data` through the graph in inference mode; loss without class weights, as Keras.
  public func evaluate(_ data: any BatchProvider) throws -> Evaluation {
    let value: Float
    let probabilities: Tensor
    if logitsNode != nil {
      let logits = try predict(data, logits: true)
      value = try SoftmaxCrossEntropy()(logits: logits, labels: .indices(data.labels)).loss
      probabilities = softmax(logits)
    } else {
      probabilities = try predict(data)
      value = try CategoricalCrossentropy()(probabilities, labels: data.labels).loss
    }
    let predictions = argmax(probabilities)
    let correct = zip(predictions, data.labels).filter { $0 == $1 }.count
    return Evaluation(
      loss: value, accuracy: Float(correct) / Float(max(1, data.count)),
      predictions: predictions, probabilities: probabilities)
  }

  /// The node whose output the loss reads as logits: the one before a final softmax
  /// `Activation`, or nil when the graph ends otherwise (the loss then reads probabilities).
  public var logitsNode: Int? {
    guard let last = graph.nodes.last, let a = last.layer as? Activation, a.kind == .softmax,
      last.inputs.count == 1
    else { return nil }
    return last.inputs[0]
  }

  /// Softmax outputs `[N, K]` (or the logits before them) for every sample, in order.
  public func predict(_ data: any BatchProvider, logits: Bool = false) throws -> Tensor {
    let end = logits ? (logitsNode ?? graph.nodes.count - 1) : graph.nodes.count - 1
    var out: [Float] = []
    var k = 0
    var start = 0
    data.willRequest(
      stride(from: 0, to: data.count, by: max(1, options.batchSize)).map {
        Array($0..<min(data.count, $0 + max(1, options.batchSize)))
      }, epoch: 0)
    while start < data.count {
      let indices = Array(start..<min(data.count, start + options.batchSize))
      let probs = try graph.forward(
        seeds: [feedNode: try data.inputs(indices, epoch: 0)], mode: .inference, through: end)
      try checkOutput(probs, batch: indices.count)
      k = probs.shape[1]
      out.append(contentsOf: probs.scalars)
      start += indices.count
    }
    return try Tensor(shape: [data.count, k], scalars: out)
  }
}

/// Row-wise softmax of `[N, K]` logits (max-subtracted).
public func softmax(_ logits: Tensor) -> Tensor {
  guard logits.rank == 2, logits.shape[1] > 0 else { return logits }
  let k = logits.shape[1]
  var out = logits
  for i in 0..<logits.shape[0] {
    let row = logits.scalars[(i * k)..<((i + 1) * k)]
    let m = row.max() ?? 0
    var sum: Float = 0
    for j in 0..<k {
      let e = expf(logits.scalars[i * k + j] - m)
      out.scalars[i * k + j] = e
      sum += e
    }
    for j in 0..<k { out.scalars[i * k + j] /= sum }
  }
  return out
}

/// Index of the largest value in each row of `[N, K]`.
public func argmax(_ t: Tensor) -> [Int] {
  guard t.rank == 2, t.shape[1] > 0 else { return [] }
  let k = t.shape[1]
  return (0..<t.shape[0]).map { i in
    var best = 0
    for j in 1..<k where t.scalars[i * k + j] > t.scalars[i * k + best] { best = j }
    return best
  }
}
