import Foundation

/// What a finished child process printed, and how it ended.
public struct ProcessResult: Sendable {
  public let status: Int32
  public let out: String
  public let err: String
}

/// Test helpers that run programs (the built `ftune`, `mpirun`) as a user would.
public enum ProcessRun {
  public struct BinaryNotFound: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "\(name) is not built next to the test bundle" }
  }

  /// The product `name` (e.g. `ftune`) next to the test bundle: `swift test` builds it first.
  public static func builtProduct(_ name: String) throws -> URL {
    let candidates = [
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
      Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
    ].map { $0.appendingPathComponent(name) }
    let isBuilt = { (url: URL) in FileManager.default.isExecutableFile(atPath: url.path) }
    guard let found = candidates.first(where: isBuilt) else { throw BinaryNotFound(name: name) }
    return found
  }

  /// Runs `executable` to its end; both streams are drained before waiting, so a chatty
  /// child cannot block on a full pipe.
  public static func run(
    _ executable: URL, _ args: [String], environment: [String: String]? = nil,
    cwd: URL? = nil
  ) throws -> ProcessResult {
    let p = Process()
    p.executableURL = executable
    p.arguments = args
    if let environment { p.environment = environment }
    if let cwd { p.currentDirectoryURL = cwd }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Read stderr on another thread: a child filling it while we wait on stdout would hang.
    let errData = LockedData()
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let e = errData.wait()
    return ProcessResult(
      status: p.terminationStatus, out: String(decoding: o, as: UTF8.self),
      err: String(decoding: e, as: UTF8.self))
  }
}

/// One Data handed from the stderr reader thread to the caller.
private final class LockedData: @unchecked Sendable {
  private let done = NSCondition()
  private var data: Data?

  func set(_ value: Data) {
    done.lock()
    data = value
    done.signal()
    done.unlock()
  }

  func wait() -> Data {
    done.lock()
    defer { done.unlock() }
    while data == nil { done.wait() }
    return data ?? Data()
  }
}
