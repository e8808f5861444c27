import TensorCore

extension Image {
  /// This image as an HWC tensor `[height, width, channels]` of 0-255 values.
  public func tensor() -> Tensor {
    // Sizes are consistent by construction, so the throwing initializer cannot fail here.
    (try? Tensor(shape: [height, width, channels], scalars: floats))
      ?? Tensor(zeros: [height, width, channels])
  }

  /// Grey (ITU-R 601-2 luma) from an RGB image, as Pillow's `convert("L")`, which is what
  /// Keras's `load_img(color_mode="grayscale")` uses: 8-bit images use Pillow's integer
  /// formula (so the result equals Pillow's), Float images the same weights unrounded.
  public func grayscale() -> Image {
    guard channels == 3 else { return self }
    switch pixels {
    case .rgb8(let v):
      var out = [UInt8](repeating: 0, count: width * height)
      for p in out.indices {
        let l = Int(v[3 * p]) * 19595 + Int(v[3 * p + 1]) * 38470 + Int(v[3 * p + 2]) * 7471
        out[p] = UInt8((l + 0x8000) >> 16)
      }
      return Image(unchecked: width, height, 1, .rgb8(out))
    case .float(let v):
      var out = [Float](repeating: 0, count: width * height)
      for p in out.indices {
        out[p] = v[3 * p] * 0.299 + v[3 * p + 1] * 0.587 + v[3 * p + 2] * 0.114
      }
      return Image(unchecked: width, height, 1, .float(out))
    }
  }

  /// Stacks same-sized images into an NHWC batch `[n, height, width, channels]`.
  public static func batch(_ images: [Image]) throws -> Tensor {
    guard let first = images.first else {
      throw ImageError.invalidGeometry("cannot batch zero images")
    }
    var scalars = [Float]()
    scalars.reserveCapacity(images.count * first.width * first.height * first.channels)
    for image in images {
      guard image.width == first.width, image.height == first.height,
        image.channels == first.channels
      else {
        throw ImageError.invalidGeometry(
          "cannot batch a \(image.width)x\(image.height)x\(image.channels) image with "
            + "\(first.width)x\(first.height)x\(first.channels) ones; resize them first")
      }
      scalars.append(contentsOf: image.floats)
    }
    return try Tensor(
      shape: [images.count, first.height, first.width, first.channels], scalars: scalars)
  }
}
