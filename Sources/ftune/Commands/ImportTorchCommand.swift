import ArgumentParser
import Foundation
import KerasIO
import Models
import TorchIO

/// `ftune import-torch mobilenet_v2 FILE.pth --out FILE.h5`: a torchvision checkpoint to
/// Keras 2 weights for the zoo's `mobilenet_v2_torch`, without Python.
struct ImportTorchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import-torch",
    abstract: "Convert torchvision weights (.pth) to Keras 2 HDF5 weights.",
    discussion: """
      Reads a PyTorch state dict (zip or legacy torch.save format) without Python, renames \
      torchvision's modules to Keras layer names, transposes kernels to Keras layouts and \
      writes a Keras 2 weights file for the zoo base 'mobilenet_v2_torch'. Example:
        ftune import-torch mobilenet_v2 data/fetched/weights/mobilenet_v2-b0353104.pth \\
          --out mobilenet_v2_torch.h5
        ftune --base mobilenet_v2_torch --weights mobilenet_v2_torch.h5 ...
      """)

  /// Architectures with a torchvision name map.
  static let architectures = ["mobilenet_v2"]

  @Argument(help: "The torchvision architecture: \(architectures.joined(separator: ", ")).")
  var architecture: String

  @Argument(help: "The PyTorch checkpoint (.pth / .pt), a state_dict saved by torch.save.")
  var checkpoint: String

  @Option(help: "The Keras 2 weights file (.h5) to write.")
  var out: String

  func validate() throws {
    guard Self.architectures.contains(architecture) else {
      throw ValidationError(
        "unknown architecture '\(architecture)'; supported: "
          + Self.architectures.joined(separator: ", "))
    }
    guard FileManager.default.fileExists(atPath: checkpoint) else {
      throw ValidationError(
        "checkpoint '\(checkpoint)' does not exist (data/fetch-weights.sh fetches "
          + "torchvision's MobileNetV2 to data/fetched/weights/)")
    }
  }

  func run() throws {
    let file = try TorchCheckpoint(contentsOf: URL(fileURLWithPath: checkpoint))
    let graph: Graph
    do {
      graph = try TorchVisionMobileNetV2.graph(from: file)
    } catch let error as TorchImportError {
      throw ImportTorchFailure(message: "\(checkpoint): \(error)")
    } catch let error as WeightAssignmentError {
      throw ImportTorchFailure(message: "\(checkpoint): \(error)")
    }
    try KerasWeights.save(graph, to: out)
    let parameters = graph.parameters.reduce(0) { $0 + $1.value.count }
    print("read \(file.tensors.count) tensors (\(file.format.rawValue) format) from \(checkpoint)")
    print("wrote \(out): \(graph.layers.filter(\.hasWeights).count) layers, \(parameters) "
      + "parameters, \(graph.outputShape.last ?? 0) classes")
    print("use it with: --base \(TorchVisionMobileNetV2.zooName) --weights \(out)")
  }
}

/// A conversion failure, prefixed with the checkpoint's path.
struct ImportTorchFailure: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}
