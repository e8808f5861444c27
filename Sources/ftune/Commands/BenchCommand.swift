import ArgumentParser
import Foundation
import Kernels
import Layers
import Models
import Runtime
import TensorCore
import Workflow

/// `ftune bench --base NAME`: throughput, peak memory and achieved GFLOP/s of a zoo network
/// with random weights, so ftune can be compared with Keras on the same machine
/// (`benchmarks/keras_vs_ftune.sh`).
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure forward (and training) images/s, peak RSS and GFLOP/s of a zoo network.",
    discussion: """
      Weights are random (seeded); timings are medians over --repeat timed batches after one \
      warm-up batch. Training is one forward + backward + SGD step per batch on a pooled \
      trunk (loss = mean of the pooled features), with --freeze N frozen as in `ftune train`.
      OpenBLAS's core type: see --blas-coretype and docs/performance.md.
      Examples:
        ftune bench --base vgg16
        ftune bench --base mobilenet_v2 --batch 8 --train --freeze 10 --json
      """)

  @Option(help: "Zoo network: \(ModelZoo.names.joined(separator: ", ")).")
  var base: String

  @Option(help: "Images per batch.")
  var batch: Int = 8

  @Option(help: "Input side in pixels.")
  var size: Int = 224

  @Flag(help: "Also measure training steps.")
  var train = false

  @Option(help: "Freeze the first N weight layers (or a layer name, or all) when training.")
  var freeze: String = "0"

  @Option(name: .customLong("repeat"), help: "Timed batches per measurement.")
  var repetitions: Int = 5

  @Option(help: "Threads for OpenBLAS (default: every core; ftune's own loops never call BLAS).")
  var blasThreads: Int?

  @Option(
    help: ArgumentHelp(
      "OpenBLAS core type (SkylakeX, Haswell, Zen, …), 'auto' (by CPU features) or 'keep'.",
      discussion: "Applied by re-running ftune with OPENBLAS_CORETYPE set."))
  var blasCoretype: String?

  @Flag(help: "Print JSON instead of text.")
  var json = false

  @Flag(help: "Print time per layer kind (forward and backward) on stderr (= FTUNE_PROFILE=1).")
  var profile = false

  func validate() throws {
    if batch < 1 { throw ValidationError("--batch must be at least 1") }
    if size < 1 { throw ValidationError("--size must be a positive number of pixels") }
    if repetitions < 1 { throw ValidationError("--repeat must be at least 1") }
    if let blasThreads, blasThreads < 1 {
      throw ValidationError("--blas-threads must be at least 1")
    }
  }

  func run() throws {
    if let blasCoretype { BLASCoreType.reexecIfNeeded(override: blasCoretype) }
    BLASThreads.set(blasThreads ?? ProcessInfo.processInfo.activeProcessorCount)
    if profile { LayerProfile.enabled = true }
    if let note = BLASCoreType.upgradeNotice {
      FileHandle.standardError.write(Data((note + "\n").utf8))
    }
    let graph = try ModelZoo.build(
      base, ZooOptions(includeTop: false, pooling: .avg, height: size, width: size))
    let x = Tensor(shape: [batch, size, size, 3]) { i in Float((i * 7919) % 255) / 127.5 - 1 }
    let flops = BenchFLOPs(graph)

    var report = BenchReport(
      base: base.lowercased(), batch: batch, size: size, blasCore: BLASThreads.coreName,
      kernelISA: KernelISA.active.description,
      blasThreads: BLASThreads.count, cpuThreads: ProcessInfo.processInfo.activeProcessorCount,
      forwardGFLOPsPerImage: Double(flops.forward) / 1e9)
    _ = try graph.forward(x, mode: .inference)  // warm-up: scratch buffers, page faults
    let fwd = try Self.median(repetitions) { _ = try graph.forward(x, mode: .inference) }
    report.forwardSeconds = fwd
    report.forwardImagesPerSecond = Double(batch) / fwd
    report.forwardGFLOPs = Double(flops.forward * batch) / fwd / 1e9
    report.forwardPeakRSSMB = PeakMemory.peakMegabytes()

    if train {
      let cut = try graph.freeze(FreezeSpec(freeze))
      let trainFlops = flops.training(firstTrainable: graph.firstTrainableIndex)
      let step = { try Self.trainStep(graph, x) }
      try step()
      let t = try Self.median(repetitions) { try step() }
      report.freezeCut = graph.nodes[max(0, cut)].layer.name
      report.trainSeconds = t
      report.trainImagesPerSecond = Double(batch) / t
      report.trainGFLOPs = Double(trainFlops * batch) / t / 1e9
    }
    report.peakRSSMB = PeakMemory.peakMegabytes()
    print(json ? try report.json() : report.text())
    if LayerProfile.enabled {
      FileHandle.standardError.write(Data((LayerProfile.report() + "\n").utf8))
    }
  }

  /// One SGD step on loss = mean over the batch of the sum of the pooled features.
  static func trainStep(_ graph: Graph, _ x: Tensor) throws {
    let y = try graph.forward(x, mode: .training)
    let n = Float(max(1, y.shape.first ?? 1))
    try graph.backward(Tensor(zeros: y.shape, value: 1 / n))
    for p in graph.parameters where p.needsGradient {
      if let g = p.grad {
        p.value.withUnsafeMutableBufferPointer { v in
          g.withUnsafeBufferPointer { d in
            for i in 0..<v.count { v[i] -= 1e-4 * d[i] }
          }
        }
      }
      p.zeroGrad()
    }
  }

  /// Median wall time of `count` runs of `body`, in seconds.
  static func median(_ count: Int, _ body: () throws -> Void) throws -> Double {
    var times: [Double] = []
    for _ in 0..<count {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    times.sort()
    return times.count % 2 == 1
      ? times[times.count / 2]
      : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
  }
}
