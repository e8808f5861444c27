import CImageCodecs
import Foundation

/// How files are decoded.
public struct DecodeOptions: Sendable, Equatable {
  /// Images with more pixels are refused before any pixel memory is allocated (a guard
  /// against decompression bombs). Pillow's own limit, 89,478,485, is the default.
  public var maxPixels: Int
  /// Rotate/mirror JPEGs upright per their EXIF orientation tag (Keras's `load_img` does not).
  public var applyOrientation: Bool
  /// The colour transparent pixels are composited over (RGB, 0-255); white by default.
  public var background: [UInt8]

  public init(maxPixels: Int = 89_478_485, applyOrientation: Bool = true,
              background: [UInt8] = [255, 255, 255]) {
    self.maxPixels = maxPixels
    self.applyOrientation = applyOrientation
    self.background = background
  }
}

extension Image {
  /// Decodes the JPEG or PNG at `path` (format by signature, not by extension) to 8-bit RGB.
  public static func decode(file path: String, options: DecodeOptions = DecodeOptions())
    throws -> Image
  {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ImageError.unreadable(path: path, reason: error.localizedDescription)
    }
    return try decode(bytes: [UInt8](data), name: path, options: options)
  }

  /// Decodes JPEG or PNG bytes to 8-bit RGB; `name` is what errors call the source.
  public static func decode(bytes: [UInt8], name: String = "<memory>",
                            options: DecodeOptions = DecodeOptions()) throws -> Image
  {
    guard !bytes.isEmpty else { throw ImageError.empty(path: name) }
    let isJPEG = bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8
    let isPNG = bytes.count >= 4 && bytes[0] == 0x89 && bytes[1] == 0x50 && bytes[2] == 0x4E
      && bytes[3] == 0x47
    guard isJPEG || isPNG else { throw ImageError.notAnImage(path: name) }
    let format = isJPEG ? "JPEG" : "PNG"

    var decoded = ftune_decoded_image()
    var message = [CChar](repeating: 0, count: Int(FTUNE_CODEC_MESSAGE_CAPACITY))
    let limit = UInt64(max(options.maxPixels, 0))
    let status = bytes.withUnsafeBufferPointer { buffer in
      message.withUnsafeMutableBufferPointer { text in
        isJPEG
          ? ftune_decode_jpeg(buffer.baseAddress, buffer.count, limit, &decoded, text.baseAddress)
          : ftune_decode_png(buffer.baseAddress, buffer.count, limit, &decoded, text.baseAddress)
      }
    }
    defer { ftune_codecs_free(decoded.pixels) }
    let reason = message.withUnsafeBufferPointer { text in
      text.baseAddress.map { String(cString: $0) } ?? ""
    }
    switch status {
    case FTUNE_CODEC_OK:
      break
    case FTUNE_CODEC_NOT_IMAGE:
      throw ImageError.notAnImage(path: name)
    case FTUNE_CODEC_TOO_LARGE:
      let (w, h) = Image.headerSize(reason)
      throw ImageError.tooLarge(path: name, width: w, height: h, limit: options.maxPixels)
    case FTUNE_CODEC_UNSUPPORTED:
      throw ImageError.unsupported(path: name, reason: reason)
    default:
      throw ImageError.corrupt(path: name, format: format, reason: reason)
    }
    guard let pointer = decoded.pixels else {
      throw ImageError.corrupt(path: name, format: format, reason: "decoder returned no pixels")
    }
    let w = Int(decoded.width), h = Int(decoded.height), c = Int(decoded.channels)
    let samples = [UInt8](UnsafeBufferPointer(start: pointer, count: w * h * c))
    var image: Image
    if c == 4 {
      image = Image.compositing(rgba: samples, width: w, height: h, over: options.background)
    } else {
      image = Image(unchecked: w, h, c, .rgb8(samples))
    }
    if options.applyOrientation {
      image = image.oriented(exif: Int(decoded.orientation))
    }
    return image
  }

  /// Straight-alpha RGBA composited over a background colour, rounded to 8 bits.
  static func compositing(rgba: [UInt8], width: Int, height: Int, over background: [UInt8])
    -> Image
  {
    let bg = background.count == 3 ? background : [255, 255, 255]
    var rgb = [UInt8](repeating: 0, count: width * height * 3)
    for p in 0..<(width * height) {
      let a = Int(rgba[4 * p + 3])
      for k in 0..<3 {
        let v = Int(rgba[4 * p + k]) * a + Int(bg[k]) * (255 - a)
        rgb[3 * p + k] = UInt8((v + 127) / 255)
      }
    }
    return Image(unchecked: width, height, 3, .rgb8(rgb))
  }

  /// Width and height from the codec's "WxH pixels exceed..." message.
  private static func headerSize(_ message: String) -> (Int, Int) {
    let head = message.split(separator: " ").first ?? ""
    let parts = head.split(separator: "x").compactMap { Int($0) }
    return parts.count == 2 ? (parts[0], parts[1]) : (0, 0)
  }
}
