import CBLAS

/// Row-major single-precision matrix multiply through OpenBLAS:
/// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where op transposes when asked.
///
/// `lda`, `ldb`, `ldc` default to the packed row lengths.
@inline(__always)
public func sgemm(
  transA: Bool = false, transB: Bool = false,
  m: Int, n: Int, k: Int,
  alpha: Float = 1,
  a: UnsafePointer<Float>, lda: Int? = nil,
  b: UnsafePointer<Float>, ldb: Int? = nil,
  beta: Float = 0,
  c: UnsafeMutablePointer<Float>, ldc: Int? = nil
) {
  if m == 0 || n == 0 { return }
  let lda = lda ?? (transA ? m : k)
  let ldb = ldb ?? (transB ? k : n)
  let ldc = ldc ?? n
  cblas_sgemm(
    CblasRowMajor,
    transA ? CblasTrans : CblasNoTrans,
    transB ? CblasTrans : CblasNoTrans,
    blasint(m), blasint(n), blasint(k),
    alpha, a, blasint(lda), b, blasint(ldb),
    beta, c, blasint(ldc))
}

/// Controls OpenBLAS's own thread pool, so it does not fight ours for the cores.
public enum BLASThreads {
  public static var count: Int { Int(openblas_get_num_threads()) }
  public static func set(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
  /// The core type OpenBLAS picked at load time (e.g. "Haswell", "SkylakeX").
  public static var coreName: String {
    guard let p = openblas_get_corename() else { return "unknown" }
    return String(cString: p)
  }
}
