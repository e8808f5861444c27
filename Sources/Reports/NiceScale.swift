import Foundation

/// Axis limits and tick values that are round numbers ("nice numbers", Heckbert, Graphics
/// Gems 1990): steps of 1, 2 or 5 times a power of ten, limits on a multiple of the step.
public struct NiceScale: Sendable, Equatable {
  /// Lower axis limit (the first tick).
  public let lower: Double
  /// Upper axis limit (the last tick).
  public let upper: Double
  /// Distance between ticks.
  public let step: Double
  /// Tick values from `lower` to `upper`, rounded so they print exactly.
  public let ticks: [Double]
  /// Digits after the decimal point that show every tick distinctly.
  public let fractionDigits: Int

  /// A scale covering `min...max` with about `maxTicks` ticks (at least 2).
  ///
  /// Non-finite bounds fall back to 0...1; an empty range is widened around its value.
  /// With `integerSteps` the step is never below 1 (epoch numbers, counts). With `tight` the
  /// limits stay at the data range and only the ticks inside it are kept (an epoch axis that
  /// runs 1...10, not 0...12).
  public init(
    min lo: Double, max hi: Double, maxTicks: Int = 6, integerSteps: Bool = false,
    tight: Bool = false
  ) {
    var lo = lo.isFinite ? lo : 0
    var hi = hi.isFinite ? hi : 1
    if lo > hi { swap(&lo, &hi) }
    if hi - lo <= Swift.max(abs(lo), abs(hi)) * 1e-12 {
      // A flat series: centre it on a band of ±10% (or ±1 at zero).
      let pad = lo == 0 ? 1 : abs(lo) * 0.1
      lo -= pad
      hi += pad
    }
    let n = Swift.max(2, maxTicks)
    let range = NiceScale.niceNumber(hi - lo, round: false)
    var step = NiceScale.niceNumber(range / Double(n - 1), round: true)
    if integerSteps { step = Swift.max(1, step.rounded()) }
    // The tolerance absorbs rounding noise: 0.30000000000000004 / 0.1 must count as 3, not
    // push the limit a whole step out (or, for `tight`, a tick on the limit inwards).
    let eps = 1e-9
    let first =
      tight ? (lo / step - eps).rounded(.up) * step : (lo / step + eps).rounded(.down) * step
    let last =
      tight ? (hi / step + eps).rounded(.down) * step : (hi / step - eps).rounded(.up) * step
    let digits = Swift.max(0, -Int((log10(step) + 1e-9).rounded(.down)))
    let count = Swift.max(0, Int(((last - first) / step).rounded()) + 1)
    let scale = pow(10, Double(digits))
    ticks = (0..<count).map { i in
      // Round to the printed precision and drop negative zero.
      ((first + Double(i) * step) * scale).rounded() / scale + 0
    }
    lower = tight ? lo : ticks.first ?? first
    upper = tight ? hi : ticks.last ?? last
    self.step = step
    fractionDigits = digits
  }

  /// A "nice" number close to `x`: 1, 2, 5 or 10 times a power of ten; with `round` the
  /// closest one, otherwise the smallest one not below `x`.
  public static func niceNumber(_ x: Double, round: Bool) -> Double {
    guard x > 0, x.isFinite else { return 1 }
    let exponent = log10(x).rounded(.down)
    let fraction = x / pow(10, exponent)
    let nice: Double
    if round {
      nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
    } else {
      nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
    }
    return nice * pow(10, exponent)
  }

  /// Tick labels with `fractionDigits` decimals (`0.25` → "0.25", `40` → "40").
  public var labels: [String] { ticks.map(label) }

  /// `value` printed as a tick label of this scale.
  public func label(_ value: Double) -> String {
    let magnitude = Swift.max(abs(lower), abs(upper))
    if magnitude >= 1e6 || (fractionDigits > 6) {
      return String(format: "%.3g", value)
    }
    return NiceScale.format(value, fractionDigits: fractionDigits)
  }

  /// `value` with a fixed number of decimals and no negative zero ("-0.00" prints "0.00").
  public static func format(_ value: Double, fractionDigits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : value < 0 ? "-inf" : "inf" }
    let text = String(format: "%.\(max(0, fractionDigits))f", value)
    let isZero = text.allSatisfy { "-0.".contains($0) }
    return isZero && text.hasPrefix("-") ? String(text.dropFirst()) : text
  }
}
