/// im2col / col2im for one NHWC image: row `oy·outW + ox` of the column matrix holds the
/// window under output pixel (oy, ox) flattened as `[kH, kW, channels]`, which is exactly
/// the row order of a Keras kernel `[kh, kw, in, out]` viewed as `[kh·kw·in, out]`.
/// Pixels in the padding read as zero (and receive no gradient in col2im).
public enum Im2Col {
  /// Fills `col` (`outH·outW × patchSize`) from `image` (`inH·inW·channels`).
  public static func pack(
    _ image: UnsafeBufferPointer<Float>, _ g: WindowGeometry,
    into col: UnsafeMutableBufferPointer<Float>
  ) {
    pack(image, g, outputRows: 0..<g.outH, into: col)
  }

  /// Fills only the column rows of output rows `outputRows` (`col` is still the whole
  /// image's matrix), so one image can be packed by several threads.
  public static func pack(
    _ image: UnsafeBufferPointer<Float>, _ g: WindowGeometry, outputRows: Range<Int>,
    into col: UnsafeMutableBufferPointer<Float>
  ) {
    pack(image, g, outputRows: outputRows, into: col, offset: 0)
  }

  /// As above, with output row `oy`'s matrix row at `offset + oy·outW·patchSize` (`offset`
  /// may be negative), so a band of rows from several images packs into one matrix.
  public static func pack(
    _ image: UnsafeBufferPointer<Float>, _ g: WindowGeometry, outputRows: Range<Int>,
    into col: UnsafeMutableBufferPointer<Float>, offset: Int
  ) {
    let c = g.channels
    let patch = g.patchSize
    for oy in outputRows {
      for ox in 0..<g.outW {
        let row = offset + (oy * g.outW + ox) * patch
        for ky in 0..<g.kH {
          let iy = oy * g.strideH - g.padTop + ky
          let dst = row + ky * g.kW * c
          guard iy >= 0 && iy < g.inH else {
            for j in 0..<(g.kW * c) { col[dst + j] = 0 }
            continue
          }
          for kx in 0..<g.kW {
            let ix = ox * g.strideW - g.padLeft + kx
            let d = dst + kx * c
            if ix >= 0 && ix < g.inW {
              let src = (iy * g.inW + ix) * c
              for ch in 0..<c { col[d + ch] = image[src + ch] }
            } else {
              for ch in 0..<c { col[d + ch] = 0 }
            }
          }
        }
      }
    }
  }

  /// Adds the column matrix `col` back into `image` (the adjoint of `pack`).
  public static func unpackAdding(
    _ col: UnsafeBufferPointer<Float>, _ g: WindowGeometry,
    into image: UnsafeMutableBufferPointer<Float>
  ) {
    unpackAdding(col, g, outputRows: 0..<g.outH, into: image)
  }

  /// Only the column rows of output rows `outputRows`. Bands of output rows at least `kH`
  /// rows apart touch disjoint input rows, so they can be added by different threads.
  public static func unpackAdding(
    _ col: UnsafeBufferPointer<Float>, _ g: WindowGeometry, outputRows: Range<Int>,
    into image: UnsafeMutableBufferPointer<Float>
  ) {
    let c = g.channels
    let patch = g.patchSize
    for oy in outputRows {
      for ox in 0..<g.outW {
        let row = (oy * g.outW + ox) * patch
        for ky in 0..<g.kH {
          let iy = oy * g.strideH - g.padTop + ky
          guard iy >= 0 && iy < g.inH else { continue }
          for kx in 0..<g.kW {
            let ix = ox * g.strideW - g.padLeft + kx
            guard ix >= 0 && ix < g.inW else { continue }
            let src = row + (ky * g.kW + kx) * c
            let dst = (iy * g.inW + ix) * c
            for ch in 0..<c { image[dst + ch] += col[src + ch] }
          }
        }
      }
    }
  }
}
