import Foundation
import HDF5
import Layers
import Models
import TensorCore

/// Loads and saves the weights of a `Graph` in Keras's HDF5 layouts.
public enum KerasWeights {
  /// Loads weights from a Keras 2 `.h5` (weights-only or full model), a Keras 3
  /// `.weights.h5` or a `.keras` archive, detecting the layout.
  ///
  /// Keras 2 files and Keras 3 files that record layer names match by Keras layer name;
  /// older Keras 3 files match by layer class, order and shapes. Strict (the default), any
  /// missing, unexpected or mis-shaped weight throws `KerasIOError.incompleteLoad` with the
  /// whole report and nothing is loaded; with `strict: false` what matches is loaded.
  @discardableResult
  public static func load(
    into graph: Graph, from path: String, strict: Bool = true, trust: HDF5Trust = .fileOnly
  ) throws
    -> LoadReport
  {
    if path.hasSuffix(".keras") {
      return try KerasArchive.withWeightsFile(of: path) { weightsPath in
        try load(
          into: graph, file: try HDF5File.openCheckingHeaps(weightsPath, trust: trust), label: path,
          strict: strict)
      }
    }
    return try load(
      into: graph, file: try HDF5File.openCheckingHeaps(path, trust: trust), label: path, strict: strict)
  }

  static func load(into graph: Graph, file: HDF5File, label: String, strict: Bool) throws
    -> LoadReport
  {
    let root = try file.root
    let plan: LoadPlan
    if hasKeras2LayerNames(root) {
      plan = try keras2Plan(graph, group: root, file: label, layout: .keras2Weights)
    } else if try root.kind(of: "model_weights") == .group {
      let group = try root.group("model_weights")
      plan = try keras2Plan(graph, group: group, file: label, layout: .keras2Model)
    } else {
      let entries = try keras3Entries(root)
      guard try !entries.isEmpty || root.kind(of: "layers") == .group
        || root.kind(of: "vars") == .group
      else { throw KerasIOError.noKerasStructure(file: label) }
      plan = try keras3Plan(graph, entries: entries, file: label)
    }
    if strict && !plan.report.isComplete { throw KerasIOError.incompleteLoad(plan.report) }
    try plan.apply()
    return plan.report
  }

  static func hasKeras2LayerNames(_ group: HDF5Group) -> Bool {
    group.hasAttribute("layer_names") || group.hasAttribute("layer_names0")
  }
}

/// Reads a string-list attribute that Keras may have split into `name0`, `name1`, … when
/// it outgrew HDF5's 64 KiB object-header limit.
func chunkedStringAttribute(_ object: some HDF5Object, _ name: String) throws -> [String] {
  if object.hasAttribute(name) { return try object.stringArrayAttribute(name) }
  var values: [String] = []
  var chunk = 0
  while object.hasAttribute("\(name)\(chunk)") {
    values += try object.stringArrayAttribute("\(name)\(chunk)")
    chunk += 1
  }
  return values
}

/// Assignments decided before anything is written, so a strict load is all or nothing.
struct LoadPlan {
  var report: LoadReport
  var assignments: [(Parameter, HDF5Dataset)] = []

  init(report: LoadReport) { self.report = report }

  /// Compares one model layer with one file entry, recording a match or mismatches.
  mutating func match(_ layer: any Layer, _ entry: WeightEntry) throws {
    let params = layer.weights
    guard params.count == entry.weights.count else {
      report.mismatched.append(
        WeightMismatch(
          layer: layer.name, weight: "weights", expected: [params.count],
          found: [entry.weights.count]))
      return
    }
    var ok = true
    for (p, d) in zip(params, entry.weights) {
      let shape = try d.shape()
      if shape != p.value.shape {
        ok = false
        report.mismatched.append(
          WeightMismatch(layer: layer.name, weight: p.name, expected: p.value.shape, found: shape))
      }
    }
    guard ok else { return }
    report.matched.append(layer.name)
    assignments += zip(params, entry.weights).map { ($0, $1) }
  }

  func apply() throws {
    // Read everything first so a damaged dataset leaves the model untouched.
    let values = try assignments.map { try Self.read($0.1) }
    for ((param, _), value) in zip(assignments, values) { param.value = value }
  }

  /// A weight as floats; Keras stores a few as integers (Normalization's int64 `count`).
  static func read(_ d: HDF5Dataset) throws -> Tensor {
    do {
      return try d.readTensor()
    } catch HDF5Error.wrongType {
      let ints = try d.readInt32s()
      return try Tensor(shape: try d.shape(), scalars: ints.map { Float($0) })
    }
  }
}
