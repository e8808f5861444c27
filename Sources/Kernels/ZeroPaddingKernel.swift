import TensorCore

/// Zero padding of NHWC images and its adjoint (cropping the gradient back): one block copy
/// per image row (`W·C` contiguous floats), images on both cores.
public enum ZeroPaddingKernel {
  /// Pads `[N, H, W, C]` to `[N, top+H+bottom, left+W+right, C]` with zeros.
  public static func pad(
    _ x: Tensor, top: Int, bottom: Int, left: Int, right: Int
  ) -> Tensor {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = h + top + bottom
    let ow = w + left + right
    var out = Tensor(zeros: [n, oh, ow, c])
    out.withUnsafeMutableBufferPointer { o in
      let ob = o
      x.withUnsafeBufferPointer { p in
        Parallel.forEach(n) { b in
          guard let src = p.baseAddress, let dst = ob.baseAddress else { return }
          for y in 0..<h {
            (dst + ((b * oh + y + top) * ow + left) * c).update(
              from: src + ((b * h + y) * w) * c, count: w * c)
          }
        }
      }
    }
    return out
  }

  /// The inverse crop: the gradient of the unpadded region.
  public static func crop(
    _ dy: Tensor, top: Int, bottom: Int, left: Int, right: Int
  ) -> Tensor {
    let (n, oh, ow, c) = (dy.shape[0], dy.shape[1], dy.shape[2], dy.shape[3])
    let h = oh - top - bottom
    let w = ow - left - right
    var out = Tensor.uninitialized([n, h, w, c])
    out.withUnsafeMutableBufferPointer { o in
      let ob = o
      dy.withUnsafeBufferPointer { p in
        Parallel.forEach(n) { b in
          guard let src = p.baseAddress, let dst = ob.baseAddress else { return }
          for y in 0..<h {
            (dst + ((b * h + y) * w) * c).update(
              from: src + ((b * oh + y + top) * ow + left) * c, count: w * c)
          }
        }
      }
    }
    return out
  }
}
