/// `sgemm` over buffer views, so kernels need no force-unwrapped base addresses:
/// an empty operand means an empty product, which leaves `c` untouched.
@inline(__always)
public func sgemm(
  transA: Bool = false, transB: Bool = false,
  m: Int, n: Int, k: Int,
  alpha: Float = 1,
  a: UnsafeBufferPointer<Float>, lda: Int? = nil,
  b: UnsafeBufferPointer<Float>, ldb: Int? = nil,
  beta: Float = 0,
  c: UnsafeMutableBufferPointer<Float>, ldc: Int? = nil
) {
  guard let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress, k > 0 else {
    return
  }
  sgemm(
    transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
    a: pa, lda: lda, b: pb, ldb: ldb, beta: beta, c: pc, ldc: ldc)
}
