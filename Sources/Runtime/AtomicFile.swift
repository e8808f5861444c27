import Foundation

/// Atomic file writes, the one way ftune writes its outputs: the bytes go to a temporary
/// file beside the target (`.NAME.tmp-PID-RANDOM`), which is then renamed over it. A reader,
/// or a run killed with SIGKILL, sees the old file or the whole new one, never half of one;
/// at worst a hidden temporary file is left behind, which nothing reads.
public enum AtomicFile {
  /// Writes `data` to `path` atomically. The folder must exist (see `createFolder`).
  public static func write(_ data: Data, to path: String) throws {
    try write(to: path) { temporary in
      do {
        try data.write(to: URL(fileURLWithPath: temporary))
      } catch {
        throw AtomicFileError.writeFailed(path: path, reason: reason(of: error))
      }
    }
  }

  /// Writes `data` to `url` atomically. The folder must exist (see `createFolder`).
  public static func write(_ data: Data, to url: URL) throws {
    try write(data, to: url.path)
  }

  /// Creates the folder that will hold `path` (and its parents) when missing.
  public static func createFolder(for path: String) throws {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw AtomicFileError.writeFailed(
        path: path, reason: "its folder cannot be created (\(reason(of: error)))")
    }
  }

  /// Lets `body` create the file at a temporary path (e.g. a library that writes files by
  /// name, like HDF5), then renames it over `path`; returns what `body` returns. The
  /// temporary file is removed when `body` throws.
  @discardableResult
  public static func write<R>(to path: String, _ body: (String) throws -> R) throws -> R {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(
      ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    let result: R
    do {
      try FaultInjection.point(path)
      result = try body(temporary)
      try FaultInjection.point(path)
    } catch {
      unlink(temporary)
      throw error
    }
    guard rename(temporary, path) == 0 else {
      let why = String(cString: strerror(errno))
      unlink(temporary)
      throw AtomicFileError.writeFailed(path: path, reason: why)
    }
    try FaultInjection.point(path)
    return result
  }

  private static func reason(of error: any Error) -> String {
    if let cocoa = error as? CocoaError,
      let posix = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError
    {
      return String(cString: strerror(Int32(posix.code)))
    }
    return error.localizedDescription
  }
}

/// A file ftune could not write.
public enum AtomicFileError: Error, Equatable, CustomStringConvertible {
  case writeFailed(path: String, reason: String)

  public var description: String {
    switch self {
    case .writeFailed(let path, let reason):
      return "cannot write \(path): \(reason); check the folder exists, is writable and has"
        + " free space"
    }
  }
}
