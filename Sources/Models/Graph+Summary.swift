import Foundation
import Layers

/// One row of `ftune inspect`.
public struct LayerSummary: Codable, Sendable, Equatable {
  public let index: Int
  /// Keras layer name (also its HDF5 key), as `outer/inner` inside a nested model.
  public let name: String
  /// Keras class name.
  public let className: String
  /// Output shape without the batch dimension.
  public let outputShape: [Int]
  public let parameters: Int
  /// `trainable`, `frozen`, or `-` for layers without weights.
  public let state: String
  /// The `--freeze N` that freezes up to and including this layer.
  public let freezeN: Int
  /// What `--freeze` through this layer trains: the weight layers between it and where the
  /// new head goes (`Graph.trunkEnd`, or this layer when it lies past), and the head
  /// (pooled first on a spatial output). Ends in `*` when a later layer skips over this
  /// cut, so training cannot start from cached features.
  public let trains: String
  /// What `ftune cache --freeze` through this layer writes per image (its output shape;
  /// "-" for the input).
  public let caches: String
  /// Names of the layers feeding this one.
  public let inputs: [String]
}

/// What `ftune inspect` prints: every layer, and totals as Keras's `model.summary()` counts
/// them (non-trainable = BatchNorm moving statistics + frozen weights).
public struct ModelSummary: Codable, Sendable, Equatable {
  public let name: String
  public let inputShape: [Int]
  public let layers: [LayerSummary]
  public let totalParameters: Int
  public let trainableParameters: Int
  public let nonTrainableParameters: Int
  /// Number of weight layers: the largest valid `--freeze N`.
  public let weightLayers: Int
  /// `--freeze all` freezes through this layer (everything but the final classifier).
  public let freezeAll: String
  /// The final classifier the new head replaces by default (empty without one).
  public let replacedByHead: [String]

  /// A fixed-width table, one row per layer, then the totals.
  public func table() -> String {
    let header = [
      "#", "Layer", "Class", "Output shape", "Params", "State", "Freeze N", "Caches", "Trains",
    ]
    let rows = layers.map { l in
      [
        "\(l.index)", l.name, l.className, l.outputShape.map(String.init).joined(separator: "x"),
        ModelSummary.grouped(l.parameters), l.state, "\(l.freezeN)", l.caches, l.trains,
      ]
    }
    let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
    let rightAligned: Set<Int> = [0, 4, 6]
    func line(_ cells: [String]) -> String {
      var text = cells.enumerated().map { c, cell in
        let pad = String(repeating: " ", count: widths[c] - cell.count)
        return rightAligned.contains(c) ? pad + cell : cell + pad
      }.joined(separator: "  ")
      while text.last == " " { text.removeLast() }
      return text
    }
    var out = ["Model: \(name)  input \(inputShape.map(String.init).joined(separator: "x"))"]
    out.append(line(header))
    out.append(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
    out += rows.map(line)
    out.append("Total params: \(ModelSummary.grouped(totalParameters))")
    out.append("Trainable params: \(ModelSummary.grouped(trainableParameters))")
    out.append("Non-trainable params: \(ModelSummary.grouped(nonTrainableParameters))")
    out.append(
      "Weight layers: \(weightLayers) (--freeze 0...\(weightLayers), a layer name, or all)")
    out.append(
      "--freeze all: through \(freezeAll); the new head "
        + (replacedByHead.isEmpty
          ? "goes after it" : "replaces \(replacedByHead.joined(separator: ", "))"))
    if layers.contains(where: { $0.trains.hasSuffix("*") }) {
      out.append("*: a later layer skips over this cut, so training runs images through it")
    }
    return out.joined(separator: "\n") + "\n"
  }

  /// Pretty-printed JSON with sorted keys.
  public func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
  }

  /// 14714688 → "14,714,688", as Keras prints parameter counts.
  static func grouped(_ n: Int) -> String {
    let digits = Array(String(n))
    var out = ""
    for (i, d) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(d)
    }
    return out
  }
}

extension Graph {
  /// The rows and totals of `ftune inspect`, reflecting the current freezing.
  public func summary() -> ModelSummary {
    let counts = freezeCounts
    let rows = nodes.enumerated().map { i, node in
      let layer = node.layer
      let state = !layer.hasWeights ? "-" : (layer.isFrozen ? "frozen" : "trainable")
      return LayerSummary(
        index: i, name: qualifiedName(of: i), className: layer.kerasClassName,
        outputShape: node.outputShape, parameters: layer.parameterCount, state: state,
        freezeN: counts[i], trains: trainedAfter(cut: i),
        caches: i == 0 ? "-" : node.outputShape.map(String.init).joined(separator: "x"),
        inputs: node.inputs.map { qualifiedName(of: $0) })
    }
    let total = parameters.reduce(0) { $0 + $1.value.count }
    let trainable = parameters.filter(\.needsGradient).reduce(0) { $0 + $1.value.count }
    return ModelSummary(
      name: name, inputShape: inputShape, layers: rows, totalParameters: total,
      trainableParameters: trainable, nonTrainableParameters: total - trainable,
      weightLayers: weightLayerIndices.count, freezeAll: qualifiedName(of: trunkEnd),
      replacedByHead: nodes.indices.dropFirst(trunkEnd + 1).map(qualifiedName(of:)))
  }

  /// The `trains` text of the row for `cut` (see `LayerSummary.trains`).
  func trainedAfter(cut: Int) -> String {
    let kept = Swift.max(cut, trunkEnd)
    let trained = weightLayerIndices.filter { $0 > (cut == 0 ? -1 : cut) && $0 <= kept }
      .map(qualifiedName(of:))
    let rank = nodes[kept].outputShape.count
    let head = rank == 3 ? "GAP head" : rank == 1 ? "head" : "no head on \(nodes[kept].outputShape)"
    var text = head
    if let first = trained.first, let last = trained.last {
      text = (trained.count == 1 ? first : "\(first)..\(last) (\(trained.count))") + " + " + head
    }
    return cut > 0 && !isSelfContained(cut: cut) ? text + " *" : text
  }
}
