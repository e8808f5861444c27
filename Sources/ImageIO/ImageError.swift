/// Problems with an image a user can cause; each message names the file and says what to do.
public enum ImageError: Error, Equatable, CustomStringConvertible {
  /// The file could not be read at all.
  case unreadable(path: String, reason: String)
  /// Zero bytes.
  case empty(path: String)
  /// Neither a JPEG nor a PNG (by signature).
  case notAnImage(path: String)
  /// A JPEG or PNG that is damaged or cut short.
  case corrupt(path: String, format: String, reason: String)
  /// More pixels than the configured limit (a decompression bomb guard).
  case tooLarge(path: String, width: Int, height: Int, limit: Int)
  /// A valid file in a form we do not decode.
  case unsupported(path: String, reason: String)
  /// Sizes or sample counts that do not fit together.
  case invalidSize(width: Int, height: Int, channels: Int, count: Int)
  /// A crop, resize or other geometry request that does not fit the image.
  case invalidGeometry(String)
  /// Writing an image failed.
  case writeFailed(path: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason):
      return "\(path): cannot read the file (\(reason)); check the path and its permissions"
    case .empty(let path):
      return "\(path): the file is empty (0 bytes); replace or remove it"
    case .notAnImage(let path):
      return "\(path): not a JPEG or PNG image; convert it or remove it from the image folder"
    case .corrupt(let path, let format, let reason):
      return "\(path): damaged \(format) file (\(reason)); re-export or remove it"
    case .tooLarge(let path, let width, let height, let limit):
      return "\(path): \(width)x\(height) pixels exceed the limit of \(limit) pixels; "
        + "shrink the image or raise the limit (maxPixels)"
    case .unsupported(let path, let reason):
      return "\(path): unsupported image (\(reason)); convert it to an RGB JPEG or PNG"
    case .invalidSize(let width, let height, let channels, let count):
      return "an image of \(width)x\(height)x\(channels) needs "
        + "\(width * height * channels) samples, got \(count)"
    case .invalidGeometry(let message):
      return message
    case .writeFailed(let path, let reason):
      return "\(path): cannot write the image (\(reason))"
    }
  }

  /// The file the error is about, if any.
  public var path: String? {
    switch self {
    case .unreadable(let path, _), .empty(let path), .notAnImage(let path),
      .corrupt(let path, _, _), .tooLarge(let path, _, _, _), .unsupported(let path, _),
      .writeFailed(let path, _):
      return path
    case .invalidSize, .invalidGeometry:
      return nil
    }
  }
}
