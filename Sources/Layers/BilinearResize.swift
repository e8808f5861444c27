import TensorCore

/// Bilinear resizing of NHWC images as TensorFlow's `ResizeBilinear` with half-pixel
/// centres: output pixel o samples input position (o + 0.5)·in/out − 0.5, between
/// rows/columns max(⌊p⌋, 0) and min(⌈p⌉, in − 1), weighted by p − ⌊p⌋. Optionally over a
/// crop window of the input (Keras's `crop_to_aspect_ratio` and `smart_resize`).
enum BilinearResize {
  /// A window of the input image.
  struct Crop: Equatable {
    var top: Int, left: Int, height: Int, width: Int
  }

  /// Keras's (2 and 3) largest centred crop with the aspect ratio of `th × tw`, with its
  /// float32 arithmetic and truncations.
  static func aspectCrop(_ h: Int, _ w: Int, _ th: Int, _ tw: Int) -> Crop {
    let ch = max(min(h, Int(Float(w * th) / Float(tw))), 1)
    let cw = max(min(w, Int(Float(h * tw) / Float(th))), 1)
    return Crop(top: Int(Float(h - ch) / 2), left: Int(Float(w - cw) / 2), height: ch, width: cw)
  }

  /// One axis: for each output index, the two input indices and the weight of the second.
  private static func taps(_ inSize: Int, _ outSize: Int) -> [(Int, Int, Float)] {
    let scale = Float(inSize) / Float(outSize)
    return (0..<outSize).map { o in
      let p = (Float(o) + 0.5) * scale - 0.5
      let f = p.rounded(.down)
      return (max(Int(f), 0), min(Int(p.rounded(.up)), inSize - 1), p - f)
    }
  }

  static func forward(_ x: Tensor, crop: Crop, height: Int, width: Int) -> Tensor {
    let (n, w, c) = (x.shape[0], x.shape[2], x.shape[3])
    let h = x.shape[1]
    let rows = taps(crop.height, height)
    let cols = taps(crop.width, width)
    var y = Tensor(zeros: [n, height, width, c])
    y.withUnsafeMutableBufferPointer { o in
      x.withUnsafeBufferPointer { p in
        for b in 0..<n {
          for (i, (r0, r1, ly)) in rows.enumerated() {
            for (j, (c0, c1, lx)) in cols.enumerated() {
              func at(_ r: Int, _ q: Int, _ k: Int) -> Float {
                p[((b * h + crop.top + r) * w + crop.left + q) * c + k]
              }
              let base = ((b * height + i) * width + j) * c
              for k in 0..<c {
                // TensorFlow's order: lerp along x on both rows, then along y.
                let top = at(r0, c0, k) + (at(r0, c1, k) - at(r0, c0, k)) * lx
                let bottom = at(r1, c0, k) + (at(r1, c1, k) - at(r1, c0, k)) * lx
                o[base + k] = top + (bottom - top) * ly
              }
            }
          }
        }
      }
    }
    return y
  }

  /// The adjoint: each output gradient spread back onto its four input taps.
  static func backward(_ dy: Tensor, inputShape s: [Int], crop: Crop) -> Tensor {
    let (n, h, w, c) = (s[0], s[1], s[2], s[3])
    let (height, width) = (dy.shape[1], dy.shape[2])
    let rows = taps(crop.height, height)
    let cols = taps(crop.width, width)
    var dx = Tensor(zeros: s)
    dx.withUnsafeMutableBufferPointer { d in
      dy.withUnsafeBufferPointer { g in
        for b in 0..<n {
          for (i, (r0, r1, ly)) in rows.enumerated() {
            for (j, (c0, c1, lx)) in cols.enumerated() {
              let base = ((b * height + i) * width + j) * c
              func add(_ r: Int, _ q: Int, _ weight: Float) {
                let t = ((b * h + crop.top + r) * w + crop.left + q) * c
                for k in 0..<c { d[t + k] += g[base + k] * weight }
              }
              add(r0, c0, (1 - ly) * (1 - lx))
              add(r0, c1, (1 - ly) * lx)
              add(r1, c0, ly * (1 - lx))
              add(r1, c1, ly * lx)
            }
          }
        }
      }
    }
    return dx
  }
}

/// A crop-then-bilinear-resize pass and what its backward needs (Resizing, CenterCrop,
/// RandomCrop share it).
struct ImageWindow {
  private var record: (shape: [Int], crop: BilinearResize.Crop)?

  static func outputShape(_ s: [Int], _ height: Int, _ width: Int, layer: String) throws -> [Int] {
    guard s.count == 3, s[0] > 0, s[1] > 0, height > 0, width > 0 else {
      throw LayerError.badInputShape(layer: layer, shape: s, reason: "needs [H, W, C] and a positive size")
    }
    return [height, width, s[2]]
  }

  /// `x` (`[N, H, W, C]`) resized to `height × width` from the window `crop(H, W)` picks.
  mutating func forward(
    _ x: Tensor, height: Int, width: Int, record keep: Bool, layer: String,
    crop: (_ h: Int, _ w: Int) -> BilinearResize.Crop
  ) throws -> Tensor {
    guard x.rank == 4 else {
      throw LayerError.badInputShape(layer: layer, shape: x.shape, reason: "needs [N, H, W, C]")
    }
    let window = crop(x.shape[1], x.shape[2])
    record = keep ? (x.shape, window) : nil
    return BilinearResize.forward(x, crop: window, height: height, width: width)
  }

  mutating func backward(
    _ dy: Tensor, needsInputGradient: Bool, layer: String
  ) throws -> [Tensor] {
    guard let (shape, crop) = record else { throw LayerError.noRecordedForward(layer: layer) }
    record = nil
    guard needsInputGradient else { return [] }
    guard dy.rank == 4, dy.shape[0] == shape[0], dy.shape[3] == shape[3] else {
      throw LayerError.badInputShape(layer: layer, shape: dy.shape, reason: "gradient does not match the output")
    }
    return [BilinearResize.backward(dy, inputShape: shape, crop: crop)]
  }
}
