import Foundation
import Testing
import TensorCore
@testable import ImageIO

@Suite struct RobustnessTests {
  /// Randomly damaged files (bytes overwritten, cut short) must decode or throw an
  /// `ImageError`: never crash, hang, print or exit. 400 mutants per format, seeded.
  @Test(arguments: ["photo.jpg", "photo.png", "cmyk.jpg", "palette_trns.png"])
  func damagedFilesNeverCrash(name: String) throws {
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
    var rng = SeededRNG(seed: 99)
    var decoded = 0, refused = 0
    for trial in 0..<400 {
      var bytes = original
      let edits = 1 + Int(rng.next() % 8)
      for _ in 0..<edits {
        // Keep the signature so the decoders, not the sniffing, see the damage.
        let at = 4 + Int(rng.next() % UInt64(bytes.count - 4))
        bytes[at] = UInt8(truncatingIfNeeded: rng.next())
      }
      if trial % 3 == 0 { bytes = Array(bytes.prefix(4 + Int(rng.next() % UInt64(bytes.count)))) }
      do {
        let image = try Image.decode(
          bytes: bytes, name: "mutant-\(trial)", options: DecodeOptions(maxPixels: 1 << 20))
        #expect(image.width > 0 && image.height > 0 && image.channels == 3)
        decoded += 1
      } catch let error as ImageError {
        #expect(error.path == "mutant-\(trial)")
        refused += 1
      }
    }
    #expect(decoded + refused == 400)
    #expect(refused > 0)
  }
}
