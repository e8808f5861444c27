/// Per-output-sample filter taps for one axis, computed exactly as Pillow's `precompute_coeffs`
/// (Resample.c) does for the bilinear filter: when shrinking, the triangle filter is widened
/// by the scale factor, which is what makes Pillow's bilinear antialias.
struct ResampleTaps {
  let first: [Int]
  let count: [Int]
  /// `ksize` weights per output sample, normalised to sum 1.
  let weights: [Double]
  let ksize: Int

  init(inSize: Int, outSize: Int) {
    let scale = Double(inSize) / Double(outSize)
    let filterScale = max(scale, 1.0)
    let support = 1.0 * filterScale  // bilinear support is 1
    ksize = Int(support.rounded(.up)) * 2 + 1
    var first = [Int](repeating: 0, count: outSize)
    var count = [Int](repeating: 0, count: outSize)
    var weights = [Double](repeating: 0, count: outSize * ksize)
    for xx in 0..<outSize {
      let center = (Double(xx) + 0.5) * scale
      let inverse = 1.0 / filterScale
      // C's (int) cast truncates toward zero; Int(_:) on Double does the same.
      let xmin = max(Int(center - support + 0.5), 0)
      let xmax = min(Int(center + support + 0.5), inSize) - xmin
      var total = 0.0
      for x in 0..<max(xmax, 0) {
        let t = abs((Double(x + xmin) - center + 0.5) * inverse)
        let w = t < 1 ? 1 - t : 0
        weights[xx * ksize + x] = w
        total += w
      }
      if total != 0 {
        for x in 0..<max(xmax, 0) { weights[xx * ksize + x] /= total }
      }
      first[xx] = xmin
      count[xx] = max(xmax, 0)
    }
    self.first = first
    self.count = count
    self.weights = weights
  }

  /// Pillow's 8-bit fixed-point taps (PRECISION_BITS = 22, rounded half away from zero).
  var fixedPoint: [Int32] {
    weights.map { w in
      Int32(w < 0 ? -0.5 + w * Double(1 << 22) : 0.5 + w * Double(1 << 22))
    }
  }
}

extension Image {
  /// Resized to `width x height` with Pillow's `Image.resize(size, Image.BILINEAR)`, which is
  /// what Keras's `load_img` uses: a separable triangle filter, widened when shrinking
  /// (antialiasing), horizontal pass first. 8-bit images use Pillow's fixed-point arithmetic
  /// and round after each pass, so the result equals Pillow's byte for byte; Float images are
  /// filtered in floating point without rounding.
  public func resized(width w: Int, height h: Int) throws -> Image {
    try resized(width: w, height: h, verticalFirst: false)
  }

  /// `verticalFirst` swaps the pass order, which Pillow 13 does for some sizes; exposed to
  /// tests to show both orders are reproduced exactly.
  func resized(width w: Int, height h: Int, verticalFirst: Bool) throws -> Image {
    guard w > 0, h > 0 else {
      throw ImageError.invalidGeometry("cannot resize to \(w)x\(h); both sides must be positive")
    }
    if w == width && h == height { return self }
    var current = self
    for horizontal in verticalFirst ? [false, true] : [true, false] {
      if horizontal, w != width {
        current = current.resampled(
          taps: ResampleTaps(inSize: width, outSize: w), horizontal: true)
      } else if !horizontal, h != height {
        current = current.resampled(
          taps: ResampleTaps(inSize: height, outSize: h), horizontal: false)
      }
    }
    return current
  }

  /// Shorter side scaled to `side` (aspect kept, rounded), as torchvision's `Resize(int)`.
  public func resized(shorterSide side: Int) throws -> Image {
    let scale = Double(side) / Double(min(width, height))
    let w = width <= height ? side : Int((Double(width) * scale).rounded())
    let h = height <= width ? side : Int((Double(height) * scale).rounded())
    return try resized(width: w, height: h)
  }

  /// One separable pass along x (`horizontal`) or y.
  private func resampled(taps: ResampleTaps, horizontal: Bool) -> Image {
    let outW = horizontal ? taps.first.count : width
    let outH = horizontal ? height : taps.first.count
    let c = channels
    // Distance in samples between neighbours along the filtered axis.
    let step = horizontal ? c : width * c
    let outCount = outW * outH * c
    func base(_ x: Int, _ y: Int) -> Int { (y * width + x) * c }
    switch pixels {
    case .rgb8(let input):
      let k = taps.fixedPoint
      var out = [UInt8](repeating: 0, count: outCount)
      input.withUnsafeBufferPointer { src in
        for y in 0..<outH {
          for x in 0..<outW {
            let o = horizontal ? x : y
            let start = taps.first[o], n = taps.count[o]
            let origin = horizontal ? base(start, y) : base(x, start)
            for ch in 0..<c {
              var acc: Int64 = 1 << 21
              for t in 0..<n {
                acc += Int64(src[origin + t * step + ch]) * Int64(k[o * taps.ksize + t])
              }
              let v = acc >> 22
              out[(y * outW + x) * c + ch] = UInt8(clamping: max(min(v, 255), 0))
            }
          }
        }
      }
      return Image(unchecked: outW, outH, c, .rgb8(out))
    case .float(let input):
      var out = [Float](repeating: 0, count: outCount)
      input.withUnsafeBufferPointer { src in
        for y in 0..<outH {
          for x in 0..<outW {
            let o = horizontal ? x : y
            let start = taps.first[o], n = taps.count[o]
            let origin = horizontal ? base(start, y) : base(x, start)
            for ch in 0..<c {
              var acc = 0.0
              for t in 0..<n {
                acc += Double(src[origin + t * step + ch]) * taps.weights[o * taps.ksize + t]
              }
              out[(y * outW + x) * c + ch] = Float(acc)
            }
          }
        }
      }
      return Image(unchecked: outW, outH, c, .float(out))
    }
  }
}
