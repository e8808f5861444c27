import Kernels
import Testing

@Test func gemmMatchesNaiveProduct() {
  // 2x3 · 3x2, values chosen so an index mix-up changes the result.
  let a: [Float] = [1, 2, 3, 4, 5, 6]
  let b: [Float] = [7, 8, 9, 10, 11, 12]
  var c = [Float](repeating: 0, count: 4)
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      c.withUnsafeMutableBufferPointer { pc in
        sgemm(m: 2, n: 2, k: 3, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
      }
    }
  }
  #expect(c == [58, 64, 139, 154])
}
