import CImageCodecs
import Foundation
import Runtime
import TensorCore

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
