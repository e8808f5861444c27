import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Peak resident memory of this process: per grid row of `ftune compare`, and for `ftune bench`.
///
/// On Linux the kernel's high-water mark (`VmHWM`) is reset before each row by writing `5`
/// to `/proc/self/clear_refs`, so each row reports its own peak; where that is not possible
/// the process's peak so far is reported (never lower than the row's own).
public enum PeakMemory {
  /// Starts a new high-water mark, when the system allows it.
  public static func resetPeak() {
    #if os(Linux)
      if let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
        try? h.write(contentsOf: Data("5".utf8))
        try? h.close()
      }
    #endif
  }

  /// Peak resident set size in MB since the last reset (or since start).
  public static func peakMegabytes() -> Double {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
    {
      return kb / 1024
    }
    var usage = rusage()
    #if os(Linux)
      getrusage(RUSAGE_SELF.rawValue, &usage)
      return Double(usage.ru_maxrss) / 1024
    #else
      getrusage(RUSAGE_SELF, &usage)
      return Double(usage.ru_maxrss) / (1024 * 1024)
    #endif
  }
}
