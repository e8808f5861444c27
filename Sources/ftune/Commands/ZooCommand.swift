import ArgumentParser
import Foundation
import Models
import TensorCore
import Workflow

/// `ftune zoo`: every `--base` name with its family, default size, cost, preprocessing and
/// whether its Keras weight file is already in `~/.keras/models/`.
struct ZooCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "zoo",
    abstract: "List the built-in networks (--base NAME): family, default input size,"
      + " parameters, FLOPs per image, preprocessing, and whether their weights are here.",
    discussion: """
      Example: ftune zoo --json
      Keras's constructor names work too (InceptionV3, ResNet50V2). Weights are looked for \
      under Keras's own file names in $KERAS_HOME/models (~/.keras/models) and downloaded \
      there on first use.
      """)

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  struct Row: Encodable {
    let name: String
    let kerasConstructor: String
    let family: String
    let defaultSize: Int
    let parameters: Int
    let flopsPerImage: Int
    let preprocessing: String
    let weightsFile: String?
    let weightsPresent: Bool
  }

  func run() throws {
    let folder = BaseModel.kerasModelsFolder(ProcessInfo.processInfo.environment)
    var rows: [Row] = []
    for entry in ModelZoo.entries {
      let graph = try entry.build(ZooOptions())
      let file = entry.kerasWeights()?.fileName
      let present = file.map {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
      } ?? false
      rows.append(
        Row(
          name: entry.name, kerasConstructor: entry.kerasConstructor, family: entry.family,
          defaultSize: entry.defaultSize, parameters: graph.parameters.reduce(0) {
            $0 + $1.value.shape.reduce(1, *)
          }, flopsPerImage: ZooCost.flops(of: graph), preprocessing: entry.preprocessing.rawValue,
          weightsFile: file, weightsPresent: present))
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      print(String(decoding: try encoder.encode(rows), as: UTF8.self))
      return
    }
    print(table(rows, folder: folder.path), terminator: "")
  }

  func table(_ rows: [Row], folder: String) -> String {
    let header = ["name", "family", "size", "params", "GFLOPs", "preprocessing", "weights"]
    let cells = rows.map { r in
      [
        r.name, r.family, "\(r.defaultSize)", String(format: "%.1fM", Double(r.parameters) / 1e6),
        String(format: "%.2f", Double(r.flopsPerImage) / 1e9), r.preprocessing,
        r.weightsFile == nil ? "none published" : (r.weightsPresent ? "present" : "download"),
      ]
    }
    let widths = header.indices.map { i in ([header] + cells).map { $0[i].count }.max() ?? 0 }
    let line = { (row: [String]) in
      zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
        .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(header)] + cells.map(line)).joined(separator: "\n")
      + "\n\nparams and GFLOPs (2 x multiply-adds) of the trunk (no top) at the default size;"
      + " weights: the notop file in \(folder) (\"download\": fetched on first use).\n"
  }
}
