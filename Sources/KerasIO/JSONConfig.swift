import Foundation
import Layers
import TensorCore

/// Typed reads from one layer's Keras config dictionary; every failure names the file, the
/// layer and the option.
struct JSONConfig {
  let file: String
  let layer: String
  let values: [String: Any]
  /// Whether Keras 2 (tf_keras) wrote the config: a few names mean different things in
  /// Keras 3 (`hard_sigmoid`).
  var keras2 = true
  /// The layer's class as the registry looked it up (`keras.src.ops.numpy.Add`).
  var className = ""
  /// The keyword (and Keras 3 positional) arguments of the layer's call in a Functional
  /// model: where a TFOpLambda keeps its constant operand (see `LayerCall`).
  var call: [String: Any] = [:]

  func has(_ key: String) -> Bool { values[key].map { !($0 is NSNull) } ?? false }

  func bad(_ key: String, _ expected: String) -> KerasIOError {
    .badConfig(
      file: file,
      reason: "layer '\(layer)': option '\(key)' should be \(expected),"
        + " found \(String(describing: values[key] ?? "nothing"))")
  }

  /// The largest size option (units, filters, kernel, stride, padding…) accepted: far above
  /// any real network, low enough that sums and products of a few sizes cannot overflow.
  static let maxSize = 1 << 24

  /// An integer option within `atLeast...maxSize` (a zero stride or a negative filter count
  /// from a damaged or hostile file would otherwise crash the layer that uses it).
  func int(_ key: String, default value: Int? = nil, atLeast minimum: Int = 1) throws -> Int {
    guard has(key) else {
      if let value { return value }
      throw bad(key, "an integer")
    }
    let number: Int
    if let n = values[key] as? Int {
      number = n
    } else if let d = values[key] as? Double, let n = Int(exactly: d) {
      number = n
    } else {
      throw bad(key, "an integer")
    }
    guard (minimum...Self.maxSize).contains(number) else {
      throw bad(key, "an integer from \(minimum) to \(Self.maxSize)")
    }
    return number
  }

  func float(_ key: String, default value: Float) throws -> Float {
    guard has(key) else { return value }
    if let d = values[key] as? Double { return Float(d) }
    if let n = values[key] as? Int { return Float(n) }
    throw bad(key, "a number")
  }

  func optionalFloat(_ key: String) throws -> Float? {
    has(key) ? try float(key, default: 0) : nil
  }

  func bool(_ key: String, default value: Bool) throws -> Bool {
    guard has(key) else { return value }
    guard let b = values[key] as? Bool else { throw bad(key, "true or false") }
    return b
  }

  func string(_ key: String, default value: String? = nil) throws -> String {
    guard has(key) else {
      if let value { return value }
      throw bad(key, "a string")
    }
    guard let s = values[key] as? String else { throw bad(key, "a string") }
    return s
  }

  func ints(_ any: Any?) -> [Int]? {
    if let n = any as? Int { return [n] }
    guard let list = any as? [Any] else { return nil }
    let out = list.compactMap { $0 as? Int }
    return out.count == list.count ? out : nil
  }

  /// `ints` of an option, each within `atLeast...maxSize`; nil when it is not a list of ints.
  func sizes(_ key: String, atLeast minimum: Int) throws -> [Int]? {
    guard let list = ints(values[key]) else { return nil }
    guard list.allSatisfy({ (minimum...Self.maxSize).contains($0) }) else {
      throw bad(key, "integers from \(minimum) to \(Self.maxSize)")
    }
    return list
  }

  /// `3` or `[3, 3]` as a pair (kernel sizes, strides, pool sizes), each at least 1.
  func pair(_ key: String, default value: (Int, Int)? = nil) throws -> (Int, Int) {
    guard has(key) else {
      if let value { return value }
      throw bad(key, "an integer or a pair")
    }
    guard let list = try sizes(key, atLeast: 1), list.count == 1 || list.count == 2 else {
      throw bad(key, "an integer or a pair")
    }
    return list.count == 1 ? (list[0], list[0]) : (list[0], list[1])
  }

  func padding() throws -> Padding {
    let s = try string("padding", default: "valid").lowercased()
    guard let p = Padding(rawValue: s) else { throw bad("padding", "'valid' or 'same'") }
    return p
  }

  func activation() throws -> ActivationKind {
    guard has("activation") else { return .linear }
    guard let s = values["activation"] as? String else {
      throw KerasIOError.unsupportedOption(
        file: file, layer: layer, option: "activation", value: "a custom activation")
    }
    guard let kind = ActivationKind(rawValue: s) else {
      throw KerasIOError.unsupportedOption(file: file, layer: layer, option: "activation", value: s)
    }
    return kind
  }

  /// Rejects an option unless it has its default (`dilation_rate` 1, `groups` 1, …).
  func require(_ key: String, isOneOf allowed: [String]) throws {
    guard has(key) else { return }
    let text = describe(values[key])
    guard allowed.contains(text) else {
      throw KerasIOError.unsupportedOption(file: file, layer: layer, option: key, value: text)
    }
  }

  func describe(_ any: Any?) -> String {
    if let list = any as? [Any] {
      return "[" + list.map { describe($0) }.joined(separator: ", ") + "]"
    }
    // Int(exactly:): a whole number beyond Int's range (1e300 in a damaged file) would trap.
    if let d = any as? Double, let n = Int(exactly: d) { return String(n) }
    return any.map { "\($0)" } ?? "null"
  }
}


extension JSONConfig {
  /// `padding`/`cropping` of ZeroPadding2D and Cropping2D: `1`, `(1, 2)` (symmetric per
  /// axis) or `((top, bottom), (left, right))`.
  func edges(_ key: String) throws -> ((Int, Int), (Int, Int)) {
    let raw = values[key]
    let expected = "an integer, a pair or a pair of pairs, from 0 to \(JSONConfig.maxSize)"
    let inRange = { (list: [Int]) in list.allSatisfy { (0...JSONConfig.maxSize).contains($0) } }
    if let flat = ints(raw), inRange(flat) {
      if flat.count == 1 { return ((flat[0], flat[0]), (flat[0], flat[0])) }
      if flat.count == 2 { return ((flat[0], flat[0]), (flat[1], flat[1])) }
    }
    if let nested = raw as? [Any], nested.count == 2,
      let h = ints(nested[0]), let w = ints(nested[1]), h.count == 2, w.count == 2,
      inRange(h + w)
    {
      return ((h[0], h[1]), (w[0], w[1]))
    }
    throw bad(key, expected)
  }
}

extension JSONConfig {
  /// A number or a list of numbers.
  func floats(_ key: String, default value: [Float]) throws -> [Float] {
    guard has(key) else { return value }
    if let d = values[key] as? Double { return [Float(d)] }
    if let n = values[key] as? Int { return [Float(n)] }
    if let list = values[key] as? [Any] {
      let numbers = list.compactMap { ($0 as? Double).map(Float.init) ?? ($0 as? Int).map(Float.init) }
      if numbers.count == list.count, !numbers.isEmpty { return numbers }
    }
    throw bad(key, "a number or a list of numbers")
  }
}
