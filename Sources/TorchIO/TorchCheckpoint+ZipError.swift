import Archive

extension TorchCheckpointError {
  /// A zip problem of a `.pth` in this module's terms (the messages say what to do).
  init(_ error: ZipError) {
    switch error {
    case .notAZip(let file, let reason):
      self = .notACheckpoint(file: file, reason: "zip: " + reason)
    case .malformed(let file, let offset, let reason):
      self = .malformed(file: file, offset: offset, reason: "zip: " + reason)
    case .truncated(let file, let offset, let needed, let available):
      self = .truncated(file: file, offset: offset, needed: needed, available: available)
    case .compressed(let file, let member, let method):
      self = .notACheckpoint(
        file: file, reason: "zip member \(member) is compressed (method \(method)); torch.save "
          + "stores members uncompressed, so re-save the checkpoint with torch.save")
    }
  }
}
