/// A small, fast, seedable generator (xoshiro256**), so every random choice in ftune
/// (initializers, dropout, augmentation, splits) is reproducible from a seed.
public struct SeededRNG: RandomNumberGenerator, Sendable {
  private var s: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    // SplitMix64 expands the seed into the four state words.
    var x = seed
    func next() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s = (next(), next(), next(), next())
  }

  public mutating func next() -> UInt64 {
    let result = rotl(s.1 &* 5, 7) &* 9
    let t = s.1 << 17
    s.2 ^= s.0
    s.3 ^= s.1
    s.1 ^= s.2
    s.0 ^= s.3
    s.2 ^= t
    s.3 = rotl(s.3, 45)
    return result
  }

  private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// Uniform in [0, 1).
  public mutating func uniform() -> Float {
    Float(next() >> 40) * (1.0 / Float(1 << 24))
  }

  /// Uniform in [lo, hi).
  public mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
    lo + (hi - lo) * uniform()
  }

  /// Standard normal (Box–Muller).
  public mutating func normal() -> Float {
    let u1 = max(Double(next() >> 11) * (1.0 / Double(1 << 53)), 1e-300)
    let u2 = Double(next() >> 11) * (1.0 / Double(1 << 53))
    return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
  }

  /// A derived generator for stream `index` (per image, per thread), independent of order.
  public func derived(_ index: UInt64) -> SeededRNG {
    var copy = self
    return SeededRNG(seed: copy.next() ^ (index &* 0xD1B5_4A32_D192_ED03))
  }
}

@inline(__always) private func _log(_ x: Double) -> Double {
  #if canImport(Glibc)
  return Glibc.log(x)
  #else
  return Foundation.log(x)
  #endif
}
@inline(__always) private func _cos(_ x: Double) -> Double {
  #if canImport(Glibc)
  return Glibc.cos(x)
  #else
  return Foundation.cos(x)
  #endif
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
