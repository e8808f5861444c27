import Foundation

/// Failure injection at the moments ftune writes files, for the fault-injection tests
/// (CLITests/FaultInjectionTests): `FTUNE_FAULT=ACTION@N` acts at the N-th write point of
/// the process, counting from 1. A write point is each of: before an atomic write starts,
/// after its temporary file is complete, after the rename. Actions:
///   kill    SIGKILL the process (a power cut: no handler runs)
///   int     raise SIGINT, term: raise SIGTERM (handled as when a user sends them)
///   enospc  that write fails as a full disk would ("No space left on device")
/// `FTUNE_FAULT=count` prints `fault point N: PATH` to stderr at each point, so a test can
/// pick moments across a whole run. Unset (always, outside tests) it costs one load.
public enum FaultInjection {
  enum Action: String { case kill, int, term, enospc, count }

  private static let plan: (action: Action, at: Int)? = {
    guard let spec = ProcessInfo.processInfo.environment["FTUNE_FAULT"] else { return nil }
    if spec == "count" { return (.count, 0) }
    let parts = spec.split(separator: "@")
    guard parts.count == 2, let action = Action(rawValue: String(parts[0])),
      let at = Int(parts[1]), at >= 1
    else { return nil }
    return (action, at)
  }()

  private static let counter = PointCounter()

  /// Called at each write point of `path`; throws the injected ENOSPC failure.
  static func point(_ path: String) throws {
    guard let plan else { return }
    let n = counter.next()
    if plan.action == .count {
      FileHandle.standardError.write(Data("fault point \(n): \(path)\n".utf8))
      return
    }
    guard n == plan.at else { return }
    switch plan.action {
    case .kill: kill(getpid(), SIGKILL)
    case .int: raise(SIGINT)
    case .term: raise(SIGTERM)
    case .enospc:
      throw AtomicFileError.writeFailed(path: path, reason: String(cString: strerror(ENOSPC)))
    case .count: break
    }
  }
}

/// A thread-safe counter (writes happen on loader and main threads alike).
private final class PointCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  func next() -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += 1
    return value
  }
}
