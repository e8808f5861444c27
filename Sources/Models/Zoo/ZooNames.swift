/// The names a user types for a zoo network: ftune's (`inception_v3`) or Keras's constructor
/// (`InceptionV3`, `keras.applications.InceptionV3`), and the nearest ones on a typo.
enum ZooNames {
  /// Lower case without `_`, `-`, `.` or a `keras.applications.` prefix.
  static func normalized(_ name: String) -> String {
    var s = name.lowercased()
    for prefix in ["keras.applications.", "tf.keras.applications."] where s.hasPrefix(prefix) {
      s.removeFirst(prefix.count)
    }
    return s.filter { !"_-. ".contains($0) }
  }

  /// Every accepted spelling of `entry`, normalised.
  static func spellings(of entry: ZooEntry) -> Set<String> {
    [normalized(entry.name), normalized(entry.kerasConstructor)]
  }

  /// The names within a small edit distance of `name` (at most 3, or a third of its length),
  /// closest first.
  static func nearest(to name: String, in names: [String]) -> [String] {
    let key = normalized(name)
    let scored = names.map { ($0, editDistance(key, normalized($0))) }
    guard let best = scored.map(\.1).min(), best <= max(1, min(3, key.count / 3)) else {
      return []
    }
    return scored.filter { $0.1 == best }.map(\.0)
  }

  /// Levenshtein distance (insertions, deletions, substitutions).
  static func editDistance(_ a: String, _ b: String) -> Int {
    let b = Array(b)
    var row = Array(0...b.count)
    for (i, ca) in a.enumerated() {
      var diagonal = row[0]
      row[0] = i + 1
      for (j, cb) in b.enumerated() {
        let above = row[j + 1]
        row[j + 1] = min(above + 1, row[j] + 1, diagonal + (ca == cb ? 0 : 1))
        diagonal = above
      }
    }
    return row[b.count]
  }
}
