/// Errors a user can cause when loading or saving Keras files; each names the file and
/// the layer or option concerned and says what to do.
public enum KerasIOError: Error, CustomStringConvertible {
  /// A strict load found missing, unexpected or mismatched weights; nothing was loaded.
  case incompleteLoad(LoadReport)
  /// The file is HDF5 but holds no Keras weights layout.
  case noKerasStructure(file: String)
  /// A full-model file has no `model_config` (weights-only files need a model to load into).
  case noModelConfig(file: String)
  /// `model_config` is not the JSON Keras writes.
  case badConfig(file: String, reason: String)
  /// A layer class ftune has no implementation for.
  case unknownLayerClass(file: String, layer: String, className: String)
  /// A layer option ftune does not implement (e.g. `dilation_rate` other than 1).
  case unsupportedOption(file: String, layer: String, option: String, value: String)
  /// A `.keras` archive that is not a zip or lacks one of its members.
  case badArchive(file: String, reason: String)
  /// The graph holds something a Keras file cannot express.
  case cannotExport(file: String, layer: String, reason: String)

  public var description: String {
    switch self {
    case .incompleteLoad(let report):
      return "weights do not fit the model; nothing was loaded.\n\(report)\n"
        + "Load with partial loading (ftune: --partial) to keep what matches,"
        + " e.g. a trunk without its old head."
    case .noKerasStructure(let file):
      return "'\(file)' is HDF5 but holds no Keras weights: no 'layer_names' attribute,"
        + " no 'model_weights' group and no Keras 3 'layers/…/vars' groups"
    case .noModelConfig(let file):
      return "'\(file)' holds weights only (no 'model_config'): give a zoo name with"
        + " --base and this file with --weights"
    case .badConfig(let file, let reason):
      return "'\(file)': the model configuration cannot be read: \(reason)"
    case .unknownLayerClass(let file, let layer, let className):
      return "'\(file)': layer '\(layer)' is a \(className), which ftune does not implement;"
        + " supported: \(LayerCodecs.supportedClasses.joined(separator: ", "))"
    case .unsupportedOption(let file, let layer, let option, let value):
      return "'\(file)': layer '\(layer)' uses \(option)=\(value), which ftune does not"
        + " implement"
    case .badArchive(let file, let reason):
      return "'\(file)' is not a usable .keras archive: \(reason)"
    case .cannotExport(let file, let layer, let reason):
      return "cannot write '\(file)': layer '\(layer)' \(reason)"
    }
  }
}
