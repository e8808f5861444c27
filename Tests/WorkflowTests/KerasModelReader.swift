import KerasIO
import Models

/// Reads a run's saved model back (KerasIO), for tests comparing weights.
enum KerasModelReader {
  static func load(_ path: String) throws -> Graph { try KerasModel.load(path: path) }
}
