import Foundation

/// `report.html`: one self-contained page (no scripts, no network; the images it shows are
/// files beside it) made of sections, each a heading and a block of HTML.
///
/// To add a part to a report, make a `Section` (`HTMLReport.Section(id:title:body:)`, with
/// the `HTML` helpers for tables, figures and galleries; see HTMLReport+Sections.swift for
/// the standard ones) and append it to `sections`. The page lists every section in its
/// navigation bar in order.
public struct HTMLReport: Sendable {
  /// One part of the page: `id` is its anchor (letters, digits, `-`), `body` trusted HTML
  /// built with the `HTML` helpers (which escape every text they are given).
  public struct Section: Sendable {
    public var id: String
    public var title: String
    public var body: String

    public init(id: String, title: String, body: String) {
      self.id = id
      self.title = title
      self.body = body
    }
  }

  public var title: String
  /// A line under the title (what was run, when).
  public var subtitle: String
  public var sections: [Section]

  public init(title: String, subtitle: String = "", sections: [Section] = []) {
    self.title = title
    self.subtitle = subtitle
    self.sections = sections
  }

  /// The file name train, evaluate and compare write.
  public static let fileName = "report.html"

  /// The whole page.
  public func render() -> String {
    let nav = sections.map { "<a href=\"#\(HTML.escape($0.id))\">\(HTML.escape($0.title))</a>" }
      .joined(separator: "\n")
    let body = sections.map { s in
      "<section id=\"\(HTML.escape(s.id))\">\n<h2>\(HTML.escape(s.title))</h2>\n\(s.body)\n"
        + "</section>"
    }.joined(separator: "\n")
    return """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(HTML.escape(title))</title>
      <link rel="icon" href="data:,">
      <style>
      \(Self.css)
      </style>
      </head>
      <body>
      <header>
      <h1>\(HTML.escape(title))</h1>
      \(subtitle.isEmpty ? "" : "<p class=\"subtitle\">\(HTML.escape(subtitle))</p>")
      <nav>\(nav)</nav>
      </header>
      <main>
      \(body)
      </main>
      </body>
      </html>

      """
  }

  /// Writes the page to `directory/report.html`, atomically.
  @discardableResult
  public func write(to directory: URL) throws -> URL {
    let url = directory.appendingPathComponent(Self.fileName)
    try writeAtomically(Data(render().utf8), to: url)
    return url
  }

  /// Laptop-width layout (a 1100 px column), wide tables scroll inside their box; confusion
  /// cells open their gallery by anchor (`:target`), so no script is needed. Printing drops
  /// the navigation, keeps tables and figures whole, and lists only the misclassified cells'
  /// images.
  static let css = """
    :root { --accent: #1f77b4; --ink: #222; --muted: #666; --line: #ddd; --bg: #f6f7f9; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
      color: var(--ink); background: var(--bg); }
    header, main { max-width: 1100px; margin: 0 auto; padding: 0 20px; }
    header { padding-top: 20px; }
    h1 { margin: 0 0 4px; font-size: 26px; }
    h2 { margin: 0 0 12px; font-size: 19px; border-bottom: 1px solid var(--line);
      padding-bottom: 6px; }
    h3 { font-size: 15px; margin: 16px 0 8px; }
    .subtitle { margin: 0 0 10px; color: var(--muted); }
    nav { display: flex; flex-wrap: wrap; gap: 6px 14px; padding: 8px 0 12px; }
    nav a { color: var(--accent); text-decoration: none; font-weight: 500; }
    section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
      padding: 16px 20px; margin: 0 0 18px; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
    th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left;
      vertical-align: top; }
    th { background: #fafafa; font-weight: 600; }
    td.num, th.num { text-align: right; }
    table.compact { font-size: 13px; }
    table.compact th, table.compact td { padding: 3px 6px; }
    tr.best td { background: #e8f4e5; font-weight: 600; }
    tr.total td { border-top: 2px solid #bbb; font-weight: 600; }
    .cards { display: flex; flex-wrap: wrap; gap: 10px; }
    .card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px;
      min-width: 130px; }
    .card b { display: block; font-size: 22px; }
    .card span { color: var(--muted); font-size: 13px; }
    figure { margin: 8px 0 14px; }
    figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
    figcaption { color: var(--muted); font-size: 13px; }
    .figures { display: flex; flex-wrap: wrap; gap: 14px; }
    .figures figure { flex: 1 1 420px; }
    table.confusion td.cell { text-align: center; min-width: 64px; padding: 0; }
    table.confusion td.cell a { display: block; padding: 6px 8px; color: inherit;
      text-decoration: none; background: rgba(31, 119, 180, var(--f)); }
    table.confusion td.cell a.dark { color: #fff; }
    table.confusion td.cell a:hover { outline: 2px solid #ff7f0e; }
    table.confusion td.cell small { display: block; opacity: .8; }
    table.confusion th.axis { color: var(--muted); font-weight: 500; }
    .gallery { display: none; border: 1px solid var(--line); border-radius: 6px;
      padding: 10px; margin: 10px 0; }
    .gallery:target { display: block; border-color: #ff7f0e; }
    .thumbs { display: flex; flex-wrap: wrap; gap: 8px; }
    .thumb { width: 140px; margin: 0; font-size: 12px; overflow-wrap: anywhere; }
    .thumb img { width: 140px; height: 140px; object-fit: contain; background: #eee;
      border: 1px solid var(--line); }
    .thumb .wrong { color: #c62828; font-weight: 600; }
    .note { color: var(--muted); font-size: 13px; }
    .verdict { font-size: 16px; font-weight: 600; }
    .warning { color: #b26a00; }
    @media (max-width: 700px) { .thumb, .thumb img { width: 104px; } .thumb img { height: 104px; } }
    @media print {
      body { background: #fff; font-size: 11pt; }
      nav { display: none; }
      header, main { max-width: none; padding: 0; }
      section { border: none; padding: 0; margin: 0 0 14pt; break-inside: auto; }
      table, figure, .thumb { break-inside: avoid; }
      .scroll { overflow: visible; }
      .gallery { display: none !important; }
      .gallery.off { display: block !important; border: none; padding: 0; }
      table.confusion td.cell a { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      a { color: inherit; text-decoration: none; }
    }
    """
}

