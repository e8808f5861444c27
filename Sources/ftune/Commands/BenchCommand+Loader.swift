import ArgumentParser
import Dataset
import Foundation
import ImageIO
import Models
import TensorCore
import Training
import Workflow

/// `ftune bench-loader --data DIR [--augment SPEC] [--threads N]`: images/s of the image
/// loader alone (decode, augment, resize, preprocess on its threads) against the forward
/// images/s of a zoo network, and the network fed by the loader, so a user sees whether
/// loading starves compute.
struct BenchLoaderCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-loader",
    abstract: "Measure the image loader's images/s against a network's forward images/s.",
    discussion: """
      Three timings over the images under --data (class folders, as for training):
        loader   batches decoded, augmented and preprocessed ahead on --threads threads,
                 consumed as fast as they come (no compute);
        forward  the network (random weights, include_top=False, average pooling) on
                 batches already in memory;
        fed      the network on batches from the loader, which prepares the next batches
                 while the current one computes (what uncached training does).
      When loader images/s is above forward images/s, loading does not starve compute and \
      fed ≈ forward. Examples:
        ftune bench-loader --data data/fetched/stamps --augment flip,crop,color
        ftune bench-loader --data photos --base mobilenet_v2 --threads 1 --json
      """)

  @Option(help: "Folder of class sub-folders of images.")
  var data: String

  @Option(help: "Zoo network for the forward timing: \(ModelZoo.names.joined(separator: ", ")).")
  var base = "vgg16"

  @Option(help: "Input side in pixels (default: the network's).")
  var size: Int?

  @Option(help: "Augmentations, e.g. flip,crop,color,pca (default: none).")
  var augment: String?

  @Option(help: "Loader threads (default: every core).")
  var threads: Int?

  @Option(help: "Images per batch.")
  var batch = 16

  @Option(help: "Batches prepared ahead (the loader's memory bound).")
  var prefetch = 2

  @Option(help: "Passes over the data for the loader timing.")
  var epochs = 1

  @Option(help: "Batches for the forward and fed timings (after one warm-up batch).")
  var forwardBatches = 3

  @Option(help: "Random seed (augmentation, order, weights).")
  var seed: UInt64 = 0

  @Flag(help: "Print JSON instead of text.")
  var json = false

  func validate() throws {
    if batch < 1 { throw ValidationError("--batch must be at least 1") }
    if prefetch < 1 { throw ValidationError("--prefetch must be at least 1") }
    if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    if forwardBatches < 1 { throw ValidationError("--forward-batches must be at least 1") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    if let size, size < 1 { throw ValidationError("--size must be a positive number of pixels") }
  }

  func run() throws {
    let entry = try ModelZoo.entry(named: base)
    let side = size ?? entry.defaultSize
    let dataset = try ImageDataset(directory: data)
    let augmentation = try Augmentation(
      augment.map { $0.split(separator: ",").map(String.init) } ?? [], size: side)
    let pipeline = ImagePipeline(
      size: side, channels: 3, preprocessing: entry.preprocessing, seed: seed,
      augmentation: augmentation)
    let cores = ProcessInfo.processInfo.activeProcessorCount
    func source() -> ImageBatches {
      let b = ImageBatches(
        paths: dataset.samples.map(\.path), labels: dataset.samples.map(\.label),
        pipeline: pipeline, augmented: true)
      b.threads = threads ?? cores
      b.prefetch = prefetch
      return b
    }
    func plan(epoch: Int) -> [[Int]] {
      var order = Array(0..<dataset.samples.count)
      var rng = SeededRNG(seed: seed).derived(UInt64(epoch))
      order.shuffle(using: &rng)
      return stride(from: 0, to: order.count, by: batch).map {
        Array(order[$0..<min(order.count, $0 + batch)])
      }
    }

    var report = LoaderBenchReport(
      base: entry.name, images: dataset.samples.count, size: side, batch: batch,
      threads: threads ?? cores, prefetch: prefetch, augment: augmentation?.spec ?? "none")
    // 1. The loader alone.
    let loader = source()
    var loaded = 0
    var first: Tensor?
    let loadStart = DispatchTime.now().uptimeNanoseconds
    for epoch in 1...epochs {
      let batches = plan(epoch: epoch)
      loader.willRequest(batches, epoch: epoch)
      for indices in batches {
        let x = try loader.inputs(indices, epoch: epoch)
        if first == nil, indices.count == batch { first = x }
        loaded += indices.count
        progress("loader: \(loaded)/\(dataset.samples.count * epochs) images")
      }
    }
    report.loaderSeconds = Self.seconds(since: loadStart)
    report.loaderImagesPerSecond = Double(loaded) / max(report.loaderSeconds, 1e-9)
    report.loaderPeakRSSMB = PeakMemory.peakMegabytes()

    // 2. The network on a batch in memory.
    let graph = try ModelZoo.build(
      entry.name, ZooOptions(includeTop: false, pooling: .avg, height: side, width: side))
    let x = try first ?? loader.inputs(Array(0..<min(batch, dataset.samples.count)), epoch: 1)
    _ = try graph.forward(x, mode: .inference)  // warm-up
    let fwd = try BenchCommand.median(forwardBatches) {
      _ = try graph.forward(x, mode: .inference)
    }
    report.forwardImagesPerSecond = Double(x.shape[0]) / fwd

    // 3. The network fed by the loader (it decodes the next batches meanwhile).
    let fed = source()
    let batches = Array(plan(epoch: epochs + 1).prefix(forwardBatches))
    fed.willRequest(batches, epoch: epochs + 1)
    var fedImages = 0
    let fedStart = DispatchTime.now().uptimeNanoseconds
    for indices in batches {
      _ = try graph.forward(fed.inputs(indices, epoch: epochs + 1), mode: .inference)
      fedImages += indices.count
    }
    report.fedImagesPerSecond = Double(fedImages) / max(Self.seconds(since: fedStart), 1e-9)
    report.peakRSSMB = PeakMemory.peakMegabytes()
    if !json { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    print(json ? try report.json() : report.text())
  }

  private func progress(_ line: String) {
    guard !json else { return }
    FileHandle.standardError.write(Data("\r\(line)".utf8))
  }

  static func seconds(since start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }
}

/// What `ftune bench-loader` measured.
struct LoaderBenchReport: Codable {
  var base: String
  var images: Int
  var size: Int
  var batch: Int
  var threads: Int
  var prefetch: Int
  var augment: String
  var loaderSeconds = 0.0
  var loaderImagesPerSecond = 0.0
  var forwardImagesPerSecond = 0.0
  var fedImagesPerSecond = 0.0
  /// After the loader pass alone (images, queue and decoders only).
  var loaderPeakRSSMB = 0.0
  var peakRSSMB = 0.0

  /// Loader images/s over forward images/s: above 1, loading keeps up with compute.
  var headroom: Double { loaderImagesPerSecond / max(forwardImagesPerSecond, 1e-9) }

  func text() -> String {
    func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
    let verdict =
      headroom >= 1
      ? "loading keeps up: the loader is \(f(headroom, 1))x faster than the forward pass"
      : "loading starves compute: the loader reaches only \(f(headroom * 100, 0))% of the"
        + " forward pass's images/s (more --threads, a smaller --size, or cache features)"
    return """
      loader \(images) images, \(size)x\(size), batch \(batch), \(threads) thread(s), \
      prefetch \(prefetch), augment \(augment)
        loader alone   \(f(loaderImagesPerSecond)) images/s (\(f(loaderSeconds, 2)) s), \
      peak RSS \(f(loaderPeakRSSMB, 0)) MB
        \(base) forward \(f(forwardImagesPerSecond)) images/s (batch in memory)
        fed by loader  \(f(fedImagesPerSecond)) images/s, peak RSS \(f(peakRSSMB, 0)) MB
      \(verdict)
      """
  }

  func json() throws -> String {
    var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self))
      as? [String: Any] ?? [:]
    object["headroom"] = headroom
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }
}
