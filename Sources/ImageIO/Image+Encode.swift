import CImageCodecs
import Foundation

extension Image {
  /// PNG bytes of this image (Float samples rounded and clamped to 0...255).
  public func pngData() throws -> [UInt8] {
    let samples = bytes
    var out: UnsafeMutablePointer<UInt8>?
    var size = 0
    var message = [CChar](repeating: 0, count: Int(FTUNE_CODEC_MESSAGE_CAPACITY))
    let status = samples.withUnsafeBufferPointer { buffer in
      message.withUnsafeMutableBufferPointer { text in
        ftune_encode_png(
          buffer.baseAddress, Int32(width), Int32(height), Int32(channels), &out, &size,
          text.baseAddress)
      }
    }
    defer { ftune_codecs_free(out) }
    guard status == FTUNE_CODEC_OK, let pointer = out else {
      let reason = message.withUnsafeBufferPointer { text in
        text.baseAddress.map { String(cString: $0) } ?? ""
      }
      throw ImageError.writeFailed(path: "<png>", reason: reason)
    }
    return [UInt8](UnsafeBufferPointer(start: pointer, count: size))
  }

  /// Writes this image as a PNG, atomically (a temporary file renamed over `path`).
  public func writePNG(to path: String) throws {
    let data = try pngData()
    try AtomicFile.write(Data(data), to: path)
  }
}

/// Atomic file writes: readers see the old file or the whole new one, never half of one.
public enum AtomicFile {
  /// Writes `data` to a temporary file beside `path`, then renames it over `path`.
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(
      ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    do {
      try data.write(to: temporary)
      if rename(temporary.path, url.path) != 0 {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw ImageError.writeFailed(path: path, reason: reason)
      }
    } catch let error as ImageError {
      throw error
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw ImageError.writeFailed(path: path, reason: error.localizedDescription)
    }
  }
}
