import Foundation

/// The committed test images (data/test-images).
enum Fixtures {
  static let directory: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("data/test-images").path

  static func path(_ name: String) -> String { directory + "/" + name }
}
