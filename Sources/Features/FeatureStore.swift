import Foundation
import ImageIO
import Runtime
import TensorCore

/// The shared on-disk store of cut-layer features: one small file per (network cut, image
/// content, augmentation variant), under `root/<cut key>/<2 hex>/<image sha256>-v<k>.f32`.
///
/// Each entry is written to a temporary file and renamed into place, so a store is valid
/// after any interruption, even `kill -9`: at most the entries of the batch in flight are
/// missing, and they are recomputed next time. A changed image has new bytes, hence a new
/// key: only its entry is recomputed. A changed base has a new cut key: nothing stale is
/// read. Many runs, heads and `compare` share one store.
public struct FeatureStore: Sendable {
  public let root: URL

  public init(root: URL) {
    self.root = root
  }

  /// `--cache-dir`, else `FTUNE_CACHE_DIR`, else `~/.cache/ftune`; features live in
  /// `features/` below it.
  public static func defaultRoot(
    cacheDir: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> URL {
    if let dir = cacheDir ?? environment["FTUNE_CACHE_DIR"], !dir.isEmpty {
      return URL(fileURLWithPath: (dir as NSString).expandingTildeInPath)
        .appendingPathComponent("features")
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return URL(fileURLWithPath: home).appendingPathComponent(".cache/ftune/features")
  }

  /// Where an entry lives.
  public func url(key: FeatureKey, image: String, variant: Int) -> URL {
    root.appendingPathComponent(key.hex)
      .appendingPathComponent(String(image.prefix(2)))
      .appendingPathComponent("\(image)-v\(variant).f32")
  }

  static let magic: [UInt8] = Array("FTFE1\n".utf8)

  /// The stored features, or nil when absent. A damaged entry (wrong magic, short) is
  /// removed and reported as absent so it is recomputed.
  public func load(key: FeatureKey, image: String, variant: Int) -> Tensor? {
    let url = url(key: key, image: image, variant: variant)
    guard let data = try? Data(contentsOf: url) else { return nil }
    guard let t = Self.decode(data) else {
      try? FileManager.default.removeItem(at: url)
      return nil
    }
    return t
  }

  /// Stores one entry atomically.
  public func save(_ features: Tensor, key: FeatureKey, image: String, variant: Int) throws {
    let url = url(key: key, image: image, variant: variant)
    var bytes = Self.magic
    appendUInt32(&bytes, UInt32(features.rank))
    for d in features.shape { appendUInt32(&bytes, UInt32(d)) }
    bytes.reserveCapacity(bytes.count + features.count * 4)
    for f in features.scalars { appendUInt32(&bytes, f.bitPattern) }
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try AtomicFile.write(Data(bytes), to: url.path)
  }

  static func decode(_ data: Data) -> Tensor? {
    let bytes = [UInt8](data)
    let m = magic.count
    guard bytes.count >= m + 4, Array(bytes[0..<m]) == magic else { return nil }
    func u32(_ at: Int) -> UInt32 {
      UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
        | UInt32(bytes[at + 3]) << 24
    }
    let rank = Int(u32(m))
    guard rank <= 8, bytes.count >= m + 4 + 4 * rank else { return nil }
    let shape = (0..<rank).map { Int(u32(m + 4 + 4 * $0)) }
    let start = m + 4 + 4 * rank
    let count = shape.reduce(1, *)
    guard bytes.count == start + 4 * count else { return nil }
    let scalars = (0..<count).map { Float(bitPattern: u32(start + 4 * $0)) }
    return try? Tensor(shape: shape, scalars: scalars)
  }
}

func appendUInt32(_ bytes: inout [UInt8], _ v: UInt32) {
  bytes.append(UInt8(truncatingIfNeeded: v))
  bytes.append(UInt8(truncatingIfNeeded: v >> 8))
  bytes.append(UInt8(truncatingIfNeeded: v >> 16))
  bytes.append(UInt8(truncatingIfNeeded: v >> 24))
}
