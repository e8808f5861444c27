import TensorCore

/// A labelled set the training loop draws batches from: decoded (and augmented) images fed
/// at the graph's input, or cached features fed at the cut.
public protocol BatchProvider {
  /// Number of samples.
  var count: Int { get }
  /// One class index per sample.
  var labels: [Int] { get }
  /// The inputs of these samples, batched along the first axis. `epoch` lets augmentation
  /// draw a different variant per epoch (deterministically from the seed).
  func inputs(_ indices: [Int], epoch: Int) throws -> Tensor
  /// Announces the `inputs` calls about to come, in order, so a provider that decodes files
  /// can prepare them on background threads while the caller computes. A caller that then
  /// asks for something else still gets correct inputs (just not prepared ahead).
  func willRequest(_ batches: [[Int]], epoch: Int)
}

extension BatchProvider {
  /// Nothing to prepare: in-memory providers answer `inputs` at once.
  public func willRequest(_ batches: [[Int]], epoch: Int) {}
}

/// Samples held in memory as one tensor `[N, ...]` (cached features, tests).
public struct TensorBatches: BatchProvider {
  public let data: Tensor
  public let labels: [Int]

  public init(data: Tensor, labels: [Int]) throws {
    guard data.rank >= 1, data.shape[0] == labels.count else {
      throw TensorError.shapeMismatch(
        context: "samples vs labels", expected: [labels.count], got: data.shape)
    }
    self.data = data
    self.labels = labels
  }

  public var count: Int { labels.count }

  public func inputs(_ indices: [Int], epoch: Int) throws -> Tensor {
    let per = data.shape.dropFirst().reduce(1, *)
    var out = [Float]()
    out.reserveCapacity(per * indices.count)
    data.withUnsafeBufferPointer { p in
      for i in indices { out.append(contentsOf: p[(i * per)..<((i + 1) * per)]) }
    }
    return try Tensor(shape: [indices.count] + data.shape.dropFirst(), scalars: out)
  }
}
