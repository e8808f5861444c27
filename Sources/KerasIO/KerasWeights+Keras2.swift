import HDF5
import Layers
import Models

extension KerasWeights {
  /// The entries of a Keras 2 weights group (`/` or `/model_weights`): root attribute
  /// `layer_names`, per layer attribute `weight_names`, datasets at those relative paths.
  /// Weights are taken in `weight_names` order, whatever they are called (old files say
  /// `conv1_W_1:0`).
  ///
  /// A nested model is one entry in the file (`vgg16` holding `block1_conv1/kernel:0`, …);
  /// it is split into one entry per inner layer, named by the path component before the
  /// weight's own name, so it matches the flattened graph.
  static func keras2Entries(_ group: HDF5Group) throws -> [WeightEntry] {
    try chunkedStringAttribute(group, "layer_names").flatMap { name in
      let layerGroup = try group.group(name)
      let weightNames = try chunkedStringAttribute(layerGroup, "weight_names")
      let datasets = try weightNames.map { try layerGroup.dataset($0) }
      var owners: [String] = []
      var split: [String: [HDF5Dataset]] = [:]
      for (weightName, dataset) in zip(weightNames, datasets) {
        let parts = weightName.split(separator: "/")
        let owner = parts.count >= 2 ? String(parts[parts.count - 2]) : name
        if split[owner] == nil { owners.append(owner) }
        split[owner, default: []].append(dataset)
      }
      guard owners.count > 1 else {
        return [WeightEntry(label: name, layerName: name, classKey: nil, weights: datasets)]
      }
      return owners.map {
        WeightEntry(label: $0, layerName: $0, classKey: nil, weights: split[$0] ?? [])
      }
    }
  }

  static func keras2Plan(
    _ graph: Graph, group: HDF5Group, file: String, layout: KerasLayout
  ) throws -> LoadPlan {
    let entries = try keras2Entries(group).filter { !$0.weights.isEmpty }
    let byName = try planByName(graph, entries: entries, file: file, layout: layout)
    guard !byName.report.isComplete else { return byName }
    // Keras's own `load_weights` of an .h5 goes by order (the k-th layer with weights takes
    // the k-th entry), so files whose layer names changed between Keras versions load there
    // (MobileNetV3's `Conv/BatchNorm` for Keras 3's `conv_bn`, DenseNet's `conv1/conv`).
    // Taken only when every layer fits in order; otherwise the by-name report stands.
    if let byOrder = try planInOrder(graph, entries: entries, file: file, layout: layout),
      byOrder.report.isComplete
    {
      return byOrder
    }
    return byName
  }

  /// The k-th weight-carrying layer to the k-th entry, as Keras's
  /// `load_weights_from_hdf5_group`; nil when the counts differ.
  static func planInOrder(
    _ graph: Graph, entries: [WeightEntry], file: String, layout: KerasLayout
  ) throws -> LoadPlan? {
    let layers = graph.layers.filter(\.hasWeights)
    guard layers.count == entries.count else { return nil }
    var plan = LoadPlan(report: LoadReport(file: file, layout: layout))
    for (layer, entry) in zip(layers, entries) { try plan.match(layer, entry) }
    return plan
  }

  /// Matches file entries to the model's weight-carrying layers by Keras layer name.
  static func planByName(
    _ graph: Graph, entries: [WeightEntry], file: String, layout: KerasLayout
  ) throws -> LoadPlan {
    var plan = LoadPlan(report: LoadReport(file: file, layout: layout))
    var byName: [String: WeightEntry] = [:]
    for e in entries { byName[e.layerName ?? e.label] = e }
    var used = Set<String>()
    for layer in graph.layers where layer.hasWeights {
      guard let entry = byName[layer.name] else {
        plan.report.missing.append(layer.name)
        continue
      }
      used.insert(layer.name)
      try plan.match(layer, entry)
    }
    plan.report.unexpected = entries.map { $0.layerName ?? $0.label }.filter { !used.contains($0) }
    return plan
  }
}
