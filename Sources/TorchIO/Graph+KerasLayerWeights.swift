import Layers
import Models
import TensorCore

extension Graph {
  /// Sets the weights of the named layers, matching each weight by its Keras name
  /// (`kernel`, `gamma`, ...) and shape. Strict: every problem (a layer the graph lacks, a
  /// weight the layer lacks, a shape mismatch, a graph layer with weights left unassigned)
  /// is collected and thrown at once, before any value is changed.
  public func assign(_ layers: [KerasLayerWeights]) throws {
    var problems: [String] = []
    var updates: [(Parameter, Tensor)] = []
    var assigned = Set<String>()
    for entry in layers {
      guard let layer = layer(named: entry.layer) else {
        problems.append("the model has no layer '\(entry.layer)'")
        continue
      }
      assigned.insert(entry.layer)
      let parameters = layer.weights
      for weight in entry.weights {
        guard let parameter = parameters.first(where: { $0.name == weight.name }) else {
          problems.append("layer '\(entry.layer)' has no weight '\(weight.name)'")
          continue
        }
        guard parameter.value.shape == weight.value.shape else {
          problems.append("\(entry.layer)/\(weight.name): the model expects shape "
            + "\(parameter.value.shape), the checkpoint has \(weight.value.shape)")
          continue
        }
        updates.append((parameter, weight.value))
      }
      let given = Set(entry.weights.map(\.name))
      for parameter in parameters where !given.contains(parameter.name) {
        problems.append("\(entry.layer)/\(parameter.name) is not in the checkpoint")
      }
    }
    for layer in self.layers where layer.hasWeights && !assigned.contains(layer.name) {
      problems.append("layer '\(layer.name)' got no weights from the checkpoint")
    }
    guard problems.isEmpty else { throw WeightAssignmentError(problems: problems) }
    for (parameter, value) in updates {
      parameter.value = value
    }
  }
}

/// The weights did not fit the model; `problems` lists every mismatch.
public struct WeightAssignmentError: Error, Equatable, CustomStringConvertible {
  public let problems: [String]

  public var description: String {
    let shown = problems.prefix(10).joined(separator: "\n  ")
    let more = problems.count > 10 ? "\n  ... and \(problems.count - 10) more" : ""
    return "the weights do not fit the model (\(problems.count) problems):\n  \(shown)\(more)"
  }
}
