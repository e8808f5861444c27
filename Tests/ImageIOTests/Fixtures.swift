import Foundation

/// The committed test images (data/test-images) and the values Pillow/Keras computed for them
/// (tools/fixtures/images_fixtures.py).
enum Fixtures {
  static let directory: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("data/test-images").path
  }()

  static func path(_ name: String) -> String { directory + "/" + name }

  nonisolated(unsafe) static let expected: [String: Any] = {
    let data = try! Data(contentsOf: URL(fileURLWithPath: path("expected.json")))
    return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
  }()

  static func section(_ name: String) -> [String: Any] { expected[name] as! [String: Any] }

  static func numbers(_ value: Any?) -> [Double] {
    (value as! [NSNumber]).map { $0.doubleValue }
  }

  /// Expected decode of a file: (width, height, RGB bytes).
  static func decoded(_ name: String) -> (Int, Int, [UInt8]) {
    let entry = section("decode")[name] as! [String: Any]
    return (
      (entry["width"] as! NSNumber).intValue, (entry["height"] as! NSNumber).intValue,
      numbers(entry["rgb"]).map { UInt8($0) }
    )
  }
}
