import Foundation

/// Writes files the way every ftune output is written: to a temporary file beside the target,
/// then `rename(2)` over it, so a reader (or a crash) never sees a half-written file.
/// (Internal: ImageIO's public `AtomicFile` serves the other modules.)
enum CheckpointFile {
  static func write(_ data: Data, to url: URL) throws {
    let dir = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let tmp = dir.appendingPathComponent(
      ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    do {
      try data.write(to: tmp)
      guard rename(tmp.path, url.path) == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
      }
    } catch {
      try? FileManager.default.removeItem(at: tmp)
      throw error
    }
  }

  static func write(_ text: String, to url: URL) throws {
    try write(Data(text.utf8), to: url)
  }
}
