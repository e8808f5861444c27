import HDF5
import Layers
import Models

extension KerasWeights {
  /// Every group of a Keras 3 weights file that has a `vars` subgroup holding weights,
  /// depth first, members in natural order (`conv2d_9` before `conv2d_10`), variables by
  /// number. The optimizer's state is not a layer and is skipped.
  static func keras3Entries(_ root: HDF5Group) throws -> [WeightEntry] {
    var entries: [WeightEntry] = []
    // Links can make a group its own descendant; each group is visited once.
    var seen = Set<UInt64>()
    func visit(_ group: HDF5Group, relative: [String]) throws {
      guard seen.insert(try group.address()).inserted else {
        throw HDF5Error.linkedTwice(file: group.file.path, object: group.path)
      }
      let children = try group.children().sorted(by: naturalLess)
      if children.contains("vars"), try group.kind(of: "vars") == .group {
        let vars = try group.group("vars")
        let names = try vars.children().filter { try vars.kind(of: $0) == .dataset }
          .sorted(by: naturalLess)
        if !names.isEmpty {
          let layerName = vars.hasAttribute("name") ? try vars.stringAttribute("name") : nil
          var classKey: String?
          if relative.count >= 2, relative[relative.count - 2] == "layers",
            let last = relative.last
          {
            classKey = stripNumericSuffix(last)
          }
          entries.append(
            WeightEntry(
              label: relative.isEmpty ? "/" : relative.joined(separator: "/"),
              layerName: layerName, classKey: classKey,
              weights: try names.map { try vars.dataset($0) }))
        }
      }
      for child in children where child != "vars" {
        guard try group.kind(of: child) == .group else { continue }
        if relative.isEmpty && child == "optimizer" { continue }
        try visit(try group.group(child), relative: relative + [child])
      }
    }
    try visit(root, relative: [])
    return entries
  }

  /// `conv2d_12` -> `conv2d`; `conv2d` stays.
  static func stripNumericSuffix(_ name: String) -> String {
    guard let underscore = name.lastIndex(of: "_"),
      !name[name.index(after: underscore)...].isEmpty,
      name[name.index(after: underscore)...].allSatisfy(\.isNumber)
    else { return name }
    return String(name[..<underscore])
  }

  static func keras3Plan(_ graph: Graph, entries: [WeightEntry], file: String) throws -> LoadPlan {
    let names = entries.compactMap(\.layerName)
    // Keras >= 3.10 records each layer's name; use it when it identifies every entry.
    if names.count == entries.count && Set(names).count == names.count {
      return try planByName(graph, entries: entries, file: file, layout: .keras3Weights)
    }
    return try planByOrder(graph, entries: entries, file: file)
  }

  /// Older Keras 3 files name groups by class only: the model's k-th Conv2D takes the next
  /// unused `conv2d*` entry (or entry of unknown class) whose shapes fit, in file order.
  static func planByOrder(_ graph: Graph, entries: [WeightEntry], file: String) throws
    -> LoadPlan
  {
    var plan = LoadPlan(report: LoadReport(file: file, layout: .keras3Weights))
    var used = [Bool](repeating: false, count: entries.count)
    for layer in graph.layers where layer.hasWeights {
      let key = kerasSnakeCase(layer.kerasClassName)
      let candidates = entries.indices.filter {
        !used[$0] && (entries[$0].classKey == nil || entries[$0].classKey == key)
      }
      let wanted = layer.weights.map(\.value.shape)
      let fitting = try candidates.first { i in
        try entries[i].weights.map { try $0.shape() } == wanted
      }
      // No entry fits: report against the next one of the same class, if any.
      guard let index = fitting ?? candidates.first(where: { entries[$0].classKey == key })
      else {
        plan.report.missing.append(layer.name)
        continue
      }
      used[index] = true
      try plan.match(layer, entries[index])
    }
    plan.report.unexpected = entries.indices.filter { !used[$0] }.map { entries[$0].label }
    return plan
  }
}
