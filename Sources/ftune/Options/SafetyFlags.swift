import ArgumentParser
import Dataset
import Foundation
import HDF5
import ImageIO

/// `--allow-external-hdf5`, on every command that opens model files (train, cache, compare,
/// inspect, export, predict, evaluate). A command-line choice only, never a recipe key.
struct HDF5TrustFlag: ParsableArguments {
  @Flag(
    name: .customLong("allow-external-hdf5"),
    help: ArgumentHelp(
      "let model files read data kept outside them (external storage or links, virtual"
        + " datasets, plugin filters); only for files you trust"))
  var allowExternalHDF5 = false

  /// The trust model files are opened with; says so on stderr when opted in.
  func trust() -> HDF5Trust {
    guard allowExternalHDF5 else { return .fileOnly }
    FileHandle.standardError.write(
      Data(
        ("--allow-external-hdf5: model files may read data stored outside them"
          + " (external files, external links, virtual datasets, plugin filters)\n").utf8))
    return .allowingOutsideData
  }
}

/// `--bad-images error|skip` for the commands that take image files without a recipe.
struct BadImagesOption: ParsableArguments {
  @Option(
    name: .customLong("bad-images"),
    help: "error: stop at an image that cannot be used; skip: leave such files out, each named")
  var badImages: BadImagePolicy = .error
}

extension BadImagePolicy: ExpressibleByArgument {}