/// Builders of HTML fragments for `HTMLReport` sections; every text argument is escaped.
public enum HTML {
  /// `text` safe inside elements and double-quoted attributes.
  public static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for ch in text {
      switch ch {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(ch)
      }
    }
    return out
  }

  /// A relative file reference for `src`/`href`: each path component percent-encoded.
  public static func path(_ relative: String) -> String {
    relative.split(separator: "/", omittingEmptySubsequences: false).map {
      String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0)
    }.joined(separator: "/")
  }

  /// A table; columns in `numeric` are right-aligned, rows in `highlight` marked (`best`),
  /// rows in `totals` set off as summary rows. Wide tables scroll inside their box.
  public static func table(
    headers: [String], rows: [[String]], numeric: Set<Int> = [], highlight: Set<Int> = [],
    totals: Set<Int> = [], className: String = ""
  ) -> String {
    func cell(_ tag: String, _ text: String, _ column: Int) -> String {
      "<\(tag)\(numeric.contains(column) ? " class=\"num\"" : "")>\(escape(text))</\(tag)>"
    }
    let head = headers.enumerated().map { cell("th", $1, $0) }.joined()
    let body = rows.enumerated().map { r, row in
      let cls = highlight.contains(r) ? " class=\"best\"" : totals.contains(r) ? " class=\"total\"" : ""
      return "<tr\(cls)>" + row.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>"
    }.joined(separator: "\n")
    let cls = className.isEmpty ? "" : " class=\"\(escape(className))\""
    return "<div class=\"scroll\"><table\(cls)>\n<thead><tr>\(head)</tr></thead>\n<tbody>\n"
      + body + "\n</tbody></table></div>"
  }

  /// Headline numbers as cards: (value, what it is).
  public static func cards(_ items: [(value: String, label: String)]) -> String {
    "<div class=\"cards\">"
      + items.map { "<div class=\"card\"><b>\(escape($0.value))</b><span>\(escape($0.label))</span></div>" }
      .joined() + "</div>"
  }

  /// A figure: an image file beside the report and a caption.
  public static func figure(_ src: String, alt: String, caption: String = "") -> String {
    "<figure><img src=\"\(escape(path(src)))\" alt=\"\(escape(alt))\">"
      + (caption.isEmpty ? "" : "<figcaption>\(escape(caption))</figcaption>") + "</figure>"
  }

  /// One captioned thumbnail in a gallery; `src` nil shows the caption only (an image that
  /// could not be read). Lines in `emphasis` are marked as wrong.
  public struct Thumb: Sendable {
    public var src: String?
    public var title: String
    public var lines: [String]
    public var emphasis: Set<Int>

    public init(src: String?, title: String, lines: [String], emphasis: Set<Int> = []) {
      self.src = src
      self.title = title
      self.lines = lines
      self.emphasis = emphasis
    }
  }

  /// Thumbnails in a wrapping row.
  public static func thumbs(_ items: [Thumb]) -> String {
    "<div class=\"thumbs\">" + items.map { t in
      let img = t.src.map {
        "<img src=\"\(escape(path($0)))\" alt=\"\(escape(t.title))\" loading=\"lazy\">"
      } ?? ""
      let lines = t.lines.enumerated().map { i, line in
        "<div\(t.emphasis.contains(i) ? " class=\"wrong\"" : "")>\(escape(line))</div>"
      }.joined()
      return "<figure class=\"thumb\" title=\"\(escape(t.title))\">\(img)\(lines)</figure>"
    }.joined() + "</div>"
  }

  /// A paragraph of plain text with an optional class (`note`, `verdict`, `warning`).
  public static func paragraph(_ text: String, className: String = "") -> String {
    (className.isEmpty ? "<p>" : "<p class=\"\(escape(className))\">") + escape(text) + "</p>"
  }
}
