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
/// Policy (see README, "Performance"):
/// - `FTUNE_BLAS_CORETYPE=NAME` (or `ftune bench --blas-coretype NAME`) forces `NAME`;
///   `auto` means "pick by CPU features", `keep` means "leave OpenBLAS alone".
/// - otherwise, a user-set `OPENBLAS_CORETYPE` is respected as is;
/// - otherwise ftune picks by features: AVX-512 F/BW/DQ/VL → `SkylakeX`, AVX2+FMA →
///   `Haswell`, anything else → OpenBLAS's own detection.
public enum BLASCoreType {
  /// Environment variable guarding against re-exec loops.
  static let guardVariable = "FTUNE_BLAS_REEXEC"

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
      if override == nil, let user = userCoreType, !user.isEmpty { return nil }
      return preferred(cpuFlags: cpuFlags)
    default: return override
    }
  }

  /// Re-executes the running program with `OPENBLAS_CORETYPE` set when `decide` asks for a
  /// core type other than the one in the environment. Returns normally when nothing needs
  /// to change, when already re-executed once, or when `execv` fails (the run continues
  /// with OpenBLAS's own choice).
  public static func reexecIfNeeded(override: String? = nil) {
    let env = { (name: String) -> String? in getenv(name).map { String(cString: $0) } }
    guard env(guardVariable) == nil else { return }
    let current = env("OPENBLAS_CORETYPE")
    let wanted = decide(
      override: override ?? env("FTUNE_BLAS_CORETYPE"), userCoreType: current,
      cpuFlags: cpuFlags())
    guard let wanted, wanted != current else { return }
    setenv("OPENBLAS_CORETYPE", wanted, 1)
    setenv(guardVariable, "1", 1)
    let args = CommandLine.arguments
    var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
    argv.append(nil)
    _ = execv("/proc/self/exe", &argv)
    // execv only returns on failure: carry on with the library as loaded.
    for p in argv { free(p) }
  }
}
