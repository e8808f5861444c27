import Foundation
import HDF5
import KerasIO
import Models
import TensorCore
import Training

/// A base network ready for a new head: its graph (weights loaded), where its trunk ends,
/// and how its inputs are prepared.
public struct BaseModel {
  public var graph: Graph
  /// The last node a new head keeps by default (`Graph.trunkEnd`): a zoo base is built
  /// without its top, so its last node; a Keras model file with a top keeps all but its
  /// final classifier.
  public var trunkEnd: Int { graph.trunkEnd }
  public var preprocessing: Preprocessing
  public var size: Int
  /// Input channels (1 for a grayscale model).
  public var channels: Int
  /// What the weights came from: a path, or "random".
  public var weights: String

  /// Builds `settings.base` and loads its weights (see `resolveWeights`).
  public static func load(
    base: String, weights: String, size: Int?, preprocessing: Preprocessing?, seed: UInt64,
    partial: Bool = false, trust: HDF5Trust = .fileOnly, log: (String) -> Void = { _ in },
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> BaseModel {
    if isModelFile(base) {
      guard FileManager.default.fileExists(atPath: base) else {
        throw WorkflowError.missingFile(
          option: "base", path: base, hint: "give a zoo name or a Keras model file")
      }
      let graph = try KerasModel.load(path: base, trust: trust)
      let shape = graph.inputShape
      if !weights.isEmpty && weights != "random" {
        log(
          try KerasWeights.load(into: graph, from: weights, strict: !partial, trust: trust)
            .summary)
      }
      return BaseModel(
        graph: graph,
        preprocessing: preprocessing ?? .none, size: shape.first ?? 224,
        channels: shape.last ?? 3, weights: weights.isEmpty ? base : weights)
    }
    let entry = try ModelZoo.entry(named: base)
    let side = size ?? entry.defaultSize
    var options = ZooOptions(includeTop: false, pooling: .none, size: side)
    options.seed = seed
    let graph = try entry.build(options)
    let path = try resolveWeights(
      weights, base: entry.name, file: entry.kerasWeights(options), environment: environment,
      log: log)
    if let path {
      log(try KerasWeights.load(into: graph, from: path, strict: !partial, trust: trust).summary)
    }
    return BaseModel(
      graph: graph,
      preprocessing: preprocessing ?? entry.preprocessing, size: side,
      channels: graph.inputShape.last ?? 3, weights: path ?? "random")
  }

  /// The cut `freeze` names (exactly that layer, `trunkEnd` for `all`) and the last node a
  /// new head keeps with it (`HeadSwap.keptEnd`).
  public func cut(for freeze: FreezeSpec) throws -> (cut: Int, kept: Int) {
    let cut = try graph.cutIndex(for: freeze)
    return (cut, HeadSwap.keptEnd(of: graph, frozenThrough: cut))
  }

  /// The log line naming the layers of the base after `kept` that go unused (nil when
  /// none): `what` says what uses the base, e.g. "the new head after fc2". Long runs are
  /// named by their ends: they are always every layer after `kept`.
  public func unusedNote(kept: Int, what: String) -> String? {
    let unused = HeadSwap.unusedLayers(of: graph, keptEnd: kept)
    guard let first = unused.first, let last = unused.last else { return nil }
    let names = unused.count <= 10 ? unused.joined(separator: ", ") : "\(first) … \(last)"
    return "\(what) leaves the \(unused.count) layer(s) of '\(graph.name)' after"
      + " \(graph.nodes[kept].layer.name) unused: \(names)"
  }

  static func isModelFile(_ base: String) -> Bool {
    base.hasSuffix(".h5") || base.hasSuffix(".keras") || base.contains("/")
  }

  /// `--weights FILE` → FILE; `random` → nil; empty → `$KERAS_HOME/models/<Keras's file name>`
  /// (`~/.keras/models/`), downloaded there from Keras's address on first use as Keras does.
  public static func resolveWeights(
    _ weights: String, base: String, file: KerasWeightsFile?,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    log: (String) -> Void = { _ in }
  ) throws -> String? {
    if weights == "random" { return nil }
    if !weights.isEmpty {
      guard FileManager.default.fileExists(atPath: weights) else {
        throw WorkflowError.missingFile(
          option: "weights", path: weights,
          hint: "give a Keras weights file (.h5, .weights.h5, .keras) or 'random'")
      }
      return weights
    }
    guard let file else { throw WorkflowError.noWeightsKnown(base: base) }
    let candidate = kerasModelsFolder(environment).appendingPathComponent(file.fileName).path
    if FileManager.default.fileExists(atPath: candidate) { return candidate }
    log("\(base): \(file.fileName) is not in \(candidate); downloading it from"
      + " \(WeightsDownload.origin(of: file, environment: environment))")
    let bar = ProgressBar(label: file.fileName)
    try WeightsDownload.fetch(
      file, to: candidate, environment: environment, progress: bar.update)
    bar.finish()
    return candidate
  }

  /// Keras's cache folder for weights: `$KERAS_HOME/models`, else `~/.keras/models`.
  public static func kerasModelsFolder(_ environment: [String: String]) -> URL {
    let home = environment["KERAS_HOME"].map { URL(fileURLWithPath: $0) }
      ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory())
        .appendingPathComponent(".keras")
    return home.appendingPathComponent("models")
  }
}

extension LoadReport {
  /// One line for the log: what loaded, and what a partial load left out.
  var summary: String {
    var s = "loaded \(matched.count) weights from \(file)"
    if !missing.isEmpty {
      s += "; \(missing.count) missing (left as initialised): \(missing.joined(separator: ", "))"
    }
    if !unexpected.isEmpty {
      s += "; \(unexpected.count) in the file unused: \(unexpected.joined(separator: ", "))"
    }
    if !mismatched.isEmpty {
      s += "; \(mismatched.count) with other shapes skipped: "
        + mismatched.map(\.description).joined(separator: "; ")
    }
    return s
  }
}
