import Foundation

/// `accuracy(n) = a − b·n^(−c)`: a learning curve that approaches `a` as the training set
/// grows, its error shrinking as a power of n (Hestness et al. 2017, "Deep learning scaling is
/// predictable, empirically"). `b ≥ 0`, `a ≤ 1`, `c` in `exponents`' range.
public struct PowerLaw: Sendable, Equatable, Codable {
  public var a: Double
  public var b: Double
  public var c: Double

  public init(a: Double, b: Double, c: Double) {
    self.a = a
    self.b = b
    self.c = c
  }

  public func callAsFunction(_ n: Double) -> Double { a - b * pow(n, -c) }

  /// The exponents tried: 0.02 … 3 on a log grid, then refined around the best one.
  static let exponents: [Double] = (0...120).map { 0.02 * pow(150, Double($0) / 120) }

  /// Least squares over `(n, accuracy)` points: for each exponent c the best (a, b) is linear
  /// (clamped to b ≥ 0 and a ≤ 1), and the c with the smallest squared error wins. nil with
  /// fewer than 3 points or non-positive n.
  public static func fit(n: [Double], accuracy y: [Double]) -> PowerLaw? {
    guard n.count == y.count, n.count >= 3, n.allSatisfy({ $0 > 0 }), y.allSatisfy(\.isFinite)
    else { return nil }
    var best: (sse: Double, law: PowerLaw)?
    func consider(_ c: Double) {
      let law = linear(n: n, y: y, c: c)
      let sse = zip(n, y).reduce(0) { $0 + pow(law($1.0) - $1.1, 2) }
      if best == nil || sse < best!.sse - 1e-15 { best = (sse, law) }
    }
    exponents.forEach(consider)
    // Golden-section refinement between the neighbours of the best grid exponent.
    if let c0 = best?.law.c, let k = exponents.firstIndex(of: c0) {
      var lo = exponents[max(0, k - 1)], hi = exponents[min(exponents.count - 1, k + 1)]
      let g = (sqrt(5.0) - 1) / 2
      for _ in 0..<40 {
        let x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo)
        let s1 = zip(n, y).reduce(0) { $0 + pow(linear(n: n, y: y, c: x1)($1.0) - $1.1, 2) }
        let s2 = zip(n, y).reduce(0) { $0 + pow(linear(n: n, y: y, c: x2)($1.0) - $1.1, 2) }
        if s1 < s2 { hi = x2 } else { lo = x1 }
      }
      consider((lo + hi) / 2)
    }
    return best?.law
  }

  /// The best a and b for a fixed c: a straight line in x = n^(−c).
  static func linear(n: [Double], y: [Double], c: Double) -> PowerLaw {
    let x = n.map { pow($0, -c) }
    let m = Double(x.count)
    let mx = x.reduce(0, +) / m, my = y.reduce(0, +) / m
    let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
    var b = sxx > 0 ? -sxy / sxx : 0
    var a = my + b * mx
    if b < 0 {  // accuracy falling with more data: no power-law gain, a flat line
      b = 0
      a = my
    }
    if a > 1 {  // accuracy cannot pass 1: fit b with a = 1
      a = 1
      let sx2 = x.reduce(0) { $0 + $1 * $1 }
      b = sx2 > 0 ? max(0, zip(x, y).reduce(0) { $0 + $1.0 * (1 - $1.1) } / sx2) : 0
    }
    return PowerLaw(a: a, b: b, c: c)
  }
}
