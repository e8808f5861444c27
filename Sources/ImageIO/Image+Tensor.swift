import TensorCore

extension Image {
  /// This image as an HWC tensor `[height, width, channels]` of 0-255 values.
  public func tensor() -> Tensor {
    // Sizes are consistent by construction, so the throwing initializer cannot fail here.
    (try? Tensor(shape: [height, width, channels], scalars: floats))
      ?? Tensor(zeros: [height, width, channels])
  }

  /// Grey (ITU-R 601-2 luma, as Pillow's `convert("L")`) from an RGB image; Float storage.
  public func grayscale() -> Image {
    guard channels == 3 else { return self }
    let v = floats
    var out = [Float](repeating: 0, count: width * height)
    for p in out.indices {
      out[p] = v[3 * p] * 0.299 + v[3 * p + 1] * 0.587 + v[3 * p + 2] * 0.114
    }
    return Image(unchecked: width, height, 1, .float(out))
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
