import HDF5

/// One layer's weights as a file stores them, before matching to a model.
struct WeightEntry {
  /// The name shown in reports: the Keras layer name, else the path inside the file.
  let label: String
  /// The Keras layer name when the file records one (Keras 2 always, Keras 3 since 3.10).
  let layerName: String?
  /// Keras 3 only: the snake_case class the path was named after (`conv2d` for
  /// `layers/conv2d_3`), nil when the path is an attribute name such as `block1`.
  let classKey: String?
  /// The weight datasets in the layer's order.
  let weights: [HDF5Dataset]
}

/// Orders names as people do: `conv2d` < `conv2d_1` < `conv2d_9` < `conv2d_10`.
func naturalLess(_ a: String, _ b: String) -> Bool {
  func runs(_ s: String) -> [(text: String, number: Int?)] {
    var out: [(String, Int?)] = []
    var current = ""
    var digits = false
    for ch in s {
      let isDigit = ch.isASCII && ch.isNumber
      if !current.isEmpty && isDigit != digits {
        out.append((current, digits ? Int(current) : nil))
        current = ""
      }
      digits = isDigit
      current.append(ch)
    }
    if !current.isEmpty { out.append((current, digits ? Int(current) : nil)) }
    return out
  }
  let ra = runs(a)
  let rb = runs(b)
  for (x, y) in zip(ra, rb) {
    if let nx = x.number, let ny = y.number {
      if nx != ny { return nx < ny }
    } else if x.text != y.text {
      return x.text < y.text
    }
  }
  return ra.count < rb.count
}

/// Keras's `to_snake_case`, which names Keras 3 weight groups after layer classes
/// (`Conv2D` -> `conv2d`, `BatchNormalization` -> `batch_normalization`).
func kerasSnakeCase(_ className: String) -> String {
  let chars = Array(className.filter { $0.isLetter || $0.isNumber || $0 == "_" })
  var out = ""
  for (i, ch) in chars.enumerated() {
    if i > 0 && ch.isUppercase {
      let prev = chars[i - 1]
      let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
      // (.)([A-Z][a-z]+) and ([a-z])([A-Z]) in Keras's two regular expressions.
      if nextIsLower || prev.isLowercase { out.append("_") }
    }
    out.append(ch)
  }
  return out.lowercased()
}
