/// One ImageNet weight file of `keras.applications`, as Keras's source names it: the name it is
/// cached under in `~/.keras/models/`, the address it is downloaded from, and the hash
/// `keras.utils.get_file` checks (nil where Keras's source gives none: the MobileNets).
public struct KerasWeightsFile: Sendable, Equatable {
  public let fileName: String
  public let origin: String
  public let fileHash: String?

  public init(fileName: String, origin: String, fileHash: String?) {
    self.fileName = fileName
    self.origin = origin
    self.fileHash = fileHash
  }

  /// A file in the folder `base` (Keras's `WEIGHTS_PATH`-style prefix, ending in "/").
  init(_ fileName: String, in base: String, hash: String?) {
    self.init(fileName: fileName, origin: base + fileName, fileHash: hash)
  }
}
