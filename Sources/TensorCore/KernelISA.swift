import CKernels

/// The instruction set of the hand-written SIMD kernels (`CKernels`), chosen at run time.
public enum KernelISA: Int, Sendable, CaseIterable, CustomStringConvertible {
  case scalar = 0, avx2 = 1, avx512 = 2

  /// The best the CPU offers.
  public static var detected: KernelISA {
    KernelISA(rawValue: Int(ck_detect_isa().rawValue)) ?? .scalar
  }
  /// What the kernels use now (the detected one unless forced).
  public static var active: KernelISA {
    KernelISA(rawValue: Int(ck_active_isa().rawValue)) ?? .scalar
  }

  /// Runs `body` with the kernels forced to `isa` (or the best below it the CPU has), then
  /// restores what was forced before. For tests of every path: the choice holds for this
  /// thread and the `Parallel.forEach` workers it starts, not for other threads.
  public static func withForced<R>(_ isa: KernelISA, _ body: () throws -> R) rethrows -> R {
    let previous = ck_forced_isa()
    ck_force_isa(Int32(isa.rawValue))
    defer { ck_force_isa(previous) }
    return try body()
  }

  public var description: String {
    switch self {
    case .scalar: return "scalar"
    case .avx2: return "AVX2"
    case .avx512: return "AVX-512"
    }
  }
}
