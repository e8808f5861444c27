import Foundation
import ImageIO
import TensorCore

extension ColorStatistics {
  /// Statistics of the images at `paths`, each decoded and (when `size` is set) resized to
  /// `size x size` first to bound the cost. When `cachePath` holds statistics of exactly these
  /// files (same paths, sizes and modification times) they are read from there; otherwise
  /// they are computed in parallel and written there atomically.
  public static func computed(
    paths: [String], size: Int? = 128, cachePath: String? = nil,
    options: DecodeOptions = DecodeOptions()
  ) throws -> ColorStatistics {
    let fingerprint = ColorStatistics.fingerprint(of: paths, size: size)
    if let cachePath, FileManager.default.fileExists(atPath: cachePath),
      let cached = try? ColorStatistics.read(from: cachePath), cached.fingerprint == fingerprint
    {
      return cached
    }
    var partial = [Accumulator](repeating: Accumulator(), count: paths.count)
    var failures = [ImageError?](repeating: nil, count: paths.count)
    partial.withUnsafeMutableBufferPointer { slots in
      failures.withUnsafeMutableBufferPointer { errors in
        Parallel.forEach(paths.count) { i in
          do {
            var image = try Image.decode(file: paths[i], options: options)
            if let size { image = try image.resized(width: size, height: size) }
            slots[i].add(image)
          } catch let error as ImageError {
            errors[i] = error
          } catch {
            errors[i] = .unreadable(path: paths[i], reason: "\(error)")
          }
        }
      }
    }
    if let failure = failures.compactMap({ $0 }).first { throw failure }
    var total = Accumulator()
    for accumulator in partial { total.merge(accumulator) }
    var statistics = total.finish()
    statistics.fingerprint = fingerprint
    if let cachePath { try statistics.write(to: cachePath) }
    return statistics
  }

  /// FNV-1a over each file's path, byte size and modification time, plus the resize size.
  static func fingerprint(of paths: [String], size: Int?) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    func mix(_ text: String) {
      for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01B3
      }
    }
    mix("size=\(size.map(String.init) ?? "none")\n")
    for path in paths {
      let attributes = try? FileManager.default.attributesOfItem(atPath: path)
      let bytes = (attributes?[.size] as? NSNumber)?.intValue ?? -1
      let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
      mix("\(path)|\(bytes)|\(modified)\n")
    }
    return String(hash, radix: 16)
  }
}
