#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Chooses OpenBLAS's kernel family (`OPENBLAS_CORETYPE`) from the CPU's features.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads, so a choice made in
/// Swift only takes effect by re-executing the process with the variable set. Debian's
/// OpenBLAS 0.3.21 does not know Zen 4/5 and falls back to its Haswell (AVX2) kernels even
/// where AVX-512 `SkylakeX` kernels run about twice as fast.
///
/// Policy (see docs/performance.md):
/// - `FTUNE_BLAS_CORETYPE=NAME` (or `ftune bench --blas-coretype NAME`) forces `NAME`;
///   `auto` means "pick by CPU features", `keep` means "leave OpenBLAS alone".
/// - otherwise, a user-set `OPENBLAS_CORETYPE` is respected, except that a weaker x86
///   type (`Haswell`, `Zen`, `Sandybridge`, …) on a CPU with AVX-512 F/BW/DQ/VL is upgraded
///   to `SkylakeX` (environments pin `Haswell` for CPUs OpenBLAS 0.3.21 does not know,
///   which halves GEMM speed on Zen 4/5); `FTUNE_BLAS_CORETYPE=keep` keeps it;
/// - otherwise ftune picks by features: AVX-512 F/BW/DQ/VL → `SkylakeX`, AVX2+FMA →
///   `Haswell`, anything else → OpenBLAS's own detection.
public enum BLASCoreType {
  /// Environment variable guarding against re-exec loops.
  static let guardVariable = "FTUNE_BLAS_REEXEC"
  /// Set on re-exec to the user's core type that was upgraded, so `bench` can say so.
  static let upgradedVariable = "FTUNE_BLAS_UPGRADED_FROM"

  /// OpenBLAS's idle workers spin (`sched_yield`) for 2^28 cycles after each call before they
  /// sleep, on the cores where ftune's own kernels (`Parallel.forEach`) run between BLAS calls:
  /// `perf` found a quarter of the CPU time there. 2^4 cycles (OpenBLAS's minimum) puts them
  /// to sleep at once: ResNet50 forward 28 → 37 images/s on 2 cores. OpenBLAS reads it when
  /// it loads, so it rides the start-up re-exec; a value in the environment is kept.
  static let threadTimeout = ("OPENBLAS_THREAD_TIMEOUT", "4")

  /// x86 core types without AVX-512 kernels in OpenBLAS (lower-cased).
  static let weakerX86: Set<String> = [
    "haswell", "zen", "sandybridge", "nehalem", "core2", "penryn", "dunnington", "atom",
    "barcelona", "bulldozer", "piledriver", "steamroller", "excavator", "opteron",
    "opteron_sse3", "prescott", "katmai", "coppermine", "northwood", "banias", "athlon",
    "bobcat", "nano",
  ]

  /// The OpenBLAS core type these CPU flags (`/proc/cpuinfo` names) can run best, or nil.
  public static func preferred(cpuFlags: Set<String>) -> String? {
    let avx512: Set<String> = ["avx512f", "avx512bw", "avx512dq", "avx512vl"]
    if avx512.isSubset(of: cpuFlags) { return "SkylakeX" }
    if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
    return nil
  }

  /// The current CPU's feature flags (Linux `/proc/cpuinfo`; empty elsewhere).
  public static func cpuFlags() -> Set<String> {
    guard let f = fopen("/proc/cpuinfo", "r") else { return [] }
    defer { fclose(f) }
    var line: UnsafeMutablePointer<CChar>? = nil
    var cap = 0
    defer { free(line) }
    while getline(&line, &cap, f) > 0 {
      guard let line else { break }
      let text = String(cString: line)
      if text.hasPrefix("flags") {
        let fields = text.split(separator: ":", maxSplits: 1)
        guard fields.count == 2 else { return [] }
        return Set(fields[1].split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
      }
    }
    return []
  }

  /// The core type to run with, or nil to leave the environment untouched, from the
  /// override (`--blas-coretype` / `FTUNE_BLAS_CORETYPE`), the user's `OPENBLAS_CORETYPE`
  /// and the CPU flags. Pure, for tests.
  public static func decide(
    override: String?, userCoreType: String?, cpuFlags: Set<String>
  ) -> String? {
    switch override?.lowercased() {
    case "keep": return nil
    case nil, "", "auto":
      if override == nil, let user = userCoreType, !user.isEmpty {
        // A pinned weaker type on an AVX-512 CPU only costs speed: upgrade it.
        let best = preferred(cpuFlags: cpuFlags)
        return best == "SkylakeX" && weakerX86.contains(user.lowercased()) ? best : nil
      }
      return preferred(cpuFlags: cpuFlags)
    default: return override
    }
  }

  /// Re-executes the running program with `OPENBLAS_CORETYPE` set when `decide` asks for a
  /// core type other than the one in the environment (and, at start-up, with the malloc
  /// settings of `AllocatorTuning` and `threadTimeout` when they are missing). Returns normally when nothing needs
  /// to change, when already re-executed for this core type, or when `execv` fails (the run continues
  /// with OpenBLAS's own choice).
  public static func reexecIfNeeded(override: String? = nil) {
    let env = { (name: String) -> String? in getenv(name).map { String(cString: $0) } }
    // After any re-exec only an explicit option may ask again (else the start-up choice
    // and `--blas-coretype` would undo each other forever).
    if override == nil, env(guardVariable) != nil { return }
    let choice = override ?? env("FTUNE_BLAS_CORETYPE")
    // The user's own core type, even when an earlier exec replaced it.
    let original = env(upgradedVariable)
    let current = env("OPENBLAS_CORETYPE")
    var wanted = decide(
      override: choice, userCoreType: original ?? current, cpuFlags: cpuFlags())
    if choice?.lowercased() == "keep" { wanted = original }
    // glibc reads its malloc settings and OpenBLAS its thread timeout at start-up only, so
    // they ride on the same re-exec.
    let timeout = getenv(threadTimeout.0) == nil ? [threadTimeout] : []
    let startup = override == nil ? AllocatorTuning.missingEnvironment() + timeout : []
    // `bench --blas-coretype` may ask again after the start-up choice, once per value.
    let blas = wanted.flatMap { $0 != current && env(guardVariable) != $0 ? $0 : nil }
    guard blas != nil || !startup.isEmpty else { return }
    for (name, value) in startup { setenv(name, value, 1) }
    if let wanted = blas {
      if original == nil, let current, !current.isEmpty { setenv(upgradedVariable, current, 1) }
      if wanted == original { unsetenv(upgradedVariable) }
      setenv("OPENBLAS_CORETYPE", wanted, 1)
    }
    setenv(guardVariable, blas ?? current ?? "unchanged", 1)
    let args = CommandLine.arguments
    var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
    argv.append(nil)
    _ = execv("/proc/self/exe", &argv)
    // execv only returns on failure: carry on with the library as loaded.
    for p in argv { free(p) }
  }

  /// One line saying that the environment's core type was replaced, or nil when it was not
  /// (for `bench` to print once on stderr).
  public static var upgradeNotice: String? {
    guard let from = getenv(upgradedVariable).map({ String(cString: $0) }),
      let to = getenv("OPENBLAS_CORETYPE").map({ String(cString: $0) })
    else { return nil }
    return "ftune: OpenBLAS runs with core type \(to) instead of the environment's"
      + " OPENBLAS_CORETYPE=\(from) (FTUNE_BLAS_CORETYPE=keep keeps \(from))"
  }
}
