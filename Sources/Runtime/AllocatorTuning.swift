import CAllocator

#if canImport(Glibc)
  import Glibc
#endif

/// Makes glibc's malloc keep and reuse freed activation buffers.
///
/// By default glibc serves every block above 128 KB-32 MB with a fresh `mmap` and returns it
/// with `munmap` on free, so each layer's output (tens of MB) page-faults in anew on every
/// forward pass: a third or more of MobileNetV2's inference time on a 2-core machine.
/// Served from the heap (no `mmap`, no trimming, 64 MB growth steps), a freed buffer is
/// reused by the next layer of its size; peak RSS does not grow, but the process keeps its
/// peak until it exits. glibc honours these best when set before it starts
/// (`MALLOC_MMAP_MAX_`, `MALLOC_TRIM_THRESHOLD_`, `MALLOC_TOP_PAD_`), so the `ftune` command
/// sets them on its start-up re-exec (`BLASCoreType.reexecIfNeeded`); library users get
/// `mallopt` at the first forward pass. `FTUNE_MALLOC=default` keeps glibc's defaults.
public enum AllocatorTuning {
  /// The settings, as glibc's environment variables.
  static let settings: [(String, String)] = [
    ("MALLOC_MMAP_MAX_", "0"), ("MALLOC_TRIM_THRESHOLD_", "4294967295"),
    ("MALLOC_TOP_PAD_", "67108864"),
  ]

  static var optedOut: Bool {
    getenv("FTUNE_MALLOC").map { String(cString: $0) == "default" } ?? false
  }

  /// The settings not yet in the environment (none when opted out or off glibc).
  static func missingEnvironment() -> [(String, String)] {
    #if canImport(Glibc)
      if optedOut { return [] }
      return settings.filter { getenv($0.0) == nil }
    #else
      return []
    #endif
  }

  private static let applied: Bool = {
    if optedOut { return false }
    return ck_malloc_reuse_freed() == 1
  }()

  /// Applies the settings with `mallopt` once per process (later calls do nothing); true
  /// when applied.
  @discardableResult
  public static func reuseFreedBuffers() -> Bool { applied }
}
