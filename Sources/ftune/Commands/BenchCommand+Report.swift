import Foundation
import Layers
import Models

/// Multiply-adds of a graph, counted as 2 FLOPs each, per image.
struct BenchFLOPs {
  /// Per node: FLOPs of its forward pass.
  let perNode: [Int]

  /// Every kernel-like weight (`kernel`, `depthwise_kernel`, `pointwise_kernel`) is applied
  /// once per output pixel, so a node costs 2 · pixels · (kernel elements).
  init(_ graph: Graph) {
    perNode = graph.nodes.map { node in
      let pixels = node.outputShape.dropLast().reduce(1, *)
      let weights = node.layer.weights.filter { $0.name.hasSuffix("kernel") }
      return 2 * pixels * weights.reduce(0) { $0 + $1.value.count }
    }
  }

  var forward: Int { perNode.reduce(0, +) }

  /// Forward everywhere, plus twice the forward cost (input and weight gradients) for the
  /// trainable part.
  func training(firstTrainable: Int?) -> Int {
    guard let first = firstTrainable else { return forward }
    return forward + 2 * perNode[first...].reduce(0, +)
  }
}

/// What `ftune bench` prints.
struct BenchReport: Codable {
  var base: String
  var batch: Int
  var size: Int
  var blasCore: String
  /// The hand-written kernels' instruction set (FTUNE_ISA=avx2 caps it; docs/performance.md).
  var kernelISA: String
  var blasThreads: Int
  var cpuThreads: Int
  var forwardGFLOPsPerImage: Double
  var forwardSeconds: Double = 0
  var forwardImagesPerSecond: Double = 0
  var forwardGFLOPs: Double = 0
  var forwardPeakRSSMB: Double = 0
  var freezeCut: String?
  var trainSeconds: Double?
  var trainImagesPerSecond: Double?
  var trainGFLOPs: Double?
  var peakRSSMB: Double = 0

  func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  func text() -> String {
    func f(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
    var lines = [
      "\(base) batch \(batch) \(size)x\(size), kernels \(kernelISA), BLAS core \(blasCore),"
        + " \(blasThreads) BLAS threads of \(cpuThreads) CPUs",
      "forward: \(f(forwardImagesPerSecond)) images/s, \(f(forwardGFLOPs)) GFLOP/s"
        + " (\(f(forwardGFLOPsPerImage, 2)) GFLOP/image), peak RSS \(f(forwardPeakRSSMB)) MB",
    ]
    if let t = trainImagesPerSecond, let g = trainGFLOPs {
      lines.append(
        "train (frozen through \(freezeCut ?? "nothing")): \(f(t)) images/s, \(f(g)) GFLOP/s,"
          + " peak RSS \(f(peakRSSMB)) MB")
    }
    return lines.joined(separator: "\n")
  }
}
