/// The Keras file layouts ftune reads.
public enum KerasLayout: String, Sendable, Equatable {
  /// `save_weights('x.h5')` in Keras 2 and the files `keras.applications` ships.
  case keras2Weights = "Keras 2 weights"
  /// `model.save('m.h5')` in Keras 2: `model_config` plus `model_weights/`.
  case keras2Model = "Keras 2 model"
  /// Keras 3 `.weights.h5`, alone or inside a `.keras` archive.
  case keras3Weights = "Keras 3 weights"
}

/// A weight whose shape (or a layer whose number of weights) differs between the model and
/// the file.
public struct WeightMismatch: Sendable, Equatable, CustomStringConvertible {
  /// The model's layer name.
  public let layer: String
  /// The weight's Keras name (`kernel`), or `"weights"` when the counts differ.
  public let weight: String
  /// Shape in the model (for a count mismatch: `[count]`).
  public let expected: [Int]
  /// Shape in the file (for a count mismatch: `[count]`).
  public let found: [Int]

  public var description: String {
    if weight == "weights" {
      return "\(layer): the model has \(expected.first ?? 0) weights, the file"
        + " \(found.first ?? 0)"
    }
    return "\(layer)/\(weight): model \(expected), file \(found)"
  }
}

/// What a weight load matched and what it could not: every problem at once, not the first.
public struct LoadReport: Sendable, Equatable, CustomStringConvertible {
  /// The weights file as the user named it.
  public let file: String
  public let layout: KerasLayout
  /// Model layers whose weights were found with the right shapes (model names, in order).
  public var matched: [String] = []
  /// Model layers with weights that the file does not hold.
  public var missing: [String] = []
  /// Entries of the file with weights that no model layer takes (names as in the file).
  public var unexpected: [String] = []
  /// Weights present on both sides with different shapes (or counts).
  public var mismatched: [WeightMismatch] = []

  public init(file: String, layout: KerasLayout) {
    self.file = file
    self.layout = layout
  }

  /// True when every weight of the model and of the file found its counterpart.
  public var isComplete: Bool { missing.isEmpty && unexpected.isEmpty && mismatched.isEmpty }

  public var description: String {
    var lines = [
      "'\(file)' (\(layout.rawValue)): \(matched.count) layer(s) matched, "
        + "\(missing.count) missing, \(unexpected.count) unexpected, "
        + "\(mismatched.count) shape mismatch(es)"
    ]
    if !missing.isEmpty {
      lines.append("  missing from the file: " + missing.joined(separator: ", "))
    }
    if !unexpected.isEmpty {
      lines.append("  in the file but not in the model: " + unexpected.joined(separator: ", "))
    }
    for m in mismatched { lines.append("  shape mismatch: \(m)") }
    return lines.joined(separator: "\n")
  }
}
