import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files so readers never see a half-written one: the bytes go to a temporary file
/// in the same directory, which is then renamed over the target (rename(2) is atomic within
/// a file system).
public enum AtomicFile {
  /// Writes `data` to `url`, replacing any existing file.
  public static func write(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let temp = directory.appendingPathComponent(
      ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    do {
      try data.write(to: temp)
    } catch {
      throw ReportError.writeFailed(path: url.path, reason: error.localizedDescription)
    }
    guard rename(temp.path, url.path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temp)
      throw ReportError.writeFailed(path: url.path, reason: reason)
    }
  }

  /// Writes `text` as UTF-8.
  public static func write(_ text: String, to url: URL) throws {
    try write(Data(text.utf8), to: url)
  }
}
