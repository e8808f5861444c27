import Foundation
import ImageIO

/// Opens HTML pages in Debian's headless `chromium` as a user's browser would (file:// URL,
/// no network): what the console printed, and a screenshot.
public enum HeadlessChromium {
  public struct Missing: Error, CustomStringConvertible {
    public var description: String {
      "chromium is not installed (or not on PATH): run tools/deps.sh (as root) to install it;"
        + " the report tests open report.html in it"
    }
  }

  /// `chromium` on PATH (or `$CHROMIUM`); throws `Missing` (the test fails, it does not skip).
  public static func executable() throws -> URL {
    let env = ProcessInfo.processInfo.environment
    let candidates = (env["CHROMIUM"].map { [$0] } ?? [])
      + (env["PATH"] ?? "/usr/bin").split(separator: ":").flatMap { dir in
        ["chromium", "chromium-browser"].map { "\(dir)/\($0)" }
      }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    else {
      throw Missing()
    }
    return URL(fileURLWithPath: found)
  }

  /// What a page load printed to the console (one string per message), and the screenshot.
  public struct Load: Sendable {
    public var consoleMessages: [String]
    public var screenshot: Image
    public var stderr: String
  }

  /// Loads `page` (plus `fragment`, e.g. "cell-0-1") in a `width`×`height` window, lets it
  /// settle for `budget` ms of virtual time, and screenshots it. Console lines come from
  /// `--enable-logging=stderr`, where Chromium writes every console message as `CONSOLE`.
  public static func load(
    _ page: URL, fragment: String? = nil, width: Int = 1280, height: Int = 2400,
    budget: Int = 3000
  ) throws -> Load {
    let chromium = try executable()
    let scratch = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-chromium-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let shot = scratch.appendingPathComponent("shot.png")
    var url = page.absoluteURL.absoluteString
    if let fragment { url += "#" + fragment }
    let r = try ProcessRun.run(
      chromium,
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
        "--enable-logging=stderr", "--v=0", "--user-data-dir=\(scratch.path)/profile",
        "--window-size=\(width),\(height)", "--virtual-time-budget=\(budget)",
        "--screenshot=\(shot.path)", url,
      ])
    let console = r.err.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
    guard FileManager.default.fileExists(atPath: shot.path) else {
      throw ScreenshotFailed(status: r.status, stderr: r.err)
    }
    return Load(
      consoleMessages: console, screenshot: try Image.decode(file: shot.path), stderr: r.err)
  }

  public struct ScreenshotFailed: Error, CustomStringConvertible {
    public var status: Int32
    public var stderr: String
    public var description: String {
      "chromium wrote no screenshot (exit \(status)): \(stderr.suffix(2000))"
    }
  }

  /// Every local file an HTML page references through `src="..."` or `href="..."` (not
  /// `#fragments`, `data:` or other schemes), resolved against the page's folder.
  public static func referencedFiles(of page: URL) throws -> [URL] {
    let html = try String(contentsOf: page, encoding: .utf8)
    let pattern = try NSRegularExpression(pattern: "(?:src|href)=\"([^\"#]+)[^\"]*\"")
    let range = NSRange(html.startIndex..., in: html)
    return pattern.matches(in: html, range: range).compactMap { match in
      guard let r = Range(match.range(at: 1), in: html) else { return nil }
      let ref = String(html[r]).replacingOccurrences(of: "&amp;", with: "&")
      guard !ref.contains(":"), let path = ref.removingPercentEncoding else { return nil }
      return page.deletingLastPathComponent().appendingPathComponent(path)
    }
  }
}
