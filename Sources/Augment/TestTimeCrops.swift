import ImageIO

/// Test-time augmentation crops: predictions are averaged over several views of an image.
public enum TestTimeCrops {
  /// The classic 10-crop: top-left, top-right, bottom-left, bottom-right and centre
  /// `width x height` windows, then the same five mirrored left-right (torchvision order).
  public static func tenCrop(_ image: Image, width: Int, height: Int) throws -> [Image] {
    let five = try fiveCrop(image, width: width, height: height)
    return five + five.map { $0.flippedHorizontally() }
  }

  /// The four corners and the centre.
  public static func fiveCrop(_ image: Image, width: Int, height: Int) throws -> [Image] {
    let right = image.width - width, bottom = image.height - height
    return [
      try image.cropped(x: 0, y: 0, width: width, height: height),
      try image.cropped(x: right, y: 0, width: width, height: height),
      try image.cropped(x: 0, y: bottom, width: width, height: height),
      try image.cropped(x: right, y: bottom, width: width, height: height),
      try image.centerCropped(width: width, height: height),
    ]
  }

  /// `count` windows spread evenly along the image's longer side (centred on the shorter
  /// one): 1 is the centre crop, 3 is left/centre/right (or top/centre/bottom). With
  /// `mirrored`, each is followed by its left-right mirror.
  public static func nCrop(_ image: Image, width: Int, height: Int, count: Int,
                           mirrored: Bool = false) throws -> [Image] {
    guard count >= 1 else {
      throw AugmentError.invalidParameter("crop count \(count) must be at least 1")
    }
    let horizontal = image.width - width >= image.height - height
    let span = horizontal ? image.width - width : image.height - height
    var crops = [Image]()
    for i in 0..<count {
      let along = count == 1 ? span / 2 : (span * i) / (count - 1)
      let x = horizontal ? along : (image.width - width) / 2
      let y = horizontal ? (image.height - height) / 2 : along
      let crop = try image.cropped(x: x, y: y, width: width, height: height)
      crops.append(crop)
      if mirrored { crops.append(crop.flippedHorizontally()) }
    }
    return crops
  }
}
