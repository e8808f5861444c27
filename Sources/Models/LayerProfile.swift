import Foundation

/// Wall time per layer kind over the forward and backward passes of a process, switched on
/// by `FTUNE_PROFILE=1` (or `ftune bench --profile`; `FTUNE_PROFILE=layers` for one row per
/// forward layer), so a slow network shows where its time goes. Off, it costs one Bool test
/// per node.
public enum LayerProfile {
  private final class Store: @unchecked Sendable {
    let lock = NSLock()
    var enabled = ProcessInfo.processInfo.environment["FTUNE_PROFILE"].map {
      $0 != "0" && !$0.isEmpty
    } ?? false
    var totals: [String: (calls: Int, nanoseconds: UInt64)] = [:]
  }
  private static let store = Store()

  /// `FTUNE_PROFILE=layers`: one row per layer name instead of per kind.
  static let byName = ProcessInfo.processInfo.environment["FTUNE_PROFILE"] == "layers"

  /// Whether nodes are being timed.
  public static var enabled: Bool {
    get { store.lock.withLock { store.enabled } }
    set { store.lock.withLock { store.enabled = newValue } }
  }

  /// `FTUNE_PROFILE_CLOCK=cpu`: time nodes by the process's CPU time (all threads) instead of
  /// wall time, so a machine shared with other work still gives comparable per-layer costs
  /// (pair it with `--blas-threads 1`: OpenBLAS's idle threads spin and would count).
  static let cpuClock = ProcessInfo.processInfo.environment["FTUNE_PROFILE_CLOCK"] == "cpu"

  /// The profile's clock in nanoseconds.
  static func now() -> UInt64 {
    guard cpuClock else { return DispatchTime.now().uptimeNanoseconds }
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
  }

  /// Adds one call of `label` that took `nanoseconds`.
  static func add(_ label: String, _ nanoseconds: UInt64) {
    store.lock.withLock {
      let t = store.totals[label] ?? (0, 0)
      store.totals[label] = (t.calls + 1, t.nanoseconds + nanoseconds)
    }
  }

  /// Times `body` under `label` when profiling is on.
  static func measure<R>(_ label: @autoclosure () -> String, _ body: () throws -> R) rethrows
    -> R
  {
    guard enabled else { return try body() }
    let t0 = now()
    let r = try body()
    add(label(), now() - t0)
    return r
  }

  /// Forgets every measurement.
  public static func reset() { store.lock.withLock { store.totals = [:] } }

  /// `(label, calls, seconds)` rows, slowest first.
  public static var rows: [(label: String, calls: Int, seconds: Double)] {
    store.lock.withLock {
      store.totals.map { ($0.key, $0.value.calls, Double($0.value.nanoseconds) / 1e9) }
    }.sorted { $0.seconds > $1.seconds }
  }

  /// A text table of `rows` with each kind's share of the total.
  public static func report() -> String {
    let r = rows
    let total = max(r.reduce(0) { $0 + $1.seconds }, 1e-12)
    var lines = ["layer kind                               calls   seconds   share"]
    for row in r {
      let label = row.label.padding(toLength: 40, withPad: " ", startingAt: 0)
      lines.append(
        label + String(format: " %6d %9.3f %6.1f%%", row.calls, row.seconds,
          100 * row.seconds / total))
    }
    lines.append(String(format: "total %44.3f", total))
    return lines.joined(separator: "\n")
  }
}
