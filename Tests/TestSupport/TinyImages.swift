import Foundation
import ImageIO

/// A tiny class-folder data set for end-to-end runs: `classes` folders of `perClass` PNGs,
/// each a noisy solid colour (class c is dominated by channel c), 40x36 pixels.
public enum TinyImages {
  public static func make(
    at root: URL, classes: [String] = ["red", "green", "blue"], perClass: Int = 6,
    seed: UInt64 = 1
  ) throws {
    var state = seed
    func next() -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % 61) - 30
    }
    for (c, name) in classes.enumerated() {
      let dir = root.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      for i in 0..<perClass {
        var bytes: [UInt8] = []
        for _ in 0..<(40 * 36) {
          for ch in 0..<3 {
            let base = ch == c % 3 ? 200 : 40
            bytes.append(UInt8(max(0, min(255, base + next()))))
          }
        }
        let image = try Image(width: 40, height: 36, channels: 3, pixels: .rgb8(bytes))
        try image.writePNG(to: dir.appendingPathComponent("\(i).png").path)
      }
    }
  }

  public static func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-cli-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
